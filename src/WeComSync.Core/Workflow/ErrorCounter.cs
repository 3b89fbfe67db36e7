using System.Threading;

namespace WeComSync.Workflow
{
    /// <summary>Passes everything on to another writer and counts the errors (a read's bad rows).</summary>
    internal sealed class ErrorCounter : IOutputWriter, IQueuedOutput
    {
        private readonly IOutputWriter _inner;
        private int _errors;

        public ErrorCounter(IOutputWriter inner) => _inner = inner;

        public int Errors => Volatile.Read(ref _errors);

        public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);
        public void WriteProgress(string activity, string status, int percentComplete) => _inner.WriteProgress(activity, status, percentComplete);
        public void WriteVerbose(string message) => _inner.WriteVerbose(message);
        public void WriteWarning(string message) => _inner.WriteWarning(message);
        public void WriteTrace(string message) => _inner.WriteTrace(message);
        public void WriteInformation(string message) => _inner.WriteInformation(message);
        public CancellationToken CancellationToken => _inner.CancellationToken;
        public void Flush() => (_inner as IQueuedOutput)?.Flush();

        public void WriteError(OutputError error)
        {
            Interlocked.Increment(ref _errors);
            _inner.WriteError(error);
        }
    }
}
