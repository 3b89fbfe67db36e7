using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Model;

namespace WeComSync.Apply
{
    /// <summary>
    /// One unit of work: one or more changes applied together (one create, or a batch of up to 50 user creates) by one
    /// function that returns one <see cref="Result"/> per change. The function runs on a worker thread: it must not
    /// touch the host; it may throw, and then every change of the step fails with that error.
    /// </summary>
    public sealed class ApplyStep
    {
        public ApplyStep(IReadOnlyList<Change> changes, Func<CancellationToken, Task<IReadOnlyList<Result>>> run)
        {
            Changes = changes ?? throw new ArgumentNullException(nameof(changes));
            Run = run ?? throw new ArgumentNullException(nameof(run));
        }

        public ApplyStep(Change change, Func<CancellationToken, Task<Result>> run)
            : this(new[] { change }, async ct => (IReadOnlyList<Result>)new[] { await run(ct).ConfigureAwait(false) })
        {
        }

        public IReadOnlyList<Change> Changes { get; }
        public Func<CancellationToken, Task<IReadOnlyList<Result>>> Run { get; }
    }

    /// <summary>
    /// Steps that may run in parallel with each other; a stage starts only when the one before it has finished (department
    /// levels parents first, users after departments, deletes children first).
    /// </summary>
    public sealed class ApplyStage
    {
        public ApplyStage(string name, IEnumerable<ApplyStep> steps)
        {
            Name = name;
            Steps = new List<ApplyStep>(steps);
        }

        public string Name { get; }
        public IReadOnlyList<ApplyStep> Steps { get; }
    }

    /// <summary>
    /// What one target system (Authing, WeCom) contributes to applying a plan: how a change reads in a confirmation
    /// prompt, and how the approved changes become ordered stages of steps. The generic part (ShouldProcess first,
    /// delete guard, bounded parallelism, results, progress) is <see cref="PlanApplier"/>.
    /// </summary>
    public interface IChangeApplier
    {
        /// <summary>The system written to, for messages ("Authing", "WeCom").</summary>
        string TargetName { get; }

        /// <summary>ShouldProcess target text, e.g. "user zhangsan (张三) in Authing".</summary>
        string DescribeTarget(Change change);

        /// <summary>ShouldProcess action text, e.g. "Update name, mobile".</summary>
        string DescribeAction(Change change);

        /// <summary>
        /// Called once, after every ShouldProcess decision and the delete guard, before any stage runs: read what the
        /// steps need (e.g. the target's department map). Runs on the caller's thread; may throw to stop the run.
        /// </summary>
        Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken);

        /// <summary>The approved changes, grouped into stages in dependency order. Conflicts never reach here.</summary>
        IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved);
    }

    /// <summary>Raised before anything is written when the plan deletes more than the delete guard allows.</summary>
    public sealed class DeleteGuardException : Exception
    {
        public DeleteGuardException(string message, int deleteCount, int targetCount) : base(message)
        {
            DeleteCount = deleteCount;
            TargetCount = targetCount;
        }

        public int DeleteCount { get; }
        public int TargetCount { get; }
    }

    /// <summary>
    /// Raised after the results when a failure stopped the run (an API blocked for longer than the connection may wait):
    /// the changes not yet applied were skipped. The message says why and when to run again.
    /// </summary>
    public sealed class RunStoppedException : Exception
    {
        public RunStoppedException(string message, IReadOnlyList<Result> results) : base(message)
        {
            Results = results;
        }

        /// <summary>Every result, the skipped changes included (already handed to the caller one by one).</summary>
        public IReadOnlyList<Result> Results { get; }
    }

    /// <summary>How a plan is applied.</summary>
    public sealed class ApplyOptions
    {
        /// <summary>
        /// Most steps in flight at once: a ceiling for the adaptive concurrency, which finds the working value itself
        /// (see <see cref="WeComSync.Http.AdaptiveConcurrency"/>). 0 = <see cref="WeComSync.Http.AdaptiveConcurrency.DefaultCeiling"/>.
        /// </summary>
        public int ThrottleLimit { get; set; }

        /// <summary>The concurrency of the last <see cref="PlanApplier.Apply"/> (its peak and back-offs), for summaries and benchmarks.</summary>
        public WeComSync.Http.AdaptiveConcurrency Concurrency { get; internal set; }

        public DeleteGuard DeleteGuard { get; set; } = new DeleteGuard();

        /// <summary>Read the targets again before writing and leave changes whose target drifted as Stale (see <see cref="DriftCheck"/>).</summary>
        public bool CheckDrift { get; set; }

        /// <summary>
        /// With <see cref="CheckDrift"/>: apply a drifted change anyway (an undo's -Force), while a change the target
        /// already holds is still not sent (<see cref="Outcome.AlreadyApplied"/>).
        /// </summary>
        public bool OverrideStale { get; set; }

        /// <summary>
        /// How many objects the target holds, for the guard's percentage when the changes carry no plan context
        /// (hand-built changes). Without either, the percentage is judged against zero, so any delete needs a limit or -Force.
        /// </summary>
        public int? TargetCount { get; set; }
    }
}
