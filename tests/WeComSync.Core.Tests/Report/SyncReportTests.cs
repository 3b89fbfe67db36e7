using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.Report;
using WeComSync.RunLog;
using Xunit;

namespace WeComSync.Core.Tests.Report
{
    public sealed class SyncReportTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "wecomsync-report-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, true);
        }

        private static User U(string id, string name, string mobile, string email, params string[] departments) => new User
        {
            UserId = id, Name = name, Mobile = mobile, Email = email, Departments = departments.ToList(), Source = DirectorySource.WeComExport,
            Origin = $"contacts.xlsx, sheet 成员, row {id.Length + 2}",
        };

        private static Department D(string path, string linkId = null, long? order = null)
        {
            int slash = path.LastIndexOf('/');
            return new Department
            {
                Key = path, Path = path, Name = path.Substring(slash + 1), ParentKey = slash > 0 ? path.Substring(0, slash) : null,
                LinkId = linkId ?? path, ParentLinkId = slash > 0 ? path.Substring(0, slash) : null, Depth = path.Count(c => c == '/'), Order = order,
            };
        }

        /// <summary>A user plan (1 create, 1 update, 1 delete, 1 conflict) and a department plan (create, move, rename, delete).</summary>
        private static List<Change> Plan()
        {
            var source = new List<User>
            {
                U("zhangsan", "张三", "+86 13800001111", "zhangsan@acme.cn", "公司/研发部"),
                U("lisi", "李四", "+86 13800002222", "lisi@acme.cn", "公司/研发部/后端组"),
            };
            var target = new List<User>
            {
                new User { UserId = "lisi", Name = "李四", Mobile = "+86 13900002222", Email = "lisi@acme.cn", Departments = new List<string> { "公司/研发部" }, Source = DirectorySource.Authing, SourceId = "a2" },
                new User { UserId = "wangwu", Name = "王五", Mobile = "+86 13700003333", Departments = new List<string> { "公司/市场部" }, Source = DirectorySource.Authing, SourceId = "a3" },
            };
            var users = DirectoryComparer.CompareUsers(source, target, new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete }).Changes;

            var departments = new List<Change>
            {
                new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = "公司/研发部/后端组", Desired = D("公司/研发部/后端组"), Sequence = 1 },
                new Change { Operation = ChangeOperation.Move, Kind = ObjectKind.Department, Key = "公司/产品部/设计组", Desired = D("公司/产品部/设计组"), Current = D("公司/研发部/设计组"), Sequence = 2,
                    Fields = { new FieldChange("ParentKey", "公司/研发部", "公司/产品部") } },
                new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.Department, Key = "公司/市场与销售部", Desired = D("公司/市场与销售部"), Current = D("公司/市场部"), Sequence = 3,
                    Fields = { new FieldChange("Name", "市场部", "市场与销售部") } },
                new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.Department, Key = "公司/旧部门", Current = D("公司/旧部门"), Sequence = 4 },
            };
            var conflict = new Change
            {
                Operation = ChangeOperation.Conflict, Kind = ObjectKind.User, Key = "zhaoliu", Desired = U("zhaoliu", "赵六", null, null, "公司"),
                Reason = "two Authing users have the username zhaoliu", Candidates = new List<DirectoryObject> { new User { UserId = "zhaoliu" }, new User { UserId = "zhaoliu2" } },
            };
            int seq = 0;
            var all = departments.Concat(users).Concat(new[] { conflict }).ToList();
            foreach (var c in all) c.Sequence = ++seq;
            return all;
        }

        private static string Html(SyncReport report)
        {
            var w = new StringWriter();
            SyncReportHtml.Write(report, w);
            return w.ToString();
        }

        private static JObject Data(string html)
        {
            var m = Regex.Match(html, "<script type=\"application/json\" id=\"report-data\">(.*?)</script>", RegexOptions.Singleline);
            Assert.True(m.Success, "the page embeds its data");
            return JObject.Parse(m.Groups[1].Value);
        }

        [Fact]
        public void PlanReport_HasARowPerChange_WithFieldsOldToNew_AndCreateValues()
        {
            var plan = Plan();
            var report = SyncReportBuilder.FromPlan(plan, null);

            Assert.Equal("plan", report.Kind);
            Assert.False(report.HasOutcomes);
            Assert.Equal(plan.Count, report.Rows.Count);
            var update = report.Rows.Single(r => r.Key == "lisi");
            Assert.Equal("Update", update.Operation);
            var mobile = update.Fields.Single(f => f.Field == "Mobile");
            Assert.Equal("+86 13900002222", mobile.Old);
            Assert.Equal("+86 13800002222", mobile.New);
            Assert.Equal("公司/研发部/后端组", update.Fields.Single(f => f.Field == "Departments").New);

            // A create shows what it writes; a delete shows who goes.
            var create = report.Rows.Single(r => r.Key == "zhangsan");
            Assert.Equal("张三", create.Name);
            Assert.Contains(create.Fields, f => f.Field == "Mobile" && f.Old == null && f.New == "+86 13800001111");
            Assert.Equal("王五", report.Rows.Single(r => r.Key == "wangwu" && r.Operation == "Delete").Name);
            Assert.Contains("zhaoliu2", report.Rows.Single(r => r.Operation == "Conflict").Error);

            var counts = report.Tables.Single(t => t.Heading == "Changes by operation");
            Assert.Equal(new[] { "Create", "1", "1", "2" }, counts.Rows.Single(r => r[0] == "Create"));
            Assert.Equal(new[] { "Total", "4", "4", "8" }, counts.Rows.Last());
            var planLines = report.Sections.Single(s => s.Heading == "Plan").Lines;
            Assert.Contains(planLines, l => l.Key == "Computed from" && l.Value.Contains("WeCom export contacts.xlsx") && l.Value.Contains("held: Authing"));
            Assert.Contains(planLines, l => l.Key == "Users compared" && l.Value == "2 wanted (source) with 2 held (target)");
        }

        [Fact]
        public void PlanReport_ContextsCopiedPerChange_AreShownOnce()
        {
            var plan = Plan().Where(c => c.Kind == ObjectKind.User && c.Plan != null).ToList();
            // As Import-Clixml gives them back: every change with its own copy of the same context.
            foreach (var c in plan) c.Plan = new PlanContext { Kind = c.Plan.Kind, ComputedAt = c.Plan.ComputedAt, SourceCount = 2, TargetCount = 2, CreateCount = 1, UpdateCount = 1, DeleteCount = 1 };
            var report = SyncReportBuilder.FromPlan(plan, null);
            Assert.Single(report.Sections.Single(s => s.Heading == "Plan").Lines, l => l.Key == "Users");
        }

        [Fact]
        public void FilteredPlan_SummaryCountsTheChangesGiven_AndSaysHowManyThePlanHad()
        {
            // As after Where-Object Operation -eq Update: one change of a plan of three (1 create, 1 update, 1 delete).
            var update = Plan().Where(c => c.Kind == ObjectKind.User && c.Operation == ChangeOperation.Update).ToList();
            Assert.Equal(3, update[0].Plan.ChangeCount());
            var report = SyncReportBuilder.FromPlan(update, null);

            var lines = report.Sections.Single(s => s.Heading == "Plan").Lines;
            Assert.Equal("Plan: 0 to create, 1 to update, 0 to move, 0 to delete.", lines.Single(l => l.Key == "Users").Value);
            Assert.Equal("1 of the plan's 3 changes; the whole plan: 1 to create, 1 to update, 0 to move, 1 to delete", lines.Single(l => l.Key == "Users given").Value);
            Assert.Equal(new[] { "Total", "1", "0", "1" }, report.Tables.Single().Rows.Last());
            Assert.Equal(1, Assert.Single(report.Tree).UsersInBranch);

            // The whole plan given: no "given" line, the summary as the plan's own.
            var whole = SyncReportBuilder.FromPlan(Plan().Where(c => c.Kind == ObjectKind.User && c.Plan != null), null).Sections.Single(s => s.Heading == "Plan").Lines;
            Assert.Equal("Plan: 1 to create, 1 to update, 0 to move, 1 to delete.", whole.Single(l => l.Key == "Users").Value);
            Assert.DoesNotContain(whole, l => l.Key == "Users given");
        }

        [Fact]
        public void ConsoleHeading_NamesThePlanAndItsSize_NeverCountsPerOperation()
        {
            // The console draws it from the first change of a stream it cannot count ahead: after Where-Object
            // "1 to create, 1 to update" above one row would be false, "3 changes in all" is true of any part.
            var context = Plan().First(c => c.Kind == ObjectKind.User && c.Plan != null).Plan;
            context.ComputedAt = new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(8));
            Assert.Equal("users, computed 2025-03-01 02:00:00, 3 changes in all", PlanText.Heading(context));
            context.Scope = "公司/研发部 (subtrees)";
            Assert.Equal("users, computed 2025-03-01 02:00:00, 3 changes in all (scope: 公司/研发部 (subtrees))", PlanText.Heading(context));
        }

        [Fact]
        public void Tree_CountsAUserInTwoDepartmentsOnceInTheBranchThatHoldsBoth()
        {
            var twoDepartments = new Change
            {
                Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "zhangsan", Sequence = 1,
                Desired = U("zhangsan", "张三", "+86 13800001111", null, "公司/研发部/后端组", "公司/研发部/前端组"),
            };
            var oneDepartment = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "lisi", Sequence = 2, Desired = U("lisi", "李四", null, null, "公司/研发部/后端组") };
            var report = SyncReportBuilder.FromPlan(new[] { twoDepartments, oneDepartment }, null);
            var branch = Flatten(report.Tree).Single(n => n.Path == "公司/研发部");
            Assert.Equal(2, branch.UsersInBranch);                                   // two user changes, three memberships
            Assert.Equal(2, Flatten(report.Tree).Single(n => n.Path == "公司").UsersInBranch);
            Assert.Equal(2, Flatten(report.Tree).Single(n => n.Path == "公司/研发部/后端组").Users["Create"]);
            Assert.Equal(1, Flatten(report.Tree).Single(n => n.Path == "公司/研发部/前端组").Users["Create"]);
            Assert.Contains("2 user change(s)", Html(report));
            Assert.DoesNotContain("3 user change(s)", Html(report));
        }

        [Fact]
        public void Create_ListsOnlyTheFieldsItSets_NotTheOnesKnownToBeEmpty()
        {
            var user = U("zhangsan", "张三", "+86 13800001111", null, "公司/研发部");
            user.Alias = "";         // known to be empty: a create writes nothing for it
            user.Position = "工程师";
            var report = SyncReportBuilder.FromPlan(new[] { new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "zhangsan", Desired = user, Sequence = 1 } }, null);
            var fields = report.Rows.Single().Fields;
            Assert.DoesNotContain(fields, f => f.Field == "Alias" || f.Field == "Email");
            Assert.Contains(fields, f => f.Field == "Position" && f.New == "工程师" && f.Old == null);
            Assert.All(fields, f => Assert.False(string.IsNullOrEmpty(f.New), f.Field + " is listed without a value"));
        }

        [Fact]
        public void Reasons_NameTheSidesAsAnAdminReadsThem_NotTheComparersTerms()
        {
            var report = SyncReportBuilder.FromPlan(Plan(), null);
            Assert.Equal("in the WeCom export, not in Authing", report.Rows.Single(r => r.Key == "zhangsan").Reason);
            Assert.Equal("in Authing, not in the WeCom export", report.Rows.Single(r => r.Key == "wangwu" && r.Operation == "Delete").Reason);
            var texts = report.Rows.SelectMany(r => new[] { r.Reason, r.Error }).Concat(report.Sections.SelectMany(s => s.Lines.Select(l => l.Value))).Where(t => t != null);
            Assert.All(texts, t => Assert.DoesNotMatch("reference|difference", t));

            // Downstream: Authing is what is wanted, WeCom what holds.
            var wanted = new User { UserId = "zhangsan", Name = "张三", Source = DirectorySource.Authing };
            var held = new User { UserId = "gone", Name = "离职", Source = DirectorySource.WeComApi };
            var plan = DirectoryComparer.CompareUsers(new[] { wanted }, new[] { held }, new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Delete }).Changes;
            Assert.Equal("in Authing, not in WeCom", plan.Single(c => c.Operation == ChangeOperation.Create).Reason);
            Assert.Equal("in WeCom, not in Authing", plan.Single(c => c.Operation == ChangeOperation.Delete).Reason);
        }

        [Fact]
        public void DeleteGuard_SaysWhetherThePlannedDeletesStayWithinTheLimits()
        {
            var plan = Plan();
            var guard = SyncReportBuilder.FromPlan(plan, null).Sections.Single(s => s.Heading == "Delete guard").Lines;
            Assert.Contains(guard, l => l.Key == "Limits" && l.Value.StartsWith("-MaxDelete 500, -MaxDeletePercent 10"));
            // 1 of 2 Authing users is 50 %: over the default 10 %.
            Assert.Contains(guard, l => l.Key == "User deletes" && l.Value.StartsWith("1 of 2 (50%): over the limits"));
        }

        [Fact]
        public void Tree_ShowsWhatHappensToEachBranch()
        {
            var report = SyncReportBuilder.FromPlan(Plan(), null);
            var company = Assert.Single(report.Tree);
            Assert.Equal("公司", company.Name);
            BranchNode At(string path) => Flatten(report.Tree).Single(n => n.Path == path);

            Assert.Equal("created", At("公司/研发部/后端组").Action);
            Assert.Equal("moved", At("公司/产品部/设计组").Action);
            Assert.Equal("from 公司/研发部/设计组", At("公司/产品部/设计组").Note);
            Assert.Equal("renamed", At("公司/市场与销售部").Action);
            Assert.Equal("was 市场部", At("公司/市场与销售部").Note);
            Assert.Equal("deleted", At("公司/旧部门").Action);
            Assert.Null(At("公司/研发部").Action);   // only there as a parent
            Assert.Equal(1, At("公司/研发部").Users["Create"]);
            Assert.Equal(1, At("公司/研发部/后端组").Users["Update"]);
            Assert.Equal(1, At("公司/市场与销售部").Users["Delete"]);   // 市场部 is renamed: its members are counted under the new name

            Assert.Equal(1, company.Below["created"]);
            Assert.Equal(1, company.Below["moved"]);
            Assert.Equal(1, company.Below["renamed"]);
            Assert.Equal(1, company.Below["deleted"]);
            Assert.Equal(4, company.UsersInBranch);   // zhangsan, lisi, wangwu, and the conflict zhaoliu in 公司
        }

        private static IEnumerable<BranchNode> Flatten(IEnumerable<BranchNode> nodes) => nodes.SelectMany(n => new[] { n }.Concat(Flatten(n.Children)));

        [Fact]
        public void Results_AddOutcomesCodesAndWhatToDo()
        {
            var plan = Plan();
            var failed = plan.Single(c => c.Key == "lisi");
            var results = new[]
            {
                new Result { Change = failed, Outcome = Outcome.Failed, ErrorCode = "60104", Error = "mobile existed. Give the user another mobile.", Duration = TimeSpan.FromMilliseconds(40) },
                new Result { Change = plan.Single(c => c.Key == "zhangsan"), Outcome = Outcome.Succeeded, NewId = "a9" },
            };
            var report = SyncReportBuilder.FromPlan(plan.Where(c => c != failed), results);
            Assert.True(report.HasOutcomes);
            Assert.Equal(plan.Count, report.Rows.Count);
            var row = report.Rows.Single(r => r.Key == "lisi");
            Assert.Equal("Failed", row.Outcome);
            Assert.Equal("60104", row.ErrorCode);
            Assert.Contains("another mobile", row.Error);
            Assert.Null(report.Rows.Single(r => r.Key == "wangwu").Outcome);   // planned, not applied
            var outcome = report.Sections.Single(s => s.Heading == "Outcome").Lines;
            Assert.Contains(outcome, l => l.Key == "Failed" && l.Value == "1");
            Assert.Contains(report.Tables.Single().Columns, c => c == "Failed");
        }

        [Fact]
        public void MaskPersonalData_MasksMobilesAndEmails_KeepsIdsAndPaths_AndSecretsAreAlwaysRedacted()
        {
            var plan = Plan();
            plan.Single(c => c.Key == "lisi").Reason = "retry https://qyapi.weixin.qq.com/cgi-bin/user/get?access_token=SECRETTOKEN123&userid=lisi";
            string plain = Html(SyncReportBuilder.FromPlan(plan, null));
            string masked = Html(SyncReportBuilder.FromPlan(plan, null, new ReportOptions { MaskPersonalData = true }));

            Assert.Contains("+86 13800001111", plain);
            Assert.Contains("zhangsan@acme.cn", plain);
            Assert.DoesNotContain("13800001111", masked);
            Assert.DoesNotContain("zhangsan@acme.cn", masked);
            Assert.Contains("+86 138****1111", masked);
            Assert.Contains("z***@acme.cn", masked);
            Assert.Contains("\"zhangsan\"", masked);                         // the key stays readable
            Assert.Contains("公司/研发部/后端组", masked);
            Assert.Contains("masked on request", masked);
            foreach (var html in new[] { plain, masked }) Assert.DoesNotContain("SECRETTOKEN123", html);
        }

        [Fact]
        public void Html_IsSelfContained_AndTextCannotBreakOutOfTheData()
        {
            var plan = Plan();
            ((User)plan.Single(c => c.Key == "zhangsan").Desired).Name = "</script><script>alert(1)</script><img src=x>";
            string html = Html(SyncReportBuilder.FromPlan(plan, null));

            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.DoesNotContain("<script>alert(1)", html);
            Assert.DoesNotContain("<img", html);
            // Nothing is loaded from elsewhere: no external script, style sheet, font or image.
            Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
            Assert.DoesNotContain("@import", html);
            Assert.DoesNotContain("url(", html);
            Assert.Equal(2, Regex.Matches(html, "<script").Count);       // the data block and the inline script, no other
            Assert.Contains("document.body.setAttribute('data-ready'", html);

            var data = Data(html);
            Assert.Equal(plan.Count, ((JArray)data["rows"]).Count);
            var row = ((JArray)data["rows"]).Single(r => (string)r[5] == "zhangsan");
            Assert.Equal("</script><script>alert(1)</script><img src=x>", (string)row[6]);   // the text itself survives, escaped
            Assert.Contains("data-action=\"moved\"", html);
            Assert.Contains("<td class=\"Create\">Create</td><td>1</td><td>1</td><td>2</td>", html);
        }

        [Fact]
        public void Html_NamesTheCommonCjkFontFamilies_AfterTheLatinOnes_SoChineseFindsAFontOnEachPlatform()
        {
            string html = Html(SyncReportBuilder.FromPlan(Plan(), null));
            var stack = Regex.Match(html, "--cjk: ([^;]+);").Groups[1].Value;
            foreach (var family in new[] { "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei" })
                Assert.Contains($"\"{family}\"", stack);
            // Latin text keeps the system face; each Chinese character falls through to the first CJK family present.
            Assert.Matches("body \\{[^}]*font: 14px/1.45 system-ui, [^;]*var\\(--cjk\\), sans-serif;", html);
        }

        [Fact]
        public void EmptyPlan_SaysTheSidesAgree()
        {
            var report = SyncReportBuilder.FromPlan(new Change[0], null);
            Assert.Empty(report.Rows);
            Assert.Contains(report.Sections.Single(s => s.Heading == "Plan").Lines, l => l.Value.StartsWith("none"));
            Assert.Contains("No department changes", Html(report));
        }

        private static RunLogOptions At(DateTimeOffset start, bool mask = false)
        {
            var now = start;
            return new RunLogOptions { MaskPersonalData = mask, Clock = () => now = now.AddSeconds(1), Parameters = new Dictionary<string, object> { ["OrganizationCode"] = "acme", ["MaxDelete"] = 20 } };
        }

        private RunRecord WriteRun(DateTimeOffset start, bool mask, bool failDepartment)
        {
            var plan = Plan().Where(c => c.Operation != ChangeOperation.Conflict).ToList();
            using (var run = RunLogWriter.Start(_root, "upstream", At(start, mask)))
            {
                run.WritePlan("departments", plan.Where(c => c.Kind == ObjectKind.Department));
                run.WritePlan("users", plan.Where(c => c.Kind == ObjectKind.User));
                var step = run.BeginStep("departments");
                foreach (var c in plan.Where(c => c.Kind == ObjectKind.Department))
                    step.Record(failDepartment && c.Operation == ChangeOperation.Move
                        ? new Result { Change = c, Outcome = Outcome.Failed, ErrorCode = "60003", Error = "department not found. Read WeCom again." }
                        : new Result { Change = c, Outcome = Outcome.Succeeded });
                step.Complete();
                step = run.BeginStep("users");
                foreach (var c in plan.Where(c => c.Kind == ObjectKind.User)) step.Record(new Result { Change = c, Outcome = Outcome.Succeeded, NewId = "id-" + c.Key });
                step.Complete();
                run.Complete();
                return RunLogReader.ReadRun(run.Path);
            }
        }

        [Fact]
        public void ReadPlans_GivesBackTheChangesAndContextsARunWrote()
        {
            var run = WriteRun(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(8)), false, false);
            var plans = RunLogReader.ReadPlans(run);
            Assert.Equal(new[] { "departments", "users" }, plans.Select(p => p.Name));
            var move = plans[0].Changes.Single(c => c.Operation == ChangeOperation.Move);
            Assert.Equal("公司/研发部/设计组", ((Department)move.Current).Path);
            var update = plans[1].Changes.Single(c => c.Key == "lisi");
            Assert.Equal(new List<string> { "公司/研发部/后端组" }, update.Fields.Single(f => f.Field == "Departments").New);
            Assert.Equal(2, plans[1].Context.TargetCount);
            Assert.Equal(Environment.MachineName, run.Host);
        }

        [Fact]
        public void RunsReport_OneRun_HasStepsParametersPlanAndTheTreeWithOutcomes()
        {
            var run = WriteRun(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(8)), false, true);
            var report = SyncReportBuilder.FromRuns(new[] { run });

            Assert.Equal("runs", report.Kind);
            Assert.Empty(report.History.Skip(1));
            Assert.Equal(7, report.Rows.Count);
            Assert.Contains(report.Sections.Single(s => s.Heading == "Scope and parameters").Lines, l => l.Key == "OrganizationCode" && l.Value == "acme");
            Assert.Contains(report.Sections.Single(s => s.Heading == "Delete guard").Lines, l => l.Key == "Limits" && l.Value.StartsWith("-MaxDelete 20,"));
            Assert.Contains(report.Sections.Single(s => s.Heading == "Run").Lines, l => l.Key == "Status" && l.Value.StartsWith("PartiallyFailed"));
            var steps = report.Tables.Single(t => t.Heading == "Steps");
            Assert.Equal(new[] { "Step", "Status", "Read", "Created", "Updated", "Suspended", "Deleted", "Failed", "Skipped" }, steps.Columns.Take(9));
            Assert.Equal(new[] { "departments", "PartiallyFailed", "0", "1", "1", "0", "1", "1", "0" }, steps.Rows[0].Take(9));   // the move failed

            // The results carry no create values; the plan supplies them.
            var create = report.Rows.Single(r => r.Key == "zhangsan");
            Assert.Contains(create.Fields, f => f.Field == "Mobile" && f.New == "+86 13800001111");
            Assert.Equal("departments", report.Rows.Single(r => r.Operation == "Move").Step);
            var moved = Flatten(report.Tree).Single(n => n.Action == "moved");
            Assert.Equal("Failed", moved.Outcome);
            Assert.Contains("<span class=\"Failed\">Failed</span>", Html(report));
        }

        [Fact]
        public void RunsReport_LinksAnUndoAndTheRunItUndoes_BothWays()
        {
            var forward = WriteRun(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(8)), false, false);
            RunRecord undo;
            var options = At(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.FromHours(8)));
            options.Undoes = forward.RunId;
            using (var run = RunLogWriter.Start(_root, "undo", options))
            {
                var step = run.BeginStep("users");
                step.Record(new Result { Change = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "zhangsan", Current = new User { UserId = "zhangsan", Name = "张三" } }, Outcome = Outcome.Succeeded });
                step.Complete();
                run.Complete();
                undo = RunLogReader.ReadRun(run.Path);
            }
            Assert.Equal(forward.RunId, undo.Undoes);

            var both = SyncReportBuilder.FromRuns(new[] { forward, undo });
            var runs = both.Tables.Single(t => t.Heading == "Runs");
            Assert.Contains(runs.Rows, r => r[1] == $"undo ({undo.ShortId}), undoes upstream {forward.ShortId} of 2025-03-01 02:00:01 +08:00");
            Assert.Contains(runs.Rows, r => r[1] == $"upstream ({forward.ShortId}), undone by undo {undo.ShortId}");
            Assert.Contains(both.RunNames, n => n.EndsWith($"undo {undo.ShortId} (undoes {forward.ShortId})"));
            Assert.Contains(both.Sections.Single(s => s.Heading == "Runs").Lines, l => l.Key == $"undo {undo.ShortId}" && l.Value.StartsWith("undoes upstream"));

            // The undo alone: the run it undoes is named by its id.
            var alone = SyncReportBuilder.FromRuns(new[] { undo });
            Assert.Contains(alone.Sections.Single(s => s.Heading == "Run").Lines, l => l.Key == "Undoes" && l.Value == forward.RunId);
            // The forward run alone: the undo logged beside it names it.
            Assert.Contains(SyncReportBuilder.FromRuns(new[] { forward }).Sections.Single(s => s.Heading == "Run").Lines, l => l.Key == "Undone by" && l.Value.Contains(undo.RunId));
        }

        [Fact]
        public void RunsReport_CountsSuspendsApart_InTheStepsHistoryTableAndChart()
        {
            RunRecord Suspending(DateTimeOffset start)
            {
                using (var run = RunLogWriter.Start(_root, "upstream", At(start)))
                {
                    var step = run.BeginStep("delete users");
                    foreach (var key in new[] { "wangwu", "zhaoliu" })
                        step.Record(new Result { Change = new Change { Operation = ChangeOperation.Suspend, Kind = ObjectKind.User, Key = key, Current = new User { UserId = key, Name = key } }, Outcome = Outcome.Succeeded });
                    step.Complete();
                    run.Complete();
                    return RunLogReader.ReadRun(run.Path);
                }
            }
            var first = Suspending(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(8)));
            var one = SyncReportBuilder.FromRuns(new[] { first });
            var steps = one.Tables.Single(t => t.Heading == "Steps");
            int column = Array.IndexOf(steps.Columns.ToArray(), "Suspended");
            Assert.Equal(new[] { "2", "2" }, steps.Rows.Select(r => r[column]));             // the step and the total
            Assert.Equal("0", steps.Rows[0][Array.IndexOf(steps.Columns.ToArray(), "Updated")]);

            var second = Suspending(new DateTimeOffset(2025, 3, 2, 2, 0, 0, TimeSpan.FromHours(8)));
            var history = SyncReportBuilder.FromRuns(new[] { second, first });
            Assert.Equal(new[] { 2, 2 }, history.History.Select(h => h.Suspended));
            Assert.All(history.History, h => Assert.Equal(0, h.Updated));
            var runs = history.Tables.Single(t => t.Heading == "Runs");
            Assert.Equal("2", runs.Rows[0][Array.IndexOf(runs.Columns.ToArray(), "Suspended")]);
            Assert.Contains("2 suspended", Html(history));   // the bar's tooltip and the chart's legend name the series
        }

        [Fact]
        public void RunsReport_History_ChartsEachRunOldestFirst_AndMaskedLogsStayMaskedOnce()
        {
            var first = WriteRun(new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(8)), true, true);
            var second = WriteRun(new DateTimeOffset(2025, 3, 2, 2, 0, 0, TimeSpan.FromHours(8)), true, false);
            var report = SyncReportBuilder.FromRuns(new[] { second, first }, new ReportOptions { MaskPersonalData = true });

            Assert.Equal(new[] { first.RunId, second.RunId }, report.History.Select(h => h.RunId));
            Assert.Equal(1, report.History[0].Failed);
            Assert.Equal(2, report.History[1].Created);
            Assert.Equal(14, report.Rows.Count);
            Assert.Equal(new[] { 0, 1 }, report.Rows.Select(r => r.Run).Distinct());
            Assert.StartsWith("masked: the run log", report.Masking);
            // Masked when logged, and not masked a second time ("+86 138****1111", not "+86 13****11").
            Assert.Contains(report.Rows, r => r.Fields.Any(f => f.New == "+86 138****1111"));
            string html = Html(report);
            Assert.DoesNotContain("13800001111", html);
            Assert.Equal(2, Regex.Matches(html, "<g class=\"run\"").Count);
            Assert.Contains($"data-run=\"{first.RunId}\"", html);
            Assert.Contains("<th data-sort=\"1\">Run</th>", html);
        }
    }
}
