using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.AddressBook;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;

namespace WeComSync.Workflow
{
    /// <summary>
    /// What the upstream and downstream runs share: the run log, reading steps, applying a plan as one step (every
    /// ShouldProcess on the caller's thread first, the delete guard, results recorded as they come), the dry run's plan
    /// view, per-object errors (written, never stopping the run) and the run-level ones (recorded, then raised once as a
    /// <see cref="SyncRunException"/>), and Ctrl+C (the run and its running steps Interrupted).
    /// <para>
    /// Call <see cref="Run"/> on the caller's (pipeline) thread: it asks ShouldProcess there and waits there for the
    /// service calls, flushing the output while it waits (<see cref="IQueuedOutput"/>).
    /// </para>
    /// </summary>
    public abstract class SyncRun
    {
        private readonly List<string> _planned = new List<string>();
        private readonly List<Result> _results = new List<Result>();
        private readonly Dictionary<string, IReadOnlyList<Change>> _plans = new Dictionary<string, IReadOnlyList<Change>>(StringComparer.Ordinal);
        private RunLogWriter _log;

        /// <summary>Every result of the run so far, in the order they came (what the run log's results hold).</summary>
        public IReadOnlyList<Result> Results { get { lock (_results) return _results.ToList(); } }

        /// <summary>Each applying step's plan, by step name ("departments", "users" …), as it was applied or shown.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<Change>> Plans => _plans;

        protected SyncRun(IOutputWriter output, SyncRunOptions options)
        {
            Output = output ?? throw new ArgumentNullException(nameof(output));
            Options = options ?? throw new ArgumentNullException(nameof(options));
        }

        protected IOutputWriter Output { get; }
        protected SyncRunOptions Options { get; }
        protected CancellationToken Cancellation => Output.CancellationToken;

        /// <summary>The run log while the run runs.</summary>
        protected RunLogWriter Log => _log ?? throw new InvalidOperationException("The run has not started.");

        /// <summary>The run's name in the log ("upstream-createupdate", "downstream").</summary>
        public abstract string RunName { get; }

        /// <summary>The steps, in their order; a run-level failure is thrown as a <see cref="RunFailure"/>.</summary>
        protected abstract void Execute();

        /// <summary>
        /// Runs every step and returns the run's summary: Succeeded, PartiallyFailed (some objects failed: exit code 2),
        /// or Interrupted (Ctrl+C: 130). A run-level failure (Failed, or Stopped for the delete guard) is recorded and then
        /// raised as a <see cref="SyncRunException"/> that carries the summary.
        /// </summary>
        public RunRecord Run()
        {
            var logOptions = new RunLogOptions { MaskPersonalData = Options.MaskPersonalData, Parameters = Options.Parameters, WhatIf = Options.WhatIf, Undoes = Undoes };
            using (var log = RunLogWriter.Start(Options.LogPath, RunName, logOptions))
            {
                _log = log;
                try
                {
                    Execute();
                    Cancellation.ThrowIfCancellationRequested();
                    return Finish();
                }
                catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
                {
                    return log.Interrupt(RunLogWriter.InterruptedMessage);
                }
                catch (RunFailure failure)
                {
                    var record = failure.Stopped ? log.Stop(failure.Error.Message) : log.Fail(failure.Error.Message);
                    throw new SyncRunException(failure.Error, record, failure.InnerException);
                }
                catch (ApiException e) when (!Cancellation.IsCancellationRequested)
                {
                    var error = ServiceError(e);
                    throw new SyncRunException(error, log.Fail(error.Message), e);
                }
                catch (AddressBookException e)
                {
                    var p = e.Problem;
                    var error = new OutputError(p.Code, p.Kind, (object)p.Row ?? Target, e.Message) { Exception = e };
                    throw new SyncRunException(error, log.Fail(error.Message), e);
                }
                catch (ArgumentException e)
                {
                    var error = new OutputError(Service + "InvalidArgument", ProblemKind.InvalidData, null, Redaction.Redact(e.Message)) { Exception = e };
                    throw new SyncRunException(error, log.Fail(error.Message), e);
                }
                finally
                {
                    (Output as IQueuedOutput)?.Flush();
                }
            }
        }

        /// <summary>Re-read each change's object before writing (<see cref="DriftCheck"/>): a plan built from a log, not from a fresh read.</summary>
        protected virtual bool CheckDrift => false;

