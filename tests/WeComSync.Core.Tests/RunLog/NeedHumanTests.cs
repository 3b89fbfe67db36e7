using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeComSync.Model;
using WeComSync.RunLog;
using Xunit;

namespace WeComSync.Core.Tests.RunLog
{
    /// <summary>
    /// What a run left for a person, read back from its plan.json (Get-WeComSyncLog -Run lists it after the steps): the
    /// conflicts of every plan, in plan order, for a dry run and a real one, as written (masked when the run masked).
    /// </summary>
    public sealed class NeedHumanTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "wecomsync-needhuman-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, true);
        }

        private static Change Create(string id) => new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = id, Desired = new User { UserId = id, Name = "名" + id } };

        private static Change Twin(string id) => new Change
        {
            Operation = ChangeOperation.Conflict, Kind = ObjectKind.User, Key = id,
            Desired = new User { UserId = id, Name = "李四", Mobile = "+86 13800001234" },
            Candidates = new List<DirectoryObject> { new User { UserId = id, Name = "李四" }, new User { UserId = id, Name = "李思" } },
            Reason = $"2 reference users have userid '{id}' (contacts.xlsx row 5; contacts.xlsx row 9); keep one",
        };

        private RunRecord Write(bool whatIf, bool mask, params (string Step, Change[] Changes)[] plans)
        {
            using (var run = RunLogWriter.Start(_root, "upstream-createupdate", new RunLogOptions { WhatIf = whatIf, MaskPersonalData = mask }))
            {
                foreach (var plan in plans)
                {
                    run.WritePlan(plan.Step, plan.Changes);
                    run.BeginStep(plan.Step).Complete(whatIf ? RunStatus.Skipped : RunStatus.Succeeded);
                }
                return run.Complete();
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void The_conflicts_of_every_plan_in_plan_order_with_who_why_and_what_they_could_be(bool whatIf)
        {
            var department = new Change
            {
                Operation = ChangeOperation.Conflict, Kind = ObjectKind.Department, Key = "示例科技/研发部",
                Desired = new Department { Key = "示例科技/研发部", Path = "示例科技/研发部", Name = "研发部" }, Reason = "two departments share the path",
            };
            var record = Write(whatIf, false,
                ("departments", new[] { department }),
                ("users", new[] { Create("zhangsan"), Twin("lisi"), Create("wangwu"), Twin("zhaoliu") }));

            var human = RunLogReader.GetNeedHuman(RunLogReader.FindRun(_root, record.ShortId));

            Assert.Equal(new[] { "示例科技/研发部", "lisi", "zhaoliu" }, human.Select(h => h.Key));
            Assert.Equal(new[] { "departments", "users", "users" }, human.Select(h => h.Step));
            Assert.All(human, h => Assert.Equal(whatIf, h.WhatIf));
            Assert.All(human, h => Assert.Equal(record.RunId, h.RunId));
            var lisi = human[1];
            Assert.Equal(ObjectKind.User, lisi.Kind);
            Assert.Equal("李四", lisi.Name);
            Assert.Contains("keep one", lisi.Reason);
            Assert.Equal(new[] { "lisi (李四)", "lisi (李思)" }, lisi.Candidates);
            Assert.Equal("示例科技/研发部", human[0].Name);   // a department by its path
            Assert.Equal($"lisi (李四): {lisi.Reason}", lisi.ToString());
        }

        [Fact]
        public void A_run_with_no_conflict_no_plan_or_a_damaged_plan_file_gives_what_it_can_and_never_throws()
        {
            var clean = Write(false, false, ("users", new[] { Create("zhangsan") }));
            Assert.Empty(RunLogReader.GetNeedHuman(RunLogReader.FindRun(_root, clean.ShortId)));
            Assert.Empty(RunLogReader.GetNeedHuman(new RunRecord { RunId = "x" }));   // kept in memory: no folder

            var cut = Write(false, false, ("users", new[] { Twin("lisi"), Create("zhangsan"), Twin("zhaoliu") }));
            string plan = Path.Combine(cut.Path, RunLogFiles.Plan);
            string text = File.ReadAllText(plan);
            File.WriteAllText(plan, text.Substring(0, text.IndexOf("zhaoliu", StringComparison.Ordinal)));   // a process killed mid-write
            Assert.Equal(new[] { "lisi" }, RunLogReader.GetNeedHuman(RunLogReader.FindRun(_root, cut.ShortId)).Select(h => h.Key));
        }

        [Fact]
        public void A_masked_run_shows_the_object_as_it_was_written_masked()
        {
            var record = Write(false, true, ("users", new[] { Twin("lisi") }));
            var human = RunLogReader.GetNeedHuman(RunLogReader.FindRun(_root, record.ShortId)).Single();
            Assert.Equal("lisi", human.Key);
            Assert.DoesNotContain("13800001234", File.ReadAllText(Path.Combine(record.Path, RunLogFiles.Plan)));
        }

        [Fact]
        public void A_large_plan_is_read_one_change_at_a_time_and_only_its_conflicts_kept()
        {
            var changes = Enumerable.Range(0, 20000).Select(i => i % 5000 == 17 ? Twin($"u{i}") : Create($"u{i}")).ToArray();
            var record = Write(false, false, ("users", changes));
            var human = RunLogReader.GetNeedHuman(RunLogReader.FindRun(_root, record.ShortId));
            Assert.Equal(new[] { "u17", "u5017", "u10017", "u15017" }, human.Select(h => h.Key));
        }
    }
}
