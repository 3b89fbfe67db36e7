using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.Apply
{
    /// <summary>
    /// Applies a plan to a target, the same way for every target system:
    /// <list type="number">
    /// <item>every ShouldProcess decision first, on the caller's thread (so -WhatIf and -Confirm behave as in any cmdlet
    /// and no worker ever touches the host); conflicts are reported as Skipped without a prompt;</item>
    /// <item>the delete guard on the approved deletes, judged against the plan context, before anything is written;</item>
    /// <item>the approved changes in the target's stages, each stage's steps with as many in flight as the service takes
    /// (<see cref="AdaptiveConcurrency"/>, at most ThrottleLimit);</item>
    /// <item>one <see cref="Result"/> per change, handed to the caller (and progress written) from the caller's thread only.</item>
    /// </list>
    /// </summary>
    public sealed class PlanApplier
    {
        private readonly IOutputWriter _host;
        private readonly ApplyOptions _options;
        private readonly ConcurrentQueue<string> _verbose = new ConcurrentQueue<string>();

        public PlanApplier(IOutputWriter host, ApplyOptions options = null)
        {
            _host = host ?? throw new ArgumentNullException(nameof(host));
            _options = options ?? new ApplyOptions();
        }

        /// <summary>Queue a verbose message from any thread; the caller's thread writes it. Wire transport traces here.</summary>
        public void PostVerbose(string message)
        {
            if (!string.IsNullOrEmpty(message)) _verbose.Enqueue(Redaction.Redact(message));
        }

        /// <summary>
        /// Applies <paramref name="changes"/> and returns one result per change that was approved or skipped, in plan order.
        /// <paramref name="onResult"/> (optional) sees each result as soon as it is known, on the caller's thread.
        /// Throws <see cref="DeleteGuardException"/> before any write when the approved deletes exceed the guard.
        /// </summary>
        public IReadOnlyList<Result> Apply(IEnumerable<Change> changes, IChangeApplier applier, Action<Result> onResult = null)
        {
            if (applier == null) throw new ArgumentNullException(nameof(applier));
            var ordered = changes.Where(c => c != null).OrderBy(c => c.Sequence).ToList();
            var results = new List<Result>();
            void Emit(Result r)
            {
                results.Add(r);
                onResult?.Invoke(r);
            }

            // 1. Decide everything first, here on the caller's thread.
            var approved = new List<Change>();
            int plannedDeletes = 0;
            foreach (var change in ordered)
            {
                if (change.Operation == ChangeOperation.Conflict)
                {
                    Emit(new Result { Change = change, Outcome = Outcome.Skipped, ErrorCode = "conflict", Error = change.Reason ?? "A conflict must be resolved by hand; nothing was written." });
                    continue;
                }
                if (change.Operation.Removes()) plannedDeletes++;
                if (_host.ShouldProcess(applier.DescribeTarget(change), applier.DescribeAction(change))) approved.Add(change);
            }

            // 2. The delete guard, on what would really be deleted.
            int approvedDeletes = approved.Count(c => c.Operation.Removes()); // a suspend takes access away too
            int targetCount = ordered.Select(c => c.Plan).FirstOrDefault(p => p != null)?.TargetCount ?? _options.TargetCount ?? 0;
            string kind = ordered.Count > 0 ? ordered[0].Kind.ToString().ToLowerInvariant() : "object";
            var guard = _options.DeleteGuard ?? new DeleteGuard();
            string refusal = guard.Check(approvedDeletes, targetCount, kind);
            if (refusal != null) throw new DeleteGuardException(refusal, approvedDeletes, targetCount);
            if (approvedDeletes == 0 && plannedDeletes > 0)
            {
                string wouldRefuse = guard.Check(plannedDeletes, targetCount, kind);
                if (wouldRefuse != null) _host.WriteWarning("Applied for real, this plan would stop at the delete guard: " + wouldRefuse);
            }
            if (approved.Count == 0) return SortByPlan(results);

            // 3. Run the stages.
            var token = _host.CancellationToken;
            try
            {
                Wait(Task.Run(() => applier.PrepareAsync(approved, token), token));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                foreach (var change in approved) Emit(Results.Skipped(change, "The run was stopped before this change was applied."));
                return SortByPlan(results);
            }
            if (_options.CheckDrift && applier is IDriftReader reader)
            {
                // Before any write: a change the target already holds is not sent (AlreadyApplied), and one whose target
                // drifted since the plan was computed is left alone (Stale) unless the caller overrides drift.
                var stale = Task.Run(() => DriftCheck.FindStaleAsync(approved, reader, token), token).GetAwaiter().GetResult()
                    .Where(r => !(_options.OverrideStale && r.Outcome == Outcome.Stale)).ToList();
                var drifted = new HashSet<Change>(stale.Select(r => r.Change));
                approved.RemoveAll(drifted.Contains);
                foreach (var r in stale) Emit(r);
                if (approved.Count == 0) return SortByPlan(results);
            }
            var stages = applier.BuildStages(approved).Where(s => s.Steps.Count > 0).ToList();
            int total = stages.Sum(s => s.Steps.Sum(step => step.Changes.Count));
            int done = 0;
            string activity = $"Applying {approved.Count} change(s) to {applier.TargetName}";
            // A failure that stops the run (an API blocked for longer than the connection may wait): steps not yet started
            // are skipped with its reason; steps in flight finish (cancelling a write in flight would leave its outcome unknown).
            // One controller for the whole run: what the first stage learned about the service holds for the next.
            var concurrency = _options.Concurrency = new AdaptiveConcurrency(_options.ThrottleLimit);
            using (var stop = new RunStop(token))
            {
                foreach (var stage in stages)
                {
                    RunStage(stage, concurrency, token, stop, r =>
                    {
                        stop.Observe(r);
                        done++;
                        Emit(r);
                        _host.WriteProgress(activity, $"{stage.Name}: {done} of {total}", total == 0 ? 100 : Math.Min(99, done * 100 / total));
                    });
                }
                _host.WriteProgress(activity, $"{done} of {total} done", 100);
                DrainVerbose();
                _host.WriteVerbose($"{applier.TargetName}: up to {concurrency.Peak} change(s) in flight (ceiling {concurrency.Ceiling}); back-pressure halved that {concurrency.Decreases} time(s).");
                if (stop.Reason != null) throw new RunStoppedException(stop.Reason, SortByPlan(results));
            }
            return SortByPlan(results);
        }

        /// <summary>The first result that stops the run, and the signal that keeps further steps from starting.</summary>
        private sealed class RunStop : IDisposable
        {
            private readonly CancellationTokenSource _source;
            private string _reason;

            public RunStop(CancellationToken token) => _source = CancellationTokenSource.CreateLinkedTokenSource(token);

            public CancellationToken Token => _source.Token;
            public bool IsStopped => _source.IsCancellationRequested;
            public string Reason => Volatile.Read(ref _reason);

            public void Observe(Result r)
            {
                if (!r.StopsRun) return;
                Interlocked.CompareExchange(ref _reason, r.Error ?? "an API refused further calls", null);
                _source.Cancel();
            }

            public string NotApplied() => Reason is string reason ? "Not applied, the run stopped: " + reason : "The run was stopped before this change was applied.";

            public void Dispose() => _source.Dispose();
        }

        private void RunStage(ApplyStage stage, AdaptiveConcurrency concurrency, CancellationToken token, RunStop stop, Action<Result> emit)
        {
            var completed = new ConcurrentQueue<Result>();

            async Task RunOne(ApplyStep step, Task before, TaskCompletionSource<bool> turn)
            {
                IDisposable lease;
                try
                {
                    await before.ConfigureAwait(false);
                    var entering = concurrency.EnterAsync(stop.Token); // queued at the gate, which serves first come, first served
                    turn.TrySetResult(true);
                    lease = await entering.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    foreach (var c in step.Changes) completed.Enqueue(Results.Skipped(c, stop.NotApplied()));
                    return;
                }
                finally
                {
                    turn.TrySetResult(true);
                }
                using (lease)
                {
                    if (stop.IsStopped)
                    {
                        foreach (var c in step.Changes) completed.Enqueue(Results.Skipped(c, stop.NotApplied()));
                        return;
                    }
                    AdaptiveConcurrency.Current = concurrency; // the step's calls report their latency and back-pressure here
                    foreach (var r in await RunStepAsync(step, token).ConfigureAwait(false))
                    {
                        stop.Observe(r); // at once, so that no step waiting at the gate starts
                        completed.Enqueue(r);
                    }
                }
            }

            // The steps queue at the gate in the plan's order: each asks once the one before it has asked. Started as
            // one Task.Run each, they raced there, so on a busy machine a later sibling could go first even one at a
            // time (ThrottleLimit 1), and "within a level the plan's order holds" did not.
            var tasks = new List<Task>(stage.Steps.Count);
            Task asked = Task.CompletedTask;
            foreach (var step in stage.Steps)
            {
                var before = asked;
                var turn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                asked = turn.Task;
                tasks.Add(Task.Run(() => RunOne(step, before, turn)));
            }

            var all = Task.WhenAll(tasks);
            while (true)
            {
                bool finished = ((IAsyncResult)all).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(100)) || all.IsCompleted;
                DrainVerbose();
                while (completed.TryDequeue(out var r)) emit(r);
                if (finished) break;
            }
        }

        private static async Task<IReadOnlyList<Result>> RunStepAsync(ApplyStep step, CancellationToken token)
        {
            var watch = Stopwatch.StartNew();
            IReadOnlyList<Result> results;
            bool sent = false;
            try
            {
                token.ThrowIfCancellationRequested();
                sent = true;
                results = await step.Run(token).ConfigureAwait(false) ?? Array.Empty<Result>();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Once the step's call is on its way, a stop (Ctrl+C) cannot say whether the service applied it: Unknown,
                // never Skipped, so that a log never under-reports what was written.
                return step.Changes.Select(c => sent
                    ? new Result { Change = c, Outcome = Outcome.Unknown, Error = Results.UnknownReason, Duration = watch.Elapsed }
                    : new Result { Change = c, Outcome = Outcome.Skipped, Error = "The run was stopped before this change was applied.", Duration = watch.Elapsed }).ToList();
            }
            catch (Exception e)
            {
                return step.Changes.Select(c => Results.Failed(c, e, watch.Elapsed)).ToList();
            }

            // Every change of the step gets exactly one result, even when the step forgot one.
            var byChange = new Dictionary<Change, Result>();
            foreach (var r in results)
            {
                if (r?.Change != null && !byChange.ContainsKey(r.Change))
                {
                    if (r.Duration == TimeSpan.Zero) r.Duration = watch.Elapsed;
                    byChange[r.Change] = r;
                }
            }
            return step.Changes.Select(c => byChange.TryGetValue(c, out var r) ? r
                : new Result { Change = c, Outcome = Outcome.Failed, ErrorCode = "internal", Error = "No result was reported for this change.", Duration = watch.Elapsed }).ToList();
        }

        private void DrainVerbose()
        {
            while (_verbose.TryDequeue(out var message)) _host.WriteVerbose(message);
        }

        private static IReadOnlyList<Result> SortByPlan(List<Result> results) =>
            results.OrderBy(r => r.Change?.Sequence ?? int.MaxValue).ToList();

        private static void Wait(Task task)
        {
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                throw e.InnerException;
            }
        }
    }

    /// <summary>Builds results the same way for every target.</summary>
    public static class Results
    {
        /// <summary>What a change sent when the run was stopped says.</summary>
        public const string UnknownReason = "Sent when the run was stopped, before the answer came: applied or not, the next run finds out.";

        public static Result Succeeded(Change change, string newId = null, TimeSpan duration = default) =>
            new Result { Change = change, Outcome = Outcome.Succeeded, NewId = newId, Duration = duration };

        public static Result Skipped(Change change, string reason, TimeSpan duration = default) =>
            new Result { Change = change, Outcome = Outcome.Skipped, Error = reason, Duration = duration };

        /// <summary>A failure with the API's code and message (redacted), or the exception's message for anything else.</summary>
        public static Result Failed(Change change, Exception error, TimeSpan duration = default)
        {
            if (error is AggregateException ae && ae.InnerExceptions.Count == 1) error = ae.InnerException;
            var api = error as ApiException;
            return new Result
            {
                Change = change,
                Outcome = Outcome.Failed,
                StopsRun = api?.StopsRun == true,
                ErrorCode = api?.Code ?? "error",
                Error = Redaction.Redact(api == null ? error.Message : ApiException.Sentence(api.ApiMessage) + (string.IsNullOrEmpty(api.RecommendedAction) ? "" : " " + ApiException.Sentence(api.RecommendedAction))),
                Duration = duration,
            };
        }
    }
}
