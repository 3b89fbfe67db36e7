using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using WeComSync.Apply;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// The one <see cref="IOutputWriter"/> every cmdlet gives the engine: ShouldProcess, progress, notes (Verbose),
    /// warnings, and the HTTP traces, which every cmdlet writes to the Verbose stream (as Invoke-RestMethod does).
    /// Traces may come from any thread: they are queued and written from the pipeline thread at the next write or
    /// <see cref="Flush"/>, because PowerShell's Write* and ShouldProcess are not thread safe.
    /// </summary>
    internal sealed class CmdletOutputWriter : ISyncHost
    {
        private readonly PSCmdlet _cmdlet;
        private readonly int _activityId;
        private readonly ConcurrentQueue<string> _traces = new ConcurrentQueue<string>();

        public CmdletOutputWriter(PSCmdlet cmdlet, CancellationToken cancellationToken, int activityId = 1)
        {
            _cmdlet = cmdlet;
            _activityId = activityId;
            CancellationToken = cancellationToken;
        }

        public CancellationToken CancellationToken { get; }

        // Once the pipeline is stopped (Ctrl+C) nothing can be written or asked: the engine finishes quietly.
        public bool ShouldProcess(string target, string action)
        {
            Flush();
            return !_cmdlet.Stopping && _cmdlet.ShouldProcess(target, action);
        }

        public void WriteProgress(string activity, string status, int percentComplete)
        {
            Flush();
            if (_cmdlet.Stopping) return;
            var record = new ProgressRecord(_activityId, activity, string.IsNullOrEmpty(status) ? " " : status)
            {
                PercentComplete = percentComplete,
                RecordType = percentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            _cmdlet.WriteProgress(record);
        }

        public void WriteVerbose(string message)
        {
            Flush();
            if (!_cmdlet.Stopping) _cmdlet.WriteVerbose(message);
        }

        public void WriteWarning(string message)
        {
            Flush();
            if (!_cmdlet.Stopping) _cmdlet.WriteWarning(message);
        }

        public void WriteTrace(string message)
        {
            if (!string.IsNullOrEmpty(message)) _traces.Enqueue(Redaction.Redact(message));
        }

        /// <summary>Writes the queued traces; call it on the pipeline thread.</summary>
        public void Flush()
        {
            while (_traces.TryDequeue(out var line))
            {
                if (!_cmdlet.Stopping) _cmdlet.WriteVerbose(line);
            }
        }
    }
}
