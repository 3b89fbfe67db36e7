using System.Threading;

namespace WeComSync
{
    /// <summary>
    /// The engine's one channel to whoever runs it (a cmdlet, a test), as PSScriptAnalyzer's engine takes an
    /// IOutputWriter: confirmation, progress, notes (verbose), warnings, errors about single objects, HTTP traces, and
    /// the run's cancellation. The engine never calls PowerShell; a cmdlet adapts its own ShouldProcess/Write* to this
    /// (every cmdlet writes traces to the Verbose stream), a test records. Readers and appliers take one; what they
    /// return (users, results, skipped records) is data, and stays data.
    /// <para>
    /// <see cref="ShouldProcess"/> is only called on the caller's (pipeline) thread; everything else may come from any
    /// thread (a reader's parallel calls), and a writer bound to one thread queues it until it is back there.
    /// </para>
    /// </summary>
    public interface IOutputWriter
    {
        bool ShouldProcess(string target, string action);

        /// <summary>How far an activity has come: <paramref name="percentComplete"/> -1 when unknown, 100 closes the activity.</summary>
        void WriteProgress(string activity, string status, int percentComplete);

        /// <summary>A note on what the engine decided or did (the verbose stream).</summary>
        void WriteVerbose(string message);

        /// <summary>Something the admin should know: data that is unknown, read partially or left out.</summary>
        void WriteWarning(string message);

        /// <summary>
        /// One object that could not be used and was skipped while the work goes on (a bad row): the error stream.
        /// What stops everything is thrown instead.
        /// </summary>
        void WriteError(OutputError error);

        /// <summary>One HTTP call as the transport saw it (already redacted). Every cmdlet writes these to the same stream.</summary>
        void WriteTrace(string message);

        /// <summary>
        /// Text for the person running it, not data (a dry run's plan): a cmdlet shows it like Write-Host, on the
        /// information stream, so that <c>6&gt;</c> or <c>*&gt;</c> captures it.
        /// </summary>
        void WriteInformation(string message);

        CancellationToken CancellationToken { get; }
    }

    /// <summary>
    /// A writer that queues what other threads write until its own thread writes it (a cmdlet's): an engine that waits
    /// on the caller's thread for work running elsewhere calls <see cref="Flush"/> now and then, so that progress and
    /// warnings show while the work runs, not after it.
    /// </summary>
    public interface IQueuedOutput
    {
        /// <summary>Writes what is queued; call it on the writer's own thread.</summary>
        void Flush();
    }

    /// <summary>Writes nothing and approves nothing: for engine parts used without a host (a test, a library caller).</summary>
    public sealed class NullOutputWriter : IOutputWriter
    {
        public static readonly NullOutputWriter Instance = new NullOutputWriter();

        private NullOutputWriter() { }

        public bool ShouldProcess(string target, string action) => false;
        public void WriteProgress(string activity, string status, int percentComplete) { }
        public void WriteVerbose(string message) { }
        public void WriteWarning(string message) { }
        public void WriteError(OutputError error) { }
        public void WriteTrace(string message) { }
        public void WriteInformation(string message) { }
        public CancellationToken CancellationToken => CancellationToken.None;
    }
}
