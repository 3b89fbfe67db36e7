using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Apply
{
    public class PlanApplierTests
    {
        /// <summary>One stage per department depth (parents first), deletes last; records concurrency and order.</summary>
        private sealed class FakeApplier : IChangeApplier
        {
            public readonly ConcurrentQueue<string> Applied = new ConcurrentQueue<string>();
            public int InFlight, MaxInFlight, Prepared;
            public Func<Change, Result> Outcome = c => Results.Succeeded(c, "id-" + c.Key);
            public string TargetName => "Fake";
            public string DescribeTarget(Change change) => change.Key;
            public string DescribeAction(Change change) => change.Operation.ToString();
            public Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken) { Prepared++; return Task.CompletedTask; }
            public IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved)
            {
                foreach (var level in approved.Where(c => c.Operation != ChangeOperation.Delete).GroupBy(c => c.Key.Count(ch => ch == '/')).OrderBy(g => g.Key))
                    yield return new ApplyStage("level " + level.Key, level.Select(c => new ApplyStep(c, ct => Run(c))));
                yield return new ApplyStage("deletes", approved.Where(c => c.Operation == ChangeOperation.Delete).Select(c => new ApplyStep(c, ct => Run(c))));
            }
            private async Task<Result> Run(Change c)
            {
                int now = Interlocked.Increment(ref InFlight);
                lock (this) MaxInFlight = Math.Max(MaxInFlight, now);
                await Task.Delay(20);
                Applied.Enqueue(c.Key);
                Interlocked.Decrement(ref InFlight);
                return Outcome(c);
            }
        }

        private static Change C(string key, ChangeOperation op, int seq, PlanContext plan = null) =>
            new Change { Key = key, Operation = op, Kind = ObjectKind.Department, Sequence = seq, Plan = plan };

        [Fact]
        public void Every_decision_is_taken_first_on_the_callers_thread_and_declined_changes_are_not_applied()
        {
            var host = new RecordingHost { Decide = (t, a) => t != "a/b" };
            var applier = new FakeApplier();
            var results = new PlanApplier(host).Apply(new[] { C("a", ChangeOperation.Create, 1), C("a/b", ChangeOperation.Create, 2), C("a/c", ChangeOperation.Create, 3) }, applier);
            Assert.Equal(3, host.Prompts.Count);
            Assert.False(host.CalledOffThread);
            Assert.Equal(new[] { "a", "a/c" }, results.Select(r => r.Change.Key));
            Assert.DoesNotContain("a/b", applier.Applied);
        }

        [Fact]
        public void WhatIf_declining_everything_runs_nothing_not_even_prepare()
        {
            var host = new RecordingHost { Decide = (_, __) => false };
            var applier = new FakeApplier();
            var results = new PlanApplier(host).Apply(new[] { C("a", ChangeOperation.Create, 1) }, applier);
            Assert.Empty(results);
            Assert.Equal(0, applier.Prepared);
            Assert.Empty(applier.Applied);
        }

        [Fact]
        public void Stages_run_in_order_parents_before_children_with_bounded_parallelism()
        {
            var changes = new List<Change> { C("a", ChangeOperation.Create, 0) };
            for (int i = 0; i < 12; i++) changes.Add(C("a/" + i, ChangeOperation.Create, i + 1));
            changes.Add(C("a/0/x", ChangeOperation.Create, 20));
            var applier = new FakeApplier();
            var host = new RecordingHost();
            var results = new PlanApplier(host, new ApplyOptions { ThrottleLimit = 3 }).Apply(changes, applier);
            var order = applier.Applied.ToList();
            Assert.Equal("a", order.First());
            Assert.Equal("a/0/x", order.Last());
            Assert.InRange(applier.MaxInFlight, 2, 3);
            Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(changes.Select(c => c.Key), results.Select(r => r.Change.Key));
            Assert.False(host.CalledOffThread);
            Assert.Equal(100, host.Progress.Last());
        }

        [Fact]
        public void One_at_a_time_applies_a_level_in_the_plans_order_even_with_the_thread_pool_busy()
        {
            // The steps of a stage once raced to the gate (one Task.Run each): on a busy 2-core machine a later sibling
            // could start first, and AuthingSyncEndToEndTests' fault on the first department create hit 销售部 instead
            // of 研发部. Keep the pool's threads busy so that the steps' tasks start in whatever order the pool picks.
            var changes = new List<Change> { C("a", ChangeOperation.Create, 0) };
            for (int i = 0; i < 30; i++) changes.Add(C("a/" + i, ChangeOperation.Create, i + 1));
            var applier = new FakeApplier();
            using (var busy = new CancellationTokenSource())
            {
                var spinners = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => Task.Run(() => { while (!busy.IsCancellationRequested) Thread.SpinWait(1000); })).ToArray();
                try
                {
                    var results = new PlanApplier(new RecordingHost(), new ApplyOptions { ThrottleLimit = 1 }).Apply(changes, applier);
                    Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
                }
                finally
                {
                    busy.Cancel();
                    Task.WaitAll(spinners);
                }
            }
            Assert.Equal(changes.Select(c => c.Key), applier.Applied);
            Assert.Equal(1, applier.MaxInFlight);
        }

        [Fact]
        public void Delete_guard_stops_before_any_write_judged_against_the_plan_context()
        {
            var plan = new PlanContext { TargetCount = 10 };
            var changes = new[] { C("new", ChangeOperation.Create, 0), C("x", ChangeOperation.Delete, 1, plan), C("y", ChangeOperation.Delete, 2, plan) };
            var applier = new FakeApplier();
            var e = Assert.Throws<DeleteGuardException>(() => new PlanApplier(new RecordingHost(), new ApplyOptions { DeleteGuard = new DeleteGuard { MaxDeletePercent = 15 } }).Apply(changes, applier));
            Assert.Equal(2, e.DeleteCount);
            Assert.Equal(10, e.TargetCount);
            Assert.Contains("-MaxDeletePercent", e.Message);
            Assert.Empty(applier.Applied);
        }

        [Fact]
        public void Delete_guard_with_Force_lets_deletes_through()
        {
            var plan = new PlanContext { TargetCount = 2 };
            var applier = new FakeApplier();
            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { DeleteGuard = new DeleteGuard { Force = true } })
                .Apply(new[] { C("x", ChangeOperation.Delete, 1, plan), C("y", ChangeOperation.Delete, 2, plan) }, applier);
            Assert.Equal(2, results.Count(r => r.Outcome == Outcome.Succeeded));
        }

        [Fact]
        public void WhatIf_warns_when_the_real_run_would_stop_at_the_guard()
        {
            var plan = new PlanContext { TargetCount = 2 };
            var host = new RecordingHost { Decide = (_, __) => false };
            new PlanApplier(host).Apply(new[] { C("x", ChangeOperation.Delete, 1, plan), C("y", ChangeOperation.Delete, 2, plan) }, new FakeApplier());
            Assert.Single(host.Warnings);
        }

        [Fact]
        public void Conflicts_are_skipped_without_a_prompt()
        {
            var host = new RecordingHost();
            var conflict = C("dup", ChangeOperation.Conflict, 1);
            conflict.Reason = "two users match";
            var results = new PlanApplier(host).Apply(new[] { conflict }, new FakeApplier());
            Assert.Empty(host.Prompts);
            Assert.Equal(Outcome.Skipped, Assert.Single(results).Outcome);
            Assert.Equal("two users match", results[0].Error);
        }

        [Fact]
        public void A_step_that_throws_fails_only_its_own_changes_with_the_api_code()
        {
            var applier = new FakeApplier { Outcome = c => c.Key == "a/1" ? throw new WeComSync.Http.ApiException("Authing", "create-department", "400", "bad name", WeComSync.Authing.AuthingErrorCodes.Find(400)) : Results.Succeeded(c) };
            var results = new PlanApplier(new RecordingHost()).Apply(new[] { C("a/1", ChangeOperation.Create, 1), C("a/2", ChangeOperation.Create, 2) }, applier);
            Assert.Equal(Outcome.Failed, results[0].Outcome);
            Assert.Equal("400", results[0].ErrorCode);
            Assert.Equal("bad name.", results[0].Error); // the API's message as a sentence (then the advice, when there is one)
            Assert.Equal(Outcome.Succeeded, results[1].Outcome);
        }

        [Fact]
        public void Cancelled_run_reports_unstarted_changes_as_skipped()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var results = new PlanApplier(new RecordingHost { CancellationToken = cts.Token }, new ApplyOptions { ThrottleLimit = 1 })
                .Apply(new[] { C("a", ChangeOperation.Create, 1) }, new FakeApplier());
            Assert.All(results, r => Assert.Equal(Outcome.Skipped, r.Outcome));
        }
    }
}
