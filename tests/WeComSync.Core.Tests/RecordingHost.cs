using System;
using System.Collections.Generic;
using System.Threading;
using WeComSync.Apply;

namespace WeComSync.Tests
{
    /// <summary>
    /// The engine's output as a test sees it (no runspace): what it asked and wrote, in order, and whether anything but
    /// a trace came from another thread than the one that made the host.
    /// </summary>
    internal sealed class RecordingHost : ISyncHost
    {
        private readonly int _thread = Environment.CurrentManagedThreadId;
        public Func<string, string, bool> Decide { get; set; } = (_, __) => true;
        public List<string> Prompts { get; } = new List<string>();
        public List<string> Verbose { get; } = new List<string>();
        public List<string> Warnings { get; } = new List<string>();
        public List<OutputError> Errors { get; } = new List<OutputError>();
        public List<int> Progress { get; } = new List<int>();
        public List<string> ProgressStatus { get; } = new List<string>();
        public List<string> Traces { get; } = new List<string>();
        public List<string> Information { get; } = new List<string>();

        /// <summary>Warnings (as strings) and errors, in the order they were written.</summary>
        public List<object> Problems { get; } = new List<object>();

        public bool CalledOffThread { get; private set; }
        public CancellationToken CancellationToken { get; set; }

        private void Check() { if (Environment.CurrentManagedThreadId != _thread) CalledOffThread = true; }
        public bool ShouldProcess(string target, string action) { Check(); lock (this) Prompts.Add(target + "|" + action); return Decide(target, action); }
        public void WriteProgress(string activity, string status, int percentComplete) { Check(); lock (this) { Progress.Add(percentComplete); ProgressStatus.Add(activity + ": " + status); } }
        public void WriteVerbose(string message) { Check(); lock (this) Verbose.Add(message); }
        public void WriteWarning(string message) { Check(); lock (this) { Warnings.Add(message); Problems.Add(message); } }
        public void WriteError(OutputError error) { Check(); lock (this) { Errors.Add(error); Problems.Add(error); } }
        public void WriteTrace(string message) { lock (this) Traces.Add(message); }
        public void WriteInformation(string message) { Check(); lock (this) Information.Add(message); }
    }
}
