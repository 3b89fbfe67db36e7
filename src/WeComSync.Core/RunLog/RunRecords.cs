using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;

namespace WeComSync.RunLog
{
    /// <summary>Status of a run or of one of its steps.</summary>
    public enum RunStatus
    {
        /// <summary>Started and not finished yet (a process is still writing it).</summary>
        Running,
        Succeeded,
        /// <summary>Finished, but some objects failed.</summary>
        PartiallyFailed,
        /// <summary>Ended by an error that stopped everything (or every object of a step failed).</summary>
        Failed,
        /// <summary>Stopped on purpose before the end: a delete guard, Ctrl+C, a caller's decision.</summary>
        Stopped,
        /// <summary>A step that had nothing to do or was not run.</summary>
        Skipped,
        /// <summary>Ended before its end by Ctrl+C or a stopped pipeline, or found by the reader: the writing process died (killed, power loss) before it recorded an end.</summary>
        Interrupted,
    }

    /// <summary>The counters every step keeps.</summary>
    public enum StepCounter
    {
        Read,
        Created,
        Updated,
        Deleted,
        Failed,
        Skipped,
        /// <summary>Changes not applied because the target drifted from the plan (<see cref="Outcome.Stale"/>).</summary>
        Stale,
        /// <summary>Leavers suspended instead of deleted (-DeleteAction Suspend). Last, so the counters before it keep their numbers.</summary>
        Suspended,

        /// <summary>Changes sent whose answer a stopped run (Ctrl+C) did not wait for (<see cref="Outcome.Unknown"/>): applied or not.</summary>
        Unknown,

        /// <summary>Changes not applied because the target already held what they wanted (<see cref="Outcome.AlreadyApplied"/>).</summary>
        AlreadyApplied,
    }

    /// <summary>Counts of one step, or of a run (the sum of its steps).</summary>
    public abstract class CountedRecord
    {
        public int Read { get; set; }
        public int Created { get; set; }
        public int Updated { get; set; }

        /// <summary>Leavers suspended instead of deleted; not in <see cref="Updated"/>. 0 in a log written before it was counted apart.</summary>
        public int Suspended { get; set; }

        public int Deleted { get; set; }
        public int Failed { get; set; }
        public int Skipped { get; set; }

        /// <summary>Changes not applied because the target had changed since the plan was computed.</summary>
        public int Stale { get; set; }

        /// <summary>Changes sent whose answer an interrupted run did not wait for: applied or not, the next run finds out.</summary>
        public int Unknown { get; set; }

        /// <summary>Changes not applied because the target already held what they wanted: nothing was left to do, no call made.</summary>
        public int AlreadyApplied { get; set; }

        public RunStatus Status { get; set; }
        public DateTimeOffset StartTime { get; set; }
        public DateTimeOffset? EndTime { get; set; }

        /// <summary>End minus start; null while running or when the end was never recorded.</summary>
        public TimeSpan? Duration => EndTime.HasValue ? EndTime.Value - StartTime : (TimeSpan?)null;

        /// <summary>Why a step or run failed or stopped (redacted).</summary>
        public string Message { get; set; }
    }

    /// <summary>One step of a run ("read Authing users", "departments", "users"): status, times and counts.</summary>
    public sealed class StepRecord : CountedRecord
    {
        public string RunId { get; set; }
        public string Name { get; set; }

        /// <summary>1-based position in the run.</summary>
        public int Index { get; set; }

        public override string ToString() => $"{Name}: {Status}";
    }

    /// <summary>
    /// One run as the log holds it: the sync commands (Core/Workflow) return this as their summary, and Get-WeComSyncLog lists these.
    /// Counts are the sums over the steps.
    /// </summary>
    public sealed class RunRecord : CountedRecord
    {
        /// <summary>The run folder's name: <c>yyyyMMdd-HHmmss-name-shortid</c>; sortable, and unique per run.</summary>
        public string RunId { get; set; }

        /// <summary>The short random part of <see cref="RunId"/>, enough to name the run on the command line.</summary>
        public string ShortId { get; set; }

        /// <summary>What ran: "upstream", "downstream", "Sync-AuthingUser" …</summary>
        public string Name { get; set; }

        /// <summary>The run folder; null for a run kept in memory only (no log folder given).</summary>
        public string Path { get; set; }

        public bool MaskPersonalData { get; set; }

        /// <summary>The run this one undoes (Undo-WeComSyncRun), by its full run id; null for a forward run.</summary>
        public string Undoes { get; set; }

        /// <summary>A dry run (-WhatIf): it read and planned, and wrote nothing. Its counts are reads only.</summary>
        public bool WhatIf { get; set; }

