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
    /// <summary>
    /// "Already applied is not Stale": a saved plan re-applied where the target already holds what it wants makes no
    /// call and is counted apart; a target that holds something else is still Stale.
    /// </summary>
    public class AlreadyAppliedTests
    {
        private static User U(string id, string name, string mobile, bool? enabled = true) => new User
        {
            UserId = id, SourceId = "a-" + id, Name = name, Mobile = mobile, Enabled = enabled, Departments = new List<string> { "公司/研发部" }, Source = DirectorySource.Authing,
        };

        private static Change MobileUpdate(string id, string from, string to, int seq) => new Change
        {
            Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = id, Sequence = seq,
            Current = U(id, "用户", from), Desired = U(id, "用户", to), Fields = { new FieldChange("Mobile", from, to) },
        };

        private sealed class Target : IChangeApplier, IDriftReader
        {
            public readonly Dictionary<string, DirectoryObject> Now = new Dictionary<string, DirectoryObject>(StringComparer.Ordinal);
            public readonly ConcurrentQueue<string> Written = new ConcurrentQueue<string>();
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
                var answer = new Dictionary<Change, DirectoryObject>();
                foreach (var c in changes) answer[c] = Now.TryGetValue(c.Key, out var o) ? o : null;
                return Task.FromResult((IReadOnlyDictionary<Change, DirectoryObject>)answer);
            }
        }

        [Fact]
        public void The_wanted_mobile_already_there_is_AlreadyApplied_not_Stale_and_another_mobile_is_Stale()
        {
            var change = MobileUpdate("u1", "+86 17800000001", "+86 13900000001", 1);
            // The case: "Mobile was +86 178… in the plan, is +86 139… now", where +86 139… is what the plan wants.
            var done = DriftCheck.Check(change, U("u1", "用户", "13900000001"));
            Assert.Equal(Outcome.AlreadyApplied, done.Outcome);
            Assert.Contains("already applied", done.Error);
            Assert.Contains("Mobile", done.Error);

            var stale = DriftCheck.Check(change, U("u1", "用户", "+86 13600000000"));
            Assert.Equal(Outcome.Stale, stale.Outcome);
            Assert.Contains("Mobile was +86 17800000001 in the plan, is +86 13600000000 now", stale.Error);

            Assert.Null(DriftCheck.Check(change, U("u1", "用户", "+86 17800000001")));   // untouched: applied as planned
            // Unknown is never the wanted value: a re-read without the mobile is neither applied nor drift.
            Assert.Null(DriftCheck.Check(change, U("u1", "用户", null)));
        }

        [Fact]
        public void Half_applied_update_is_applied_not_Stale_and_deletes_suspends_and_creates_already_there_are_AlreadyApplied()
        {
            // Name already at its new value, mobile not yet (a run stopped half way): the rest is applied, not Stale.
            var half = new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "u2", Current = U("u2", "旧名", "+86 13900000002"), Desired = U("u2", "新名", "+86 13900000003"),
                Fields = { new FieldChange("Name", "旧名", "新名"), new FieldChange("Mobile", "+86 13900000002", "+86 13900000003") },
            };
            Assert.Null(DriftCheck.Check(half, U("u2", "新名", "+86 13900000002")));

            var delete = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "u3", Current = U("u3", "王", null) };
            Assert.Equal(Outcome.AlreadyApplied, DriftCheck.Check(delete, null).Outcome);
            var suspend = new Change { Operation = ChangeOperation.Suspend, Kind = ObjectKind.User, Key = "u4", Current = U("u4", "赵", null) };
            Assert.Equal(Outcome.AlreadyApplied, DriftCheck.Check(suspend, U("u4", "赵", null, enabled: false)).Outcome);
            Assert.Null(DriftCheck.Check(suspend, U("u4", "赵", null)));

            var create = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "u5", Desired = U("u5", "钱", "+86 13900000005") };
            Assert.Equal(Outcome.AlreadyApplied, DriftCheck.Check(create, U("u5", "钱", "13900000005")).Outcome);
            Assert.Equal(Outcome.Stale, DriftCheck.Check(create, U("u5", "钱二", "13900000005")).Outcome);      // someone else's user
            var unlinked = U("u5", "钱", "13900000005");
            unlinked.UserId = null;
            Assert.Equal(Outcome.Stale, DriftCheck.Check(create, unlinked).Outcome);                           // exists, but not linked: not ours

            var rename = new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.Department, Key = "公司/市场部",
                Current = new Department { Key = "d1", SourceId = "d1", Name = "销售部", ParentLinkId = "公司", LinkId = "公司/销售部" },
                Desired = new Department { Key = "公司/市场部", Name = "市场部", ParentLinkId = "公司", LinkId = "公司/市场部" },
                Fields = { new FieldChange("Name", "销售部", "市场部"), new FieldChange("LinkId", "公司/销售部", "公司/市场部") },
            };
            Assert.Equal(Outcome.AlreadyApplied, DriftCheck.Check(rename, new Department { Key = "d1", Name = "市场部", ParentLinkId = "公司", LinkId = "公司/市场部" }).Outcome);
        }

        [Fact]
        public void A_saved_plan_applied_twice_makes_no_call_the_second_time_and_the_step_counts_them_apart()
        {
            var target = new Target();
            var changes = Enumerable.Range(1, 4).Select(i => MobileUpdate("u" + i, "+86 1780000000" + i, "+86 1390000000" + i, i)).ToList();
            foreach (var c in changes) target.Now[c.Key] = ((User)c.Desired).Clone();   // the first apply went through
            target.Now["u4"] = U("u4", "用户", "+86 13600000000");                       // then someone set another mobile

            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { CheckDrift = true }).Apply(changes, target);

            Assert.Empty(target.Written);
            Assert.Equal(new[] { Outcome.AlreadyApplied, Outcome.AlreadyApplied, Outcome.AlreadyApplied, Outcome.Stale }, results.Select(r => r.Outcome));

            using (var run = RunLogWriter.Start(null, "Sync-AuthingUser"))
            {
                var step = run.BeginStep("users");
                foreach (var r in results) step.Record(r);
                step.Complete();
                var record = run.Complete();
                Assert.Equal((3, 1, 0, RunStatus.Succeeded), (record.AlreadyApplied, record.Stale, record.Updated, record.Status));
            }
        }

        [Fact]
        public void OverrideStale_applies_the_drifted_change_but_still_sends_nothing_already_applied()
        {
            var target = new Target();
            var done = MobileUpdate("u1", "+86 17800000001", "+86 13900000001", 1);
            var drifted = MobileUpdate("u2", "+86 17800000002", "+86 13900000002", 2);
            target.Now["u1"] = U("u1", "用户", "+86 13900000001");
            target.Now["u2"] = U("u2", "用户", "+86 13600000000");

            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { CheckDrift = true, OverrideStale = true }).Apply(new[] { done, drifted }, target);

            Assert.Equal(new[] { Outcome.AlreadyApplied, Outcome.Succeeded }, results.Select(r => r.Outcome));
            Assert.Equal(new[] { "u2" }, target.Written);
        }
    }
}
