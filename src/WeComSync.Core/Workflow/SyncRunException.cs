using System;
using WeComSync.RunLog;

namespace WeComSync.Workflow
{
    /// <summary>
    /// What ended a sync run before its end (a missing file, a pool without link fields, the delete guard, a service
    /// error): raised after the run log recorded it, with the one error to show and the run's summary as it stands.
    /// A cmdlet writes the summary, then the error as its own terminating error.
    /// </summary>
    public sealed class SyncRunException : Exception
    {
        public SyncRunException(OutputError error, RunRecord record, Exception inner = null) : base(error.Message, inner ?? error.Exception)
        {
            Error = error;
            Record = record;
        }

        /// <summary>The error: a stable id (the cause's: AddressBookFileNotFound, DeleteGuard, Authing400 …), what happened and what to do.</summary>
        public OutputError Error { get; }

        /// <summary>The run's summary, with the failure recorded (Failed, or Stopped for the guard).</summary>
        public RunRecord Record { get; }
    }

    /// <summary>A run-level failure raised inside a run; the run turns it into a <see cref="SyncRunException"/> once recorded.</summary>
    internal sealed class RunFailure : Exception
    {
        public RunFailure(OutputError error, bool stopped = false) : base(error.Message, error.Exception)
        {
            Error = error;
            Stopped = stopped;
        }

        public OutputError Error { get; }

        /// <summary>A deliberate stop (the delete guard, an API blocked beyond the wait): Stopped, exit code 3, not Failed.</summary>
        public bool Stopped { get; }
    }
}