        /// <summary>With <see cref="CheckDrift"/>: apply a drifted change anyway (-Force); one already applied is still not sent.</summary>
        protected virtual bool OverrideStale => false;

        /// <summary>The run summary's message (a real run's; a dry run says "What if: …"); null: none.</summary>
        protected virtual string CompletionMessage => null;

        /// <summary>The run this one undoes (its full run id), for the run log; null for a forward run.</summary>
        protected virtual string Undoes => null;

        /// <summary>The service written to ("Authing", "WeCom"): the prefix of per-object error ids.</summary>
        protected abstract string Service { get; }

        /// <summary>What a run-level error about the input is about when nothing narrower is known (the export's path).</summary>
        protected virtual object Target => null;

        private RunRecord Finish()
        {
            if (!Options.WhatIf) return Log.Complete(RunStatus.Running, CompletionMessage);
            string message = _planned.Count > 0 ? $"What if: {string.Join("; ", _planned)}. Nothing was written." : "What if: no changes.";
            return Log.Complete(RunStatus.Running, message);
        }

        // ------------------------------------------------------------------ waiting, reading

        /// <summary>Runs <paramref name="work"/> off this thread and waits for it here, writing what it wrote meanwhile.</summary>
        protected T Wait<T>(Func<CancellationToken, Task<T>> work)
        {
            var queued = Output as IQueuedOutput;
            var task = Task.Run(() => work(Cancellation), Cancellation);
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(200)) queued?.Flush();
            queued?.Flush();
            return task.GetAwaiter().GetResult();
        }

        /// <summary>Ends a reading step: Succeeded, or PartiallyFailed when a read failed (no deletes follow from that side).</summary>
        protected static void CompleteRead(RunStep step, string text, IReadOnlyList<ApiException> failures)
        {
            if (failures != null && failures.Count > 0)
                step.Complete(RunStatus.PartiallyFailed, $"{text} Read incompletely ({failures.Count} error(s), first: {Redaction.Redact(failures[0].Message)}): no deletes.");
            else step.Complete(RunStatus.Succeeded, text);
        }

        /// <summary>A service's error as the one error to show (<see cref="OutputError.FromApi"/>, the one mapping cmdlets use too).</summary>
        protected static OutputError ServiceError(ApiException e) => OutputError.FromApi(e);

        /// <summary>The error -FailOnError raises for a run that did not succeed: it names the run, says what failed and how to look.</summary>
        public static OutputError NotSucceeded(RunRecord summary)
        {
            string what;
            switch (summary.Status)
            {
                case RunStatus.Stopped: what = $"was stopped: {summary.Message}"; break;
                case RunStatus.Failed: what = string.IsNullOrEmpty(summary.Message) ? $"failed: {summary.Failed} object(s) failed" : $"failed: {summary.Message}"; break;
                default: what = $"ended {summary.Status}: {summary.Failed} object(s) failed"; break;
            }
            string look = summary.Path != null
                ? $"See the failed objects with: Get-WeComSyncLog -Path '{System.IO.Path.GetDirectoryName(summary.Path)}' -Run {summary.ShortId} -Failed"
                : "Run again with -LogPath to keep a run log, and read it with Get-WeComSyncLog.";
            return new OutputError("WeComSyncRunNotSucceeded." + summary.Status, ProblemKind.InvalidData, summary, $"The {summary.Name} run {summary.RunId} {what}", look);
        }

        // ------------------------------------------------------------------ planning

        /// <summary>
        /// Writes what a comparison wants a person to know (conflicts named, users kept suspended) and returns it, so that
        /// the step's message keeps it in the run log.
        /// </summary>
        protected List<string> Notes(Plan plan)
        {
            var notes = new List<string>();
            string human = PlanDigest.NeedHuman(plan.Changes);
            if (human != null) notes.Add(human);
            string suspended = plan.Context.KeptSuspendedWarning();
            if (suspended != null) notes.Add(suspended);
            string tooDeep = plan.Context.TooDeepWarning();
            if (tooDeep != null) notes.Add(tooDeep);
            string outOfScope = plan.Context.OutOfScopeMembershipNote();
            if (outOfScope != null) notes.Add(outOfScope);
            foreach (var note in notes) Output.WriteWarning(note);
            Output.WriteVerbose(plan.Summary);
            return notes;
        }