        /// <summary>The machine the run ran on, as its summary recorded it.</summary>
        public string Host { get; set; }

        /// <summary>The account the run ran as (user name, with the domain where there is one).</summary>
        public string User { get; set; }

        /// <summary>What the run was started with (file, organization, mode …), as text.</summary>
        public Dictionary<string, string> Parameters { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public List<StepRecord> Steps { get; set; } = new List<StepRecord>();

        /// <summary>results.jsonl lines that could not be read (a line cut short when the process was killed).</summary>
        public int UnreadableLines { get; set; }

        /// <summary>Failed objects, plus one when the run itself failed without any object failing (so a script never sees 0 for a failed run).</summary>
        public int FailedCount => Failed > 0 ? Failed : (Status == RunStatus.Failed || Status == RunStatus.Interrupted ? 1 : 0);

        /// <summary>
        /// The process exit code an unattended script should end with: 0 succeeded (or nothing to do), 1 failed,
        /// 2 finished with some objects failed, 3 stopped on purpose (the delete guard, an API blocked beyond -MaxWait),
        /// 4 still running, 130 interrupted (Ctrl+C, a stopped pipeline, a killed process).
        /// </summary>
        public int ExitCode => ExitCodes.For(Status, Failed);

        /// <summary>Sums the steps' counts into the run's.</summary>
        internal void SumSteps()
        {
            Read = Steps.Sum(s => s.Read);
            Created = Steps.Sum(s => s.Created);
            Updated = Steps.Sum(s => s.Updated);
            Suspended = Steps.Sum(s => s.Suspended);
            Deleted = Steps.Sum(s => s.Deleted);
            Failed = Steps.Sum(s => s.Failed);
            Skipped = Steps.Sum(s => s.Skipped);
            Stale = Steps.Sum(s => s.Stale);
            Unknown = Steps.Sum(s => s.Unknown);
            AlreadyApplied = Steps.Sum(s => s.AlreadyApplied);
        }

        public override string ToString() => $"{RunId}: {Status}";
    }

    /// <summary>One plan a run wrote to plan.json: its changes in plan order and what it was computed from.</summary>
    public sealed class PlanRecord
    {
        public string RunId { get; set; }

        /// <summary>"users", "departments", "User" …: the name the run gave the plan.</summary>
        public string Name { get; set; }

        public PlanContext Context { get; set; }
        public List<Change> Changes { get; set; } = new List<Change>();

        public override string ToString() => $"{Name}: {Context}";
    }

    /// <summary>What happened to one object in one run: a line of results.jsonl.</summary>
    public sealed class ResultRecord
    {
        public string RunId { get; set; }
        public string RunName { get; set; }
        public string Step { get; set; }
        public DateTimeOffset Time { get; set; }
        public ChangeOperation? Operation { get; set; }
        public ObjectKind? Kind { get; set; }
        public string Key { get; set; }

        /// <summary>Display name of the object (user or department name) when it was known.</summary>
        public string Name { get; set; }

        public Outcome Outcome { get; set; }
        public string NewId { get; set; }
        public string ErrorCode { get; set; }
        public string Error { get; set; }
        public TimeSpan Duration { get; set; }
        public string Reason { get; set; }

        /// <summary>The fields an update changed, as written (masked when the run masked personal data).</summary>
        public List<FieldChange> Fields { get => _fields; set => _fields = FieldChangeList.Of(value); }
        private List<FieldChange> _fields = new FieldChangeList();

        public override string ToString() => $"{Outcome} {Operation} {Kind} {Key}";
    }

    /// <summary>Exit codes for unattended runs (see <see cref="RunRecord.ExitCode"/>).</summary>
    public static class ExitCodes
    {
        public const int Success = 0;
        public const int Failed = 1;
        public const int PartiallyFailed = 2;
        public const int Stopped = 3;
        public const int Running = 4;

        /// <summary>Ctrl+C, a stopped pipeline, a killed process: 128 + SIGINT, what a shell reports for Ctrl+C, so a wrapper and the run log agree.</summary>
        public const int Interrupted = 130;

        public static int For(RunStatus status, int failedObjects)
        {
            switch (status)
            {
                case RunStatus.Succeeded:
                case RunStatus.Skipped:
                    return failedObjects > 0 ? PartiallyFailed : Success;
                case RunStatus.PartiallyFailed: return PartiallyFailed;
                case RunStatus.Stopped: return Stopped;
                case RunStatus.Running: return Running;
                case RunStatus.Interrupted: return Interrupted;
                default: return Failed;
            }
        }
    }
}
