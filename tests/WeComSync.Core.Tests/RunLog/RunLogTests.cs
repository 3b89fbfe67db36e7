using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;
using Xunit;

namespace WeComSync.Core.Tests.RunLog
{
    public sealed class RunLogTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "wecomsync-runlog-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, true);
        }

        private static RunLogOptions At(DateTimeOffset start, bool mask = false)
        {
            var now = start;
            // Each reading of the clock moves it on a second, so times are distinct and ordered.
            return new RunLogOptions { MaskPersonalData = mask, Clock = () => now = now.AddSeconds(1) };
        }

        private static Result Created(string userId, string name = null, Outcome outcome = Outcome.Succeeded, string error = null) => new Result
        {
            Change = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = userId, Desired = new User { UserId = userId, Name = name ?? userId } },
            Outcome = outcome,
            NewId = outcome == Outcome.Succeeded ? "authing-" + userId : null,
            ErrorCode = outcome == Outcome.Failed ? "400/2004" : null,
            Error = error,
            Duration = TimeSpan.FromMilliseconds(12.5),
        };

        // The log as anyone who may read the folder reads it: before.jsonl is undo's, owner-only and unmasked by design (BeforeImageTests).
        private static string ReadAll(string folder) =>
            string.Join("\n", Directory.GetFiles(folder).Where(f => Path.GetFileName(f) != RunLogFiles.Before).Select(File.ReadAllText));

        [Fact]
        public void Start_CreatesFolderNamedByTimeNameAndShortId_WithRunningSummaryAndEmptyResults()
        {
            var start = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(8));
            using (var run = RunLogWriter.Start(_root, "upstream", new RunLogOptions { Clock = () => start }))
            {
                Assert.Matches(@"^20240506-070809-upstream-[0-9a-f]{6}$", run.RunId);
                Assert.Equal(Path.Combine(Path.GetFullPath(_root), run.RunId), run.Path);
                Assert.True(File.Exists(Path.Combine(run.Path, RunLogFiles.Results)));
                var summary = JObject.Parse(File.ReadAllText(Path.Combine(run.Path, RunLogFiles.Summary)));
                Assert.Equal("Running", (string)summary["status"]);
                Assert.Equal(run.RunId, (string)summary["runId"]);
                run.Complete();
            }
        }

        [Fact]
        public void Steps_CountResultsByOutcomeAndOperation_AndRunSumsThem()
        {
            using (var run = RunLogWriter.Start(_root, "upstream", At(DateTimeOffset.Now)))
            {
                var read = run.BeginStep("read Authing users");
                read.Count(StepCounter.Read, 40);
                read.Complete();
                var users = run.BeginStep("users");
                users.Record(Created("a"));
                users.Record(new Result { Change = new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "b" }, Outcome = Outcome.Succeeded });
                users.Record(new Result { Change = new Change { Operation = ChangeOperation.Move, Kind = ObjectKind.Department, Key = "/x" }, Outcome = Outcome.Succeeded });
                users.Record(new Result { Change = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "c" }, Outcome = Outcome.Succeeded });
                users.Record(Created("d", outcome: Outcome.Failed, error: "phone taken"));
                users.Record(Created("e", outcome: Outcome.Skipped));
                users.Complete();
                var summary = run.Complete();

                Assert.Equal(RunStatus.PartiallyFailed, users.Status);
                Assert.Equal(RunStatus.PartiallyFailed, summary.Status);
                Assert.Equal((40, 1, 2, 1, 1, 1), (summary.Read, summary.Created, summary.Updated, summary.Deleted, summary.Failed, summary.Skipped));
                Assert.Equal(1, summary.FailedCount);
                Assert.Equal(ExitCodes.PartiallyFailed, summary.ExitCode);
                Assert.Equal(new[] { "read Authing users", "users" }, summary.Steps.Select(s => s.Name));
                Assert.Equal(RunStatus.Succeeded, summary.Steps[0].Status);

                var back = RunLogReader.GetRuns(_root).Single();
                Assert.Equal(RunStatus.PartiallyFailed, back.Status);
                Assert.Equal(2, back.Steps.Count);
                Assert.Equal((1, 2, 1, 1), (back.Steps[1].Created, back.Steps[1].Updated, back.Steps[1].Deleted, back.Steps[1].Failed));
                Assert.NotNull(back.Duration);
                Assert.True(back.Duration > TimeSpan.Zero);
            }
        }

        private static Result Suspended(string userId, Outcome outcome = Outcome.Succeeded) => new Result
        {
            Change = new Change { Operation = ChangeOperation.Suspend, Kind = ObjectKind.User, Key = userId, Current = new User { UserId = userId, Name = userId } },
            Outcome = outcome,
            Error = outcome == Outcome.Failed ? "user not found" : null,
        };

        [Fact]
        public void Suspends_AreCountedAsSuspended_NotUpdated_InTheStepTheRunSummaryJsonAndTheReader()
        {
            using (var run = RunLogWriter.Start(_root, "upstream", At(DateTimeOffset.Now)))
            {
                var users = run.BeginStep("delete users");
                users.Record(Suspended("a"));
                users.Record(Suspended("b"));
                users.Record(new Result { Change = new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "c" }, Outcome = Outcome.Succeeded });
                users.Record(Suspended("d", Outcome.Failed));     // a failed suspend is a failure, not a suspend
                users.Complete();
                var summary = run.Complete();

                Assert.Equal((2, 1, 1), (users.Suspended, users.Updated, users.Failed));
                Assert.Equal((2, 1, 0, 1), (summary.Suspended, summary.Updated, summary.Deleted, summary.Failed));
                var json = JObject.Parse(File.ReadAllText(Path.Combine(run.Path, RunLogFiles.Summary)));
                Assert.Equal(2, (int)json["suspended"]);
                Assert.Equal(2, (int)json["steps"][0]["suspended"]);
                var back = RunLogReader.GetRuns(_root).Single();
                Assert.Equal((2, 1), (back.Suspended, back.Updated));
                Assert.Equal(2, back.Steps[0].Suspended);
            }
        }

        [Fact]
        public void Step_WhoseObjectsWereSuspended_OrFailed_IsPartiallyFailed_NotFailed()
        {
            using (var run = RunLogWriter.Start(_root, "upstream", At(DateTimeOffset.Now)))
            {
                var some = run.BeginStep("delete users");
                some.Record(Suspended("a"));
                some.Record(Suspended("b", Outcome.Failed));
                some.Complete();
                var all = run.BeginStep("delete users again");
                all.Record(Suspended("c", Outcome.Failed));
                all.Complete();
                Assert.Equal(RunStatus.PartiallyFailed, some.Status);
                Assert.Equal(RunStatus.Failed, all.Status);
                run.Complete();
            }
        }

        [Fact]
        public void SummaryWrittenBeforeSuspendsWereCountedApart_ReadsWithSuspendedZero_AndItsOtherCountsKept()
        {
            string folder;
            using (var run = RunLogWriter.Start(_root, "upstream", At(DateTimeOffset.Now)))
            {
                var users = run.BeginStep("users");
                users.Record(Created("a"));
                users.Record(new Result { Change = new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "b" }, Outcome = Outcome.Succeeded });
                users.Complete();
                run.Complete();
                folder = run.Path;
            }
            // An older writer's summary.json: no "suspended" on the run or its steps.
            string file = Path.Combine(folder, RunLogFiles.Summary);
            var json = JObject.Parse(File.ReadAllText(file));
            json.Remove("suspended");
            foreach (JObject step in json["steps"]) step.Remove("suspended");
            File.WriteAllText(file, json.ToString());
            Assert.DoesNotContain("suspended", File.ReadAllText(file), StringComparison.OrdinalIgnoreCase);

            var back = RunLogReader.ReadRun(folder);
            Assert.Equal(RunStatus.Succeeded, back.Status);
            Assert.Equal((1, 1, 0), (back.Created, back.Updated, back.Suspended));
            Assert.Equal(0, back.Steps.Single().Suspended);
        }

        [Fact]
        public void Step_WhereEveryObjectFailed_IsFailed_AndCleanRunSucceedsWithExitCodeZero()
        {
            using (var run = RunLogWriter.Start(_root, "downstream", At(DateTimeOffset.Now)))
            {
                var step = run.BeginStep("users");
                step.Record(Created("a", outcome: Outcome.Failed));
                step.Complete();
                Assert.Equal(RunStatus.Failed, step.Status);
                Assert.Equal(RunStatus.Failed, run.Complete().Status);
            }
            using (var run = RunLogWriter.Start(_root, "downstream", At(DateTimeOffset.Now)))
            {
                run.BeginStep("users").Record(Created("a"));
                var summary = run.Complete();   // the running step is completed from its counts
                Assert.Equal(RunStatus.Succeeded, summary.Steps[0].Status);
                Assert.Equal(RunStatus.Succeeded, summary.Status);
                Assert.Equal(0, summary.ExitCode);
                Assert.Equal(0, summary.FailedCount);
            }
        }

        [Fact]
        public void ConcurrentAppends_FromParallelWorkers_LoseNoLineAndCountEveryResult()
        {
            const int workers = 8, each = 500;
            RunRecord summary;
            using (var run = RunLogWriter.Start(_root, "upstream"))
            {
                var step = run.BeginStep("users");
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                {
                    for (int i = 0; i < each; i++) step.Record(Created($"u{w}-{i}", outcome: i % 10 == 0 ? Outcome.Failed : Outcome.Succeeded));
                });
                summary = run.Complete();
            }
            Assert.Equal(workers * each * 9 / 10, summary.Created);
            Assert.Equal(workers * each / 10, summary.Failed);

            var back = RunLogReader.GetRuns(_root).Single();
            int unreadable = 0;
            var results = RunLogReader.ReadResults(back, _ => unreadable++).ToList();
            Assert.Equal(0, unreadable);
            Assert.Equal(workers * each, results.Count);
            Assert.Equal(workers * each, results.Select(r => r.Key).Distinct().Count());
            Assert.Equal(workers * each / 10, RunLogReader.GetFailed(new[] { back }).Count());
        }

        [Fact]
        public void MaskPersonalData_HidesMobileAndEmail_InPlanResultsAndMessages_ButKeepsIdentifiers()
        {
            var user = new User { UserId = "13912345678", Name = "张三", Mobile = "+86 13800001234", Email = "zhangsan@example.com", Extra = { ["备注"] = "备用 lisi@example.org" } };
            var change = new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = user.UserId, Desired = user,
                Current = new User { UserId = user.UserId, Mobile = "+86 13700004321", Email = "old@example.com" },
                Fields = { new FieldChange("Mobile", "+86 13700004321", "+86 13800001234"), new FieldChange("Email", "old@example.com", "zhangsan@example.com") },
                Plan = new PlanContext { Kind = ObjectKind.User, SourceCount = 1, TargetCount = 1, UpdateCount = 1 },
            };
            string folder;
            using (var run = RunLogWriter.Start(_root, "upstream", new RunLogOptions { MaskPersonalData = true }))
            {
                folder = run.Path;
                run.WritePlan("users", new[] { change });
                var step = run.BeginStep("users");
                step.Record(new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "400", Error = "phone 13800001234 or email zhangsan@example.com already used" });
                step.Complete(RunStatus.PartiallyFailed, "user 13800001234 failed");
                run.Complete();
            }
            string all = ReadAll(folder);
            foreach (var raw in new[] { "13800001234", "13700004321", "zhangsan@example.com", "old@example.com", "lisi@example.org" })
            {
                Assert.DoesNotContain(raw, all);
            }
            Assert.Contains("+86 138****1234", all);
            Assert.Contains("z***@example.com", all);
            Assert.Contains("l***@example.org", all);
            Assert.Contains("张三", all);

            var result = RunLogReader.GetUserHistory(RunLogReader.GetRuns(_root), "13912345678").Single();   // the userid is an identifier: kept
            Assert.Equal("+86 137****4321", result.Fields.Single(f => f.Field == "Mobile").Old);
            Assert.Equal("o***@example.com", result.Fields.Single(f => f.Field == "Email").Old);
            Assert.True(RunLogReader.GetRuns(_root).Single().MaskPersonalData);
        }

        [Fact]
        public void WithoutMasking_PersonalDataIsWrittenAsIs()
        {
            using (var run = RunLogWriter.Start(_root, "upstream"))
            {
                run.BeginStep("users").Record(Created("a", outcome: Outcome.Failed, error: "mobile +86 13800001234 taken"));
                run.Complete();
            }
            Assert.Equal("mobile +86 13800001234 taken", RunLogReader.GetFailed(RunLogReader.GetRuns(_root)).Single().Error);
        }

        [Fact]
        public void TokenPlantedInErrorMessages_StepMessageAndParameters_IsRedactedEverywhere()
        {
            const string secret = "S3cr3t-planted-corp-secret-value";
            Redaction.Register(secret);
            string folder;
            using (var run = RunLogWriter.Start(_root, "downstream", new RunLogOptions { Parameters = new Dictionary<string, object> { ["Note"] = "corpsecret=" + secret } }))
            {
                folder = run.Path;
                var step = run.BeginStep("users");
                step.Record(Created("a", outcome: Outcome.Failed, error: "GET /cgi-bin/user/get?access_token=abcdefTOKEN123&userid=a failed; secret " + secret));
                run.Fail(new InvalidOperationException("token refresh failed: access_token=abcdefTOKEN123 " + secret));
            }
            string all = ReadAll(folder);
            Assert.DoesNotContain(secret, all);
            Assert.DoesNotContain("abcdefTOKEN123", all);
            Assert.Contains(Redaction.Mask, all);
        }

        [Fact]
        public void Fail_WithException_RecordsRunningStepAndRunAsFailed_WithTheMessage()
        {
            using (var run = RunLogWriter.Start(_root, "upstream", At(DateTimeOffset.Now)))
            {
                run.BeginStep("read Authing users").Complete();
                run.BeginStep("departments");
                var summary = run.Fail(new InvalidOperationException("Authing 401: bad credentials"));
                Assert.Equal(RunStatus.Failed, summary.Status);
                Assert.Equal(RunStatus.Succeeded, summary.Steps[0].Status);
                Assert.Equal(RunStatus.Failed, summary.Steps[1].Status);
                Assert.Equal("Authing 401: bad credentials", summary.Steps[1].Message);
                Assert.Equal(ExitCodes.Failed, summary.ExitCode);
                Assert.Equal(1, summary.FailedCount);   // a failed run never reports 0 failures
            }
            var back = RunLogReader.GetRuns(_root).Single();
            Assert.Equal(RunStatus.Failed, back.Status);
            Assert.Equal("Authing 401: bad credentials", back.Message);
            Assert.Equal(RunStatus.Failed, back.Steps[1].Status);
        }

        [Fact]
        public void Stop_MarksRunningStepsStopped_AndDisposeWithoutComplete_RecordsInterrupted_WithItsOwnExitCode()
        {
            using (var run = RunLogWriter.Start(_root, "upstream"))
            {
                run.BeginStep("delete users");
                var summary = run.Stop("The delete guard stopped the run: 600 deletes exceed -MaxDelete 500.");
                Assert.Equal(RunStatus.Stopped, summary.Status);
                Assert.Equal(RunStatus.Stopped, summary.Steps[0].Status);
                Assert.Equal(ExitCodes.Stopped, summary.ExitCode);
                Assert.Equal(RunStatus.Stopped, run.Complete().Status);   // a second end changes nothing
            }
            string id;
            using (var run = RunLogWriter.Start(_root, "downstream")) { id = run.RunId; run.BeginStep("users").Record(Created("a")); }
            var interrupted = RunLogReader.FindRun(_root, id);
            Assert.Equal(RunStatus.Interrupted, interrupted.Status);
            Assert.Equal(RunStatus.Interrupted, interrupted.Steps[0].Status);
            Assert.Equal(1, interrupted.Created);
            Assert.Equal(ExitCodes.Interrupted, interrupted.ExitCode);
            Assert.NotEqual(ExitCodes.Stopped, ExitCodes.Interrupted);
        }

        [Fact]
        public void TruncatedLastLine_FromAKilledProcess_IsSkippedAndCounted()
        {
            RunRecord summary;
            using (var run = RunLogWriter.Start(_root, "upstream"))
            {
                var step = run.BeginStep("users");
                step.Record(Created("a"));
                step.Record(Created("b"));
                summary = run.Complete();
            }
            File.AppendAllText(Path.Combine(summary.Path, RunLogFiles.Results), "{\"time\":\"2024-01-01T00:00:00.000+08:00\",\"step\":\"users\",\"key\":\"c\",\"outc");
            int unreadable = 0;
            var results = RunLogReader.ReadResults(RunLogReader.GetRuns(_root).Single(), _ => unreadable++).ToList();
            Assert.Equal(new[] { "a", "b" }, results.Select(r => r.Key));
            Assert.Equal(1, unreadable);
        }

        [Fact]
        public void RunWithNoEnd_WhileItsWriterIsAlive_IsRunning_AndAfterTheWriterDied_IsInterruptedWithCountsFromResults()
        {
            var run = RunLogWriter.Start(_root, "upstream");
            var read = run.BeginStep("read users");
            read.Count(StepCounter.Read, 5);
            read.Complete();
            var step = run.BeginStep("users");
            step.Record(Created("a"));
            step.Record(Created("b"));
            step.Record(Created("c", outcome: Outcome.Failed));
            step.Record(Suspended("d"));
            // No Complete and no Dispose: as if the process was killed here.
            Assert.Equal(RunStatus.Running, RunLogReader.GetRuns(_root).Single().Status);
            Assert.Equal(ExitCodes.Running, RunLogReader.GetRuns(_root).Single().ExitCode);

            // This machine after the process ended (no such process id), or another machine: the writer is gone.
            string file = Path.Combine(run.Path, RunLogFiles.Summary);
            var summary = JObject.Parse(File.ReadAllText(file));
            summary["processId"] = 99999999;
            File.WriteAllText(file, summary.ToString());
            Assert.Equal(RunStatus.Interrupted, RunLogReader.GetRuns(_root).Single().Status);
            summary["processId"] = System.Environment.ProcessId;
            summary["host"] = "another-machine";
            File.WriteAllText(file, summary.ToString());

            var back = RunLogReader.GetRuns(_root).Single();
            Assert.Equal(RunStatus.Interrupted, back.Status);
            Assert.Null(back.EndTime);
            Assert.Null(back.Duration);
            Assert.Equal(RunStatus.Succeeded, back.Steps[0].Status);
            Assert.Equal(RunStatus.Interrupted, back.Steps[1].Status);
            Assert.Equal((5, 2, 1), (back.Read, back.Created, back.Failed));
            Assert.Equal((1, 0), (back.Suspended, back.Updated));   // recounted from results.jsonl, each under its own counter
            Assert.Equal(ExitCodes.Interrupted, back.ExitCode);
            Assert.Contains("interrupted", back.Message);
            run.Dispose();
        }

        [Fact]
        public void RunFolderWithoutSummary_IsListedByItsFolderName_AsInterrupted()
        {
            string folder = Path.Combine(_root, "20240102-030405-upstream-abc123");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, RunLogFiles.Results), "{\"step\":\"users\",\"operation\":\"Create\",\"kind\":\"User\",\"key\":\"a\",\"outcome\":\"Succeeded\"}\n");
            var run = RunLogReader.GetRuns(_root).Single();
            Assert.Equal("20240102-030405-upstream-abc123", run.RunId);
            Assert.Equal("upstream", run.Name);
            Assert.Equal("abc123", run.ShortId);
            Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5), run.StartTime.DateTime);
            Assert.Equal(RunStatus.Interrupted, run.Status);
        }

        [Fact]
        public void Runs_AreListedNewestFirst_AndFoundByFullIdShortIdOrUniquePrefix()
        {
            var ids = new List<string>();
            foreach (var (day, name) in new[] { (3, "upstream"), (1, "downstream"), (2, "upstream") })
            {
                using (var run = RunLogWriter.Start(_root, name, At(new DateTimeOffset(2024, 3, day, 6, 0, 0, TimeSpan.Zero))))
                {
                    ids.Add(run.RunId);
                    run.Complete();
                }
            }
            Directory.CreateDirectory(Path.Combine(_root, "not-a-run"));   // ignored: no run files
            var runs = RunLogReader.GetRuns(_root).ToList();
            Assert.Equal(new[] { ids[0], ids[2], ids[1] }, runs.Select(r => r.RunId));

            Assert.Equal(ids[1], RunLogReader.FindRun(_root, ids[1]).RunId);
            Assert.Equal(ids[1], RunLogReader.FindRun(_root, runs[2].ShortId.ToUpperInvariant()).RunId);
            Assert.Equal(ids[1], RunLogReader.FindRun(_root, "20240301").RunId);
            Assert.Null(RunLogReader.FindRun(_root, "nothing-like-it"));
            Assert.Throws<ArgumentException>(() => RunLogReader.FindRun(_root, "202403"));

            // A run folder itself also works as the path.
            Assert.Equal(ids[2], RunLogReader.GetRuns(runs[1].Path).Single().RunId);
        }

        [Fact]
        public void UserHistory_AcrossRuns_IsNewestFirst_IgnoresCase_AndExcludesDepartmentsWithTheSameKey()
        {
            var start = new DateTimeOffset(2024, 4, 1, 6, 0, 0, TimeSpan.Zero);
            for (int day = 0; day < 3; day++)
            {
                using (var run = RunLogWriter.Start(_root, "upstream", At(start.AddDays(day))))
                {
                    var step = run.BeginStep("users");
                    step.Record(day == 0 ? Created("ZhangSan", "张三")
                        : new Result { Change = new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zhangsan", Fields = { new FieldChange("Position", "dev", "lead" + day) } }, Outcome = day == 2 ? Outcome.Failed : Outcome.Succeeded, Error = day == 2 ? "boom" : null });
                    step.Record(Created("lisi"));
                    run.BeginStep("departments").Record(new Result { Change = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = "zhangsan" }, Outcome = Outcome.Succeeded });
                    run.Complete();
                }
            }
            var history = RunLogReader.GetUserHistory(RunLogReader.GetRuns(_root), "ZHANGSAN").ToList();
            Assert.Equal(3, history.Count);
            Assert.Equal(new ChangeOperation?[] { ChangeOperation.Update, ChangeOperation.Update, ChangeOperation.Create }, history.Select(h => h.Operation));
            Assert.Equal(new[] { Outcome.Failed, Outcome.Succeeded, Outcome.Succeeded }, history.Select(h => h.Outcome));
            Assert.True(history[0].Time > history[1].Time && history[1].Time > history[2].Time);
            Assert.Equal("lead2", history[0].Fields.Single().New);
            Assert.Equal("张三", history[2].Name);
            Assert.Equal("authing-ZhangSan", history[2].NewId);
            Assert.All(history, h => Assert.Equal("users", h.Step));
        }

        [Fact]
        public void Plan_IsWrittenWithItsContext_AndASecondPlanIsAddedNotReplaced()
        {
            var context = new PlanContext { Kind = ObjectKind.Department, SourceCount = 3, TargetCount = 1, CreateCount = 2, ComputedAt = DateTimeOffset.Now };
            string folder;
            using (var run = RunLogWriter.Start(_root, "upstream"))
            {
                folder = run.Path;
                run.WritePlan(new[]
                {
                    new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = "/A", Sequence = 1, Plan = context, Desired = new Department { Key = "/A", Name = "A", Path = "A" } },
                    new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = "/A/B", Sequence = 2, Plan = context },
                });
                run.WritePlan("users", new[] { new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "gone" } });
                run.Complete();
            }
            var plan = JObject.Parse(File.ReadAllText(Path.Combine(folder, RunLogFiles.Plan)));
            var plans = (JArray)plan["plans"];
            Assert.Equal(new[] { "Department", "users" }, plans.Select(p => (string)p["name"]));
            Assert.Equal(3, (int)plans[0]["context"]["sourceCount"]);
            Assert.Equal(new[] { "/A", "/A/B" }, plans[0]["changes"].Select(c => (string)c["key"]));
            Assert.Equal("A", (string)plans[0]["changes"][0]["desired"]["name"]);
            Assert.Null(plans[0]["changes"][0]["plan"]);
            Assert.Equal("Delete", (string)plans[1]["changes"][0]["operation"]);
        }

        private static List<Change> UserPlan(int count, PlanContext context = null) => Enumerable.Range(1, count).Select(i => new Change
        {
            Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = $"user{i}", Sequence = i, Plan = context,
            Desired = new User { UserId = $"user{i}", Name = $"成员{i}", Mobile = $"+86 1380000{i:0000}", Email = $"user{i}@example.com", Departments = new List<string> { "示例科技/研发部" } },
            Fields = new List<FieldChange> { new FieldChange { Field = "Mobile", Old = null, New = $"+86 1380000{i:0000}" } },
        }).ToList();

        [Fact]
        public void Plan_OfARunKeptInMemory_IsNotSerializedAtAll()
        {
            var plan = UserPlan(2000);
            using (var run = RunLogWriter.Start(null, "upstream"))
            {
                run.WritePlan("users", plan.Take(1)); // warm up
                long before = GC.GetAllocatedBytesForCurrentThread();
                run.WritePlan("users", plan);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                // Serializing 2 000 changes as before took megabytes (about 15 JSON objects per change) for nothing kept.
                Assert.True(allocated < 100_000, $"{allocated} bytes allocated for a plan that is written nowhere");
            }
        }

        [Fact]
        public void Plans_AreStreamedIntoPlanJson_ThreePlansAppendInOrder_MaskedAndReadBack()
        {
            var context = new PlanContext { Kind = ObjectKind.User, SourceCount = 300, TargetCount = 0, CreateCount = 300, ComputedAt = DateTimeOffset.Now };
            string folder;
            using (var run = RunLogWriter.Start(_root, "upstream", At(DateTimeOffset.Now, mask: true)))
            {
                folder = run.Path;
                run.WritePlan("departments", new[] { new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = "/A", Sequence = 1 } });
                run.WritePlan("users", UserPlan(300, context));
                run.WritePlan("empty", new Change[0]);
                run.Complete();
            }
            string text = File.ReadAllText(Path.Combine(folder, RunLogFiles.Plan));
            Assert.DoesNotContain("13800000001", text);           // masked in the desired user and in the field change
            Assert.False(File.Exists(Path.Combine(folder, RunLogFiles.Plan + ".tmp")));
            var plans = (JArray)JObject.Parse(text)["plans"];
            Assert.Equal(new[] { "departments", "users", "empty" }, plans.Select(p => (string)p["name"]));
            Assert.Equal(300, ((JArray)plans[1]["changes"]).Count);
            Assert.Equal(300, (int)plans[1]["context"]["sourceCount"]);
            var read = RunLogReader.ReadPlans(RunLogReader.GetRuns(_root).Single());
            Assert.Equal(new[] { 1, 300, 0 }, read.Select(p => p.Changes.Count));
            Assert.Equal("user300", read[1].Changes.Last().Key);
        }

        [Fact]
        public void WithoutLogRoot_TheRunIsKeptInMemory_AndStillReturnsItsSummary()
        {
            using (var run = RunLogWriter.Start(null, "upstream"))
            {
                Assert.Null(run.Path);
                var step = run.BeginStep("users");
                step.Record(Created("a"));
                run.WritePlan(new[] { new Change { Key = "a" } });
                var summary = run.Complete();
                Assert.Equal(1, summary.Created);
                Assert.Equal(RunStatus.Succeeded, summary.Status);
            }
            Assert.False(Directory.Exists(_root));
        }

        [Fact]
        public void MissingLogFolder_ThrowsDirectoryNotFound()
        {
            Assert.Throws<DirectoryNotFoundException>(() => RunLogReader.GetRuns(Path.Combine(_root, "nope")).ToList());
        }

        [Theory]
        [InlineData("+86 13800001234", "+86 138****1234")]
        [InlineData("13800001234", "138****1234")]
        [InlineData("+1 4155550100", "+1 41****0100")]
        [InlineData("12345", "****45")]
        public void MaskMobile_KeepsCountryCodeFirstThreeAndLastFourDigits(string input, string expected)
        {
            Assert.Equal(expected, PersonalData.MaskMobile(input));
        }

        [Theory]
        [InlineData("zhangsan@example.com", "z***@example.com")]
        [InlineData("a@b.cn", "a***@b.cn")]
        [InlineData("not-an-email", "***")]
        public void MaskEmail_KeepsFirstLetterAndDomain(string input, string expected)
        {
            Assert.Equal(expected, PersonalData.MaskEmail(input));
        }
    }
}
