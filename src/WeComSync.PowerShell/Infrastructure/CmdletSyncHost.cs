using System.Management.Automation;
using System.Threading;
using WeComSync.Apply;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets the core engine ask a cmdlet for confirmation and report progress, without the core knowing PowerShell.
    /// Only use it from the pipeline thread: PowerShell's ShouldProcess and Write* are not thread safe.
    /// </summary>
    internal sealed class CmdletSyncHost : ISyncHost
    {
        private readonly PSCmdlet _cmdlet;
        private readonly int _activityId;

        public CmdletSyncHost(PSCmdlet cmdlet, CancellationToken cancellationToken, int activityId = 1)
        {
            _cmdlet = cmdlet;
            _activityId = activityId;
            CancellationToken = cancellationToken;
        }

        public CancellationToken CancellationToken { get; }

        // Once the pipeline is stopped (Ctrl+C) nothing can be written or asked: the engine finishes quietly.
        public bool ShouldProcess(string target, string action) => !_cmdlet.Stopping && _cmdlet.ShouldProcess(target, action);

        public void WriteProgress(string activity, string status, int percentComplete)
        {
            if (_cmdlet.Stopping) return;
            var record = new ProgressRecord(_activityId, activity, string.IsNullOrEmpty(status) ? " " : status)
            {
                PercentComplete = percentComplete,
                RecordType = percentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            _cmdlet.WriteProgress(record);
        }

        public void WriteVerbose(string message) { if (!_cmdlet.Stopping) _cmdlet.WriteVerbose(message); }

        public void WriteWarning(string message) { if (!_cmdlet.Stopping) _cmdlet.WriteWarning(message); }
    }
}
