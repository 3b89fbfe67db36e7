using System;

namespace WeComSync.Model
{
    public enum Outcome
    {
        Succeeded,
        Failed,
        Skipped,

        /// <summary>
        /// Not applied: the target no longer matches what the plan was computed from (edited, deleted or created since);
        /// the result says which field differs. Compare again, or apply with -Force.
        /// </summary>
        Stale,

        /// <summary>
        /// Sent, but the run was stopped (Ctrl+C) before the answer came: applied or not, nobody knows yet. Never
        /// counted as skipped; the next run reads the target and finds out.
        /// </summary>
        Unknown,

        /// <summary>
        /// Not applied because there is nothing left to do: the target already holds what the change wants (a saved
        /// plan applied twice, an undo run a second time, a field someone already set by hand). No call is made; counted
        /// apart from Stale, which means the target holds something else.
        /// </summary>
        AlreadyApplied,
    }

    /// <summary>What happened when one change was applied.</summary>
    public sealed class Result
    {
        public Change Change { get; set; }
        public Outcome Outcome { get; set; }

        /// <summary>The id the target gave a created object (Authing userId / departmentId, WeCom department id).</summary>
        public string NewId { get; set; }

        /// <summary>The API's code (WeCom errcode, Authing statusCode/apiCode) when the call failed.</summary>
        public string ErrorCode { get; set; }

        /// <summary>What went wrong and, where known, what to do. Never contains a secret or token.</summary>
        public string Error { get; set; }

        public TimeSpan Duration { get; set; }

        /// <summary>This failure stops the run (the API is blocked beyond the wait allowed): the changes not yet applied are skipped.</summary>
        public bool StopsRun { get; set; }

        public override string ToString() => $"{Outcome} {Change}";
    }
}
