using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Model;
using WeComSync.RunLog;
using Xunit;

namespace WeComSync.Tests.Apply
{
    public class DriftCheckTests
    {
        private static User U(string id, string name, string mobile, params string[] departments) => new User
        {
            UserId = id, SourceId = "a-" + id, Name = name, Mobile = mobile, Departments = departments.ToList(), Source = DirectorySource.Authing,
        };

        private static Change Update(string id, User current, User desired, int seq) => new Change
        {
            Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = id, Current = current, Desired = desired, Sequence = seq,
            Fields = { new FieldChange("Name", current.Name, desired.Name) },
        };

        /// <summary>A target that answers the re-read from a dictionary, and records what it wrote.</summary>
        private sealed class Target : IChangeApplier, IDriftReader
        {
            public readonly Dictionary<string, DirectoryObject> Now = new Dictionary<string, DirectoryObject>(StringComparer.Ordinal);
            public readonly ConcurrentQueue<string> Written = new ConcurrentQueue<string>();
            public int Reads;
            public string TargetName => "Fake";
            public string DescribeTarget(Change change) => change.Key;
            public string DescribeAction(Change change) => change.Operation.ToString();
            public Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken) => Task.CompletedTask;
            public IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved)
            {
                yield return new ApplyStage("all", approved.Select(c => new ApplyStep(c, ct => { Written.Enqueue(c.Key); return Task.FromResult(Results.Succeeded(c)); })));
            }
            public Task<IReadOnlyDictionary<Change, DirectoryObject>> ReadNowAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref Reads);
                var answer = new Dictionary<Change, DirectoryObject>();
                foreach (var c in changes) answer[c] = Now.TryGetValue(c.Key, out var o) ? o : null;
                return Task.FromResult((IReadOnlyDictionary<Change, DirectoryObject>)answer);
            }
        }

        [Fact]
        public void Differs_NamesTheFieldThatChanged_AndIgnoresWhatIsUnknownOrOnlyFormatted()
        {
            var planned = U("zhangsan", "张三", "+86 13800000001", "公司/研发部");
            var change = Update("zhangsan", planned, U("zhangsan", "张三丰", "+86 13800000001", "公司/研发部"), 1);

            Assert.Null(DriftCheck.Differs(change, U("zhangsan", "张三", "13800000001", "公司/研发部")));      // same number, other format
            var unknown = U("zhangsan", "张三", null, "公司/研发部");
            Assert.Null(DriftCheck.Differs(change, unknown));                                                  // unknown is not a change
            var withheld = U("zhangsan", "张三", "+86 13900000009", "公司/研发部");
            withheld.WithheldFields.Add("Mobile");
            Assert.Null(DriftCheck.Differs(change, withheld));

            string what = DriftCheck.Differs(change, U("zhangsan", "张三", "+86 13900000009", "公司/研发部"));
            Assert.Contains("user zhangsan was changed", what);
            Assert.Contains("Mobile was +86 13800000001 in the plan, is +86 13900000009 now", what);
            Assert.Contains("Departments", DriftCheck.Differs(change, U("zhangsan", "张三", "+86 13800000001", "公司/市场部")));
            Assert.Contains("no longer exists", DriftCheck.Differs(change, null));
        }

        [Fact]
        public void Differs_ComparesMappedFieldsLikeBuiltInOnes()
        {
            User Mapped(string no, string hired)
            {
                var u = U("zhangsan", "张三", "+86 13800000001", "公司/研发部");
                if (no != null) u.Extra["工号"] = no;
                if (hired != null) u.Extra["入职日期"] = hired;
                return u;
            }
            // Planned Monday: 工号 A1 → A2. By Wednesday someone set it to A9 in the target.
            var change = Update("zhangsan", Mapped("A1", "2024-01-01"), Mapped("A2", "2024-01-01"), 1);
            Assert.Null(DriftCheck.Differs(change, Mapped("A1", "2024-01-01")));
            Assert.Null(DriftCheck.Differs(change, Mapped(" A1 ", "2024-01-01")));            // compared as text: spaces are formatting
            Assert.Null(DriftCheck.Differs(change, Mapped(null, null)));                      // the re-read does not carry them: unknown
            var what = DriftCheck.Differs(change, Mapped("A9", "2024-01-01"));
            Assert.Equal("user zhangsan was changed: 工号 was A1 in the plan, is A9 now", what);
            Assert.Contains("入职日期 was 2024-01-01 in the plan, is '' now", DriftCheck.Differs(change, Mapped("A1", "")));   // emptied: known, a change
            var withheld = Mapped("A9", "2024-01-01");
            withheld.WithheldFields.Add("工号");
            Assert.Null(DriftCheck.Differs(change, withheld));

            // A plan that never knew the field (the target had none) is not stale over it either.
            var unmapped = Update("zhangsan", Mapped(null, null), Mapped("A2", null), 2);
            Assert.Null(DriftCheck.Differs(unmapped, Mapped("A9", "2024-01-01")));
        }

        [Fact]
        public void Creates_AreStaleWhenTheObjectNowExists_DeletesWhenItIsGoneOrChanged()
        {
            var create = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "lisi", Desired = U("lisi", "李四", null) };
            Assert.Null(DriftCheck.Differs(create, null));
            Assert.Contains("exists now", DriftCheck.Differs(create, U("lisi", "李四", null)));

            var current = U("wangwu", "王五", "+86 13700000000");
            var delete = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "wangwu", Current = current };
            Assert.Null(DriftCheck.Differs(delete, U("wangwu", "王五", "+86 13700000000")));
            Assert.Contains("no longer exists", DriftCheck.Differs(delete, null));
            Assert.Contains("Name was 王五 in the plan, is 王五五 now", DriftCheck.Differs(delete, U("wangwu", "王五五", "+86 13700000000")));
        }

        [Fact]
        public void Departments_CompareNameParentAndLink()
        {
            var current = new Department { Key = "d1", SourceId = "d1", Name = "研发部", ParentLinkId = "公司", LinkId = "公司/研发部" };
            var move = new Change { Operation = ChangeOperation.Move, Kind = ObjectKind.Department, Key = "公司/研发部", Current = current };
            Assert.Null(DriftCheck.Differs(move, new Department { Key = "d1", Name = " 研发部 ", ParentLinkId = "公司", LinkId = "公司/研发部" }));
            Assert.Contains("Name was 研发部 in the plan, is 产品部 now", DriftCheck.Differs(move, new Department { Key = "d1", Name = "产品部", ParentLinkId = "公司", LinkId = "公司/研发部" }));
            Assert.Contains("Parent was 公司 in the plan, is 公司/市场部 now", DriftCheck.Differs(move, new Department { Key = "d1", Name = "研发部", ParentLinkId = "公司/市场部", LinkId = "公司/研发部" }));
        }

        [Fact]
        public void PlanApplier_LeavesDriftedChangesStale_BeforeAnyWrite_AndAppliesTheRest()
        {
            var target = new Target();
            var changes = new List<Change>();
            for (int i = 1; i <= 5; i++)
            {
                var held = U("u" + i, "用户" + i, "+86 1380000000" + i);
                changes.Add(Update("u" + i, held, U("u" + i, "新" + i, held.Mobile), i));
                target.Now["u" + i] = U("u" + i, "用户" + i, "+86 1380000000" + i);
            }
            target.Now["u2"] = U("u2", "用户2", "+86 13999999999");   // an admin changed the mobile
            target.Now.Remove("u4");                                     // someone deleted the user
            var host = new RecordingHost();

            var results = new PlanApplier(host, new ApplyOptions { CheckDrift = true }).Apply(changes, target);

            Assert.Equal(1, target.Reads);
            Assert.Equal(new[] { "u1", "u2", "u3", "u4", "u5" }, results.Select(r => r.Change.Key));
            Assert.Equal(new[] { Outcome.Succeeded, Outcome.Stale, Outcome.Succeeded, Outcome.Stale, Outcome.Succeeded }, results.Select(r => r.Outcome));
            Assert.Equal(new[] { "u1", "u3", "u5" }, target.Written.OrderBy(k => k));
            var stale = results.Single(r => r.Change.Key == "u2");
            Assert.Equal("stale", stale.ErrorCode);
            Assert.Contains("Mobile", stale.Error);
            Assert.Contains("-Force", stale.Error);
        }

        [Fact]
        public void PlanApplier_WithoutTheCheck_NeitherReadsNorLeavesAnythingStale()
        {
            var target = new Target();
            var held = U("u1", "用户1", null);
            var results = new PlanApplier(new RecordingHost()).Apply(new[] { Update("u1", held, U("u1", "新", null), 1) }, target);
            Assert.Equal(0, target.Reads);
            Assert.Equal(Outcome.Succeeded, Assert.Single(results).Outcome);
        }

        [Fact]
        public void IsDue_ForSavedPlansAndOldOnes_NotForAFreshPlanOrHandBuiltChanges()
        {
            var now = DateTimeOffset.Now;
            var fresh = new Change { Plan = new PlanContext { ComputedAt = now.AddSeconds(-30) } };
            var old = new Change { Plan = new PlanContext { ComputedAt = now.AddDays(-2) } };
            var handBuilt = new Change();
            Assert.False(DriftCheck.IsDue(new[] { fresh, handBuilt }, _ => false, now));
            Assert.True(DriftCheck.IsDue(new[] { fresh, old }, _ => false, now));
            Assert.True(DriftCheck.IsDue(new[] { fresh }, c => c == fresh, now));
        }

        [Fact]
        public void DirectoryInstance_Mismatch_ComparesWhatBothKnow()
        {
            var planned = new DirectoryInstance { Service = "Authing", Host = "https://api.authing.cn/", UserPoolId = "p1", OrganizationCode = "acme" };
            Assert.Null(DirectoryInstance.Mismatch(planned, new DirectoryInstance { Service = "Authing", Host = "https://API.authing.cn", UserPoolId = "p1", OrganizationCode = "acme" }));
            Assert.Null(DirectoryInstance.Mismatch(planned, new DirectoryInstance { Service = "Authing", Host = "https://api.authing.cn" }));   // pool not known yet
            Assert.Null(DirectoryInstance.Mismatch(null, planned));
            Assert.Equal("organization acme, not other", DirectoryInstance.Mismatch(planned, new DirectoryInstance { Service = "Authing", UserPoolId = "p1", OrganizationCode = "other" }));
            Assert.Equal("user pool p1, not p2", DirectoryInstance.Mismatch(planned, new DirectoryInstance { Service = "Authing", UserPoolId = "p2" }));
            Assert.Contains("service Authing, not WeCom", DirectoryInstance.Mismatch(planned, new DirectoryInstance { Service = "WeCom", CorpId = "ww1" }));
        }

        [Fact]
        public void RunLog_CountsStaleResults_AndTheReaderGivesThemBack()
        {
            string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wecomsync-drift-" + Guid.NewGuid().ToString("N"));
            try
            {
                RunRecord record;
                using (var run = RunLogWriter.Start(root, "apply"))
                {
                    var step = run.BeginStep("users");
                    var change = Update("u1", U("u1", "a", null), U("u1", "b", null), 1);
                    step.Record(DriftCheck.Stale(change, "user u1 no longer exists"));
                    step.Record(Results.Succeeded(Update("u2", U("u2", "a", null), U("u2", "b", null), 2)));
                    step.Complete();
                    record = run.Complete();
                }
                Assert.Equal(1, record.Stale);
                Assert.Equal(1, record.Updated);
                Assert.Equal(0, record.Skipped);
                Assert.Equal(RunStatus.Succeeded, record.Status);
                var back = RunLogReader.GetRuns(root).Single();
                Assert.Equal(1, back.Stale);
                Assert.Equal(1, back.Steps.Single().Stale);
                Assert.Equal(Outcome.Stale, RunLogReader.ReadResults(back).First().Outcome);
            }
            finally
            {
                if (System.IO.Directory.Exists(root)) System.IO.Directory.Delete(root, true);
            }
        }
    }
}
