using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using WeComSync.Apply;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// The one <see cref="IOutputWriter"/> every cmdlet gives the engine: ShouldProcess, progress, notes (Verbose),
    /// warnings, errors about single objects (error records with the object as target), and the HTTP traces, which every
    /// cmdlet writes to the Verbose stream (as Invoke-RestMethod does). PowerShell's Write* and ShouldProcess are not
    /// thread safe: what comes from another thread (a reader's parallel calls) is queued, in order, and written from the
    /// pipeline thread at the next write or <see cref="Flush"/>; of progress only the latest record is kept.
    /// Create it on the pipeline thread.
    /// </summary>
    internal sealed class CmdletOutputWriter : ISyncHost, IQueuedOutput
    {
        private readonly PSCmdlet _cmdlet;
        private readonly int _activityId;
        private readonly int _pipelineThread = Environment.CurrentManagedThreadId;
        private readonly ConcurrentQueue<Action> _queued = new ConcurrentQueue<Action>();
        private ProgressRecord _progress;

        private readonly Func<string, string, bool> _shouldProcess;

        /// <param name="shouldProcess">Asks instead of the cmdlet's own ShouldProcess (a sync run that confirms its deletes one by one).</param>
        public CmdletOutputWriter(PSCmdlet cmdlet, CancellationToken cancellationToken, int activityId = 1, Func<string, string, bool> shouldProcess = null)
        {
            _cmdlet = cmdlet;
            _shouldProcess = shouldProcess;
            _activityId = activityId;
            CancellationToken = cancellationToken;
        }

        public CancellationToken CancellationToken { get; }

        private bool OnPipelineThread => Environment.CurrentManagedThreadId == _pipelineThread;

        // Once the pipeline is stopped (Ctrl+C) nothing can be written or asked: the engine finishes quietly.
        public bool ShouldProcess(string target, string action)
        {
            if (!OnPipelineThread) throw new InvalidOperationException("ShouldProcess is only asked on the pipeline thread.");
            Flush();
            return !_cmdlet.Stopping && (_shouldProcess ?? _cmdlet.ShouldProcess)(target, action);
        }

        public void WriteProgress(string activity, string status, int percentComplete)
        {
            var record = new ProgressRecord(_activityId, activity, string.IsNullOrEmpty(status) ? " " : status)
            {
                PercentComplete = Math.Min(percentComplete, 100),
                RecordType = percentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            // The latest record wins: the console shows only the latest anyway.
            Interlocked.Exchange(ref _progress, record);
            if (OnPipelineThread) Flush();
        }

        public void WriteVerbose(string message) => Write(() => _cmdlet.WriteVerbose(message));

        public void WriteWarning(string message) => Write(() => _cmdlet.WriteWarning(message));

        // An engine error is about one object (a bad row, a failed change, a failed page): no script position (Errors.AboutOneObject).
        public void WriteError(OutputError error) => Write(() => _cmdlet.WriteError(Errors.AboutOneObject(ToRecord(error), _cmdlet.MyInvocation)));

        /// <summary>The error record of an engine error: an API error's category comes from its class, else from the kind.</summary>
        internal static ErrorRecord ToRecord(OutputError error) =>
            Errors.Create(error.ErrorId, error.Exception is ApiException api ? Errors.CategoryOf(api) : Errors.CategoryOf(error.Kind),
                error.Target, error.Message, error.RecommendedAction, error.Exception);

        // Shown like Write-Host: the information stream with the PSHOST tag.
        public void WriteInformation(string message) =>
            Write(() => _cmdlet.WriteInformation(new HostInformationMessage { Message = message }, new[] { "PSHOST" }));

        public void WriteTrace(string message)
        {
            if (string.IsNullOrEmpty(message)) return;
            string line = Redaction.Redact(message);
            Write(() => _cmdlet.WriteVerbose(line));
        }

        private void Write(Action write)
        {
            _queued.Enqueue(write);
            if (OnPipelineThread) Flush();
        }

        /// <summary>Writes what other threads queued, then the latest progress; call it on the pipeline thread.</summary>
        public void Flush()
        {
            while (_queued.TryDequeue(out var write))
            {
                if (!_cmdlet.Stopping) write();
            }
            var progress = Interlocked.Exchange(ref _progress, null);
            if (progress != null && !_cmdlet.Stopping) _cmdlet.WriteProgress(progress);
        }

        /// <summary>Sends <paramref name="client"/>'s HTTP traces here until the result is disposed (then restores what was there).</summary>
        public IDisposable Trace(ITraceable client)
        {
            var previous = client.Trace;
            client.Trace = WriteTrace;
            return new Restore(() => client.Trace = previous);
        }

        private sealed class Restore : IDisposable
        {
            private Action _undo;
            public Restore(Action undo) => _undo = undo;
            public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
        }
    }
}
