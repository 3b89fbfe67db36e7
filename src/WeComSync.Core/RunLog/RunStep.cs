using System;
using System.Threading;
using WeComSync.Model;

namespace WeComSync.RunLog
{
    /// <summary>
    /// One step of a run ("read Authing users", "departments", "users"). Counting and recording are thread safe:
    /// parallel workers may record results into the same step.
    /// </summary>
    public sealed class RunStep
    {
        private readonly RunLogWriter _run;
        internal static readonly int CounterCount = Enum.GetValues(typeof(StepCounter)).Length;
        private readonly int[] _counts = new int[CounterCount];
        private readonly object _gate = new object();

        internal RunStep(RunLogWriter run, string name, int index, DateTimeOffset start)
        {
            _run = run;
            Name = name;
            Index = index;
            StartTime = start;
        }

        public string Name { get; }
        public int Index { get; }
        public DateTimeOffset StartTime { get; }
        public DateTimeOffset? EndTime { get; private set; }
        public RunStatus Status { get; private set; } = RunStatus.Running;
        public string Message { get; private set; }

        public int Read => Volatile.Read(ref _counts[(int)StepCounter.Read]);
        public int Created => Volatile.Read(ref _counts[(int)StepCounter.Created]);
        public int Updated => Volatile.Read(ref _counts[(int)StepCounter.Updated]);
        public int Suspended => Volatile.Read(ref _counts[(int)StepCounter.Suspended]);
        public int Deleted => Volatile.Read(ref _counts[(int)StepCounter.Deleted]);
        public int Failed => Volatile.Read(ref _counts[(int)StepCounter.Failed]);
        public int Skipped => Volatile.Read(ref _counts[(int)StepCounter.Skipped]);
        public int Stale => Volatile.Read(ref _counts[(int)StepCounter.Stale]);
        public int Unknown => Volatile.Read(ref _counts[(int)StepCounter.Unknown]);
        public int AlreadyApplied => Volatile.Read(ref _counts[(int)StepCounter.AlreadyApplied]);

        public bool IsCompleted => Status != RunStatus.Running;

        /// <summary>Adds one to a counter.</summary>
        public void Count(StepCounter counter) => Count(counter, 1);

        /// <summary>Adds <paramref name="amount"/> to a counter (e.g. Read, after a listing).</summary>
        public void Count(StepCounter counter, int amount) => Interlocked.Add(ref _counts[(int)counter], amount);

        /// <summary>Counts a result by its outcome and operation (a succeeded Create counts as Created …) without writing it.</summary>
        public void Count(Result result)
        {
            if (result == null) return;
            Count(CounterFor(result.Outcome, result.Change?.Operation));
        }

        /// <summary>Writes the result as one line of results.jsonl (flushed at once) and counts it in this step.</summary>
        public void Record(Result result)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            _run.WriteResult(result, Name);
            Count(result);
        }

        /// <summary>Ends the step with a status from its counts: Failed when every object failed, PartiallyFailed when some did, else Succeeded.</summary>
        public void Complete() => Complete(StatusFromCounts(), null);

        public void Complete(RunStatus status) => Complete(status, null);

        /// <summary>Ends the step with the given status and message (redacted, and masked when the run masks personal data). A second call changes nothing.</summary>
        public void Complete(RunStatus status, string message)
        {
            lock (_gate)
            {
                if (IsCompleted) return;
                Message = _run.CleanText(message);
                EndTime = _run.Now();
                Status = status == RunStatus.Running ? StatusFromCounts() : status;
            }
            _run.StepChanged();
        }

        internal RunStatus StatusFromCounts()
        {
            int failed = Failed;
            if (failed == 0) return RunStatus.Succeeded;
            return Created + Updated + Suspended + Deleted + Skipped + Stale + Unknown + AlreadyApplied == 0 ? RunStatus.Failed : RunStatus.PartiallyFailed;
        }

        internal StepRecord ToRecord(string runId) => new StepRecord
        {
            RunId = runId,
            Name = Name,
            Index = Index,
            Status = Status,
            StartTime = StartTime,
            EndTime = EndTime,
            Message = Message,
            Read = Read,
            Created = Created,
            Updated = Updated,
            Suspended = Suspended,
            Deleted = Deleted,
            Failed = Failed,
            Skipped = Skipped,
            Stale = Stale,
            Unknown = Unknown,
            AlreadyApplied = AlreadyApplied,
        };

        /// <summary>Which counter a result moves: Failed, Skipped and Stale by outcome, else by operation (Move counts as Updated, Suspend as Suspended).</summary>
        internal static StepCounter CounterFor(Outcome outcome, ChangeOperation? operation)
        {
            if (outcome == Outcome.Failed) return StepCounter.Failed;
            if (outcome == Outcome.Skipped) return StepCounter.Skipped;
            if (outcome == Outcome.Stale) return StepCounter.Stale;
            if (outcome == Outcome.Unknown) return StepCounter.Unknown;
            if (outcome == Outcome.AlreadyApplied) return StepCounter.AlreadyApplied;
            switch (operation)
            {
                case ChangeOperation.Create: return StepCounter.Created;
                case ChangeOperation.Update:
                case ChangeOperation.Move: return StepCounter.Updated;
                case ChangeOperation.Suspend: return StepCounter.Suspended;
                case ChangeOperation.Delete: return StepCounter.Deleted;
                default: return StepCounter.Skipped;
            }
        }

        public override string ToString() => $"{Name}: {Status}";
    }
}
