using System.Threading;

namespace WeComSync
{
    /// <summary>
    /// The engine's one channel to whoever runs it (a cmdlet, a test), as PSScriptAnalyzer's engine takes an
    /// IOutputWriter: confirmation, progress, notes (verbose), warnings and HTTP traces, and the run's cancellation.
    /// The engine never calls PowerShell; a cmdlet adapts its own ShouldProcess/Write* to this, a test records.
    /// Everything but <see cref="WriteTrace"/> is only called on the caller's (pipeline) thread.
    /// </summary>
    public interface IOutputWriter
    {
        bool ShouldProcess(string target, string action);
        void WriteProgress(string activity, string status, int percentComplete);

        /// <summary>A note on what the engine decided or did (the verbose stream).</summary>
        void WriteVerbose(string message);

        void WriteWarning(string message);

        /// <summary>One HTTP call as the transport saw it (already redacted); from any thread. Every cmdlet writes these to the same stream.</summary>
        void WriteTrace(string message);

        CancellationToken CancellationToken { get; }
    }
}