        /// <summary>The delete refusal of a plan (a side read incompletely), as the run's error: nothing is deleted.</summary>
        protected static void RefuseDeletes(Plan plan)
        {
            if (plan.DeleteRefusedReason == null) return;
            throw new RunFailure(new OutputError("DeleteRefusedIncompleteRead", ProblemKind.InvalidData, plan.DeleteRefusedBy, plan.DeleteRefusedReason, plan.DeleteRefusedAdvice));
        }

        // ------------------------------------------------------------------ applying

        /// <summary>
        /// Applies one plan as one step: writes the plan to the run log, asks ShouldProcess for each change here, checks the
        /// delete guard, applies, and records every result as soon as it is known (so an interrupted run's counts match
        /// what was written). A dry run shows the plan view instead and asks nothing.
        /// </summary>
        protected void ApplyStep(string name, IReadOnlyList<Change> changes, Func<IChangeApplier> applier, IReadOnlyCollection<string> notes = null, DeleteGuard guard = null)
        {
            Cancellation.ThrowIfCancellationRequested();
            changes = changes.Where(c => c != null).ToList();
            guard = guard ?? Options.DeleteGuard ?? new DeleteGuard();
            Log.WritePlan(name, changes);
            _plans[name] = changes;
            var step = Log.BeginStep(name);
            string counts = PlanDigest.Counts(changes.ToList());
            string text = Options.Scoped ? $"{counts.TrimEnd('.')} (scope: {Options.Scope()})" : counts;
            var said = notes?.Where(n => !string.IsNullOrEmpty(n)).Distinct().ToList() ?? new List<string>();

            if (Options.WhatIf)
            {
                if (changes.Count > 0)
                {
                    Output.WriteInformation(PlanDigest.View(name, changes.ToList()));
                    _planned.Add($"{name}: {counts}");
                    int deletes = changes.Count(c => c.Operation.Removes());
                    int target = changes.Select(c => c.Plan).FirstOrDefault(p => p != null)?.TargetCount ?? 0;
                    string refusal = guard.Check(deletes, target, changes[0].Kind.ToString().ToLowerInvariant());
                    if (refusal != null) Output.WriteWarning("Applied for real, this plan would stop at the delete guard: " + refusal);
                }
                step.Complete(RunStatus.Skipped, string.Join(" ", new[] { changes.Count > 0 ? $"What if: {text}." : text }.Concat(said)));
                return;
            }

            if (changes.Count > 0)
            {
                var apply = new PlanApplier(Output, new ApplyOptions { ThrottleLimit = Options.ThrottleLimit, DeleteGuard = guard, CheckDrift = CheckDrift, OverrideStale = OverrideStale });
                try
                {
                    var target = applier();
                    Log.WriteUndoTarget(name, (target as IUndoable)?.UndoTarget);   // what an undo of this step writes to
                    apply.Apply(changes, target, result => Record(step, result));
                }
                catch (DeleteGuardException e)
                {
                    step.Complete(RunStatus.Stopped, e.Message);
                    throw new RunFailure(new OutputError("DeleteGuard", ProblemKind.LimitsExceeded, changes, e.Message,
                        "Review the plan with -WhatIf; raise -MaxDelete/-MaxDeletePercent or use -Force if it is right."), stopped: true);
                }
                catch (RunStoppedException e)
                {
                    // The results (failed and skipped) are recorded; the run ends with why and when to run again.
                    throw new RunFailure(new OutputError("RunStopped", ProblemKind.Unavailable, changes, Redaction.Redact(e.Message),
                        "The changes not applied are in the results as Skipped; run the sync again at the time given."), stopped: true);
                }
                // Ctrl+C: the step stays running, and the run records it as Interrupted with what was written.
                Cancellation.ThrowIfCancellationRequested();
            }
            string message = changes.Count > 0 ? $"Planned: {text}." : text;
            // Say why nothing happened to some objects: conflicts and changes the run skipped count as Skipped, not as failures.
            if (step.Skipped > 0) message += $" {step.Skipped} skipped (see the results with Get-WeComSyncLog -Run {Log.ShortId}).";
            step.Complete(RunStatus.Running, string.Join(" ", new[] { message }.Concat(said)));
        }

        /// <summary>One result: into the run log at once, and a failed change as one error (the change its target).</summary>
        private void Record(RunStep step, Result result)
        {
            step.Record(result);
            lock (_results) _results.Add(result);
            if (result.Outcome == Outcome.Stale) Output.WriteWarning($"{result.Change}: {result.Error}");
            if (result.Outcome == Outcome.Failed)
            {
                Output.WriteError(OutputError.FailedChange(Service, result));
            }
        }
    }
}
