using System.Threading;

namespace WeComSync.Apply
{
    /// <summary>
    /// What the engine needs from whoever runs it (a cmdlet, a test): confirmation, progress and messages.
    /// The engine never calls PowerShell directly; a cmdlet adapts its own ShouldProcess/WriteProgress to this,
    /// a test passes a recorder. ShouldProcess is only ever called on the caller's (pipeline) thread.
    /// </summary>
    public interface ISyncHost
    {
        bool ShouldProcess(string target, string action);
        void WriteProgress(string activity, string status, int percentComplete);
        void WriteVerbose(string message);
        void WriteWarning(string message);
        CancellationToken CancellationToken { get; }
    }
}
