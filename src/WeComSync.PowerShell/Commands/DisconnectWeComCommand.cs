using System.Management.Automation;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Forgets the session's WeCom connection (or the given one) and its cached token.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "WeCom")]
    [OutputType(typeof(void))]
    public sealed class DisconnectWeComCommand : PSCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public WeComConnection Connection { get; set; }

        protected override void ProcessRecord()
        {
            var connection = Connection ?? WeComSession.Current;
            if (connection == null)
            {
                WriteVerbose("Not connected to WeCom: nothing to do.");
                return;
            }
            connection.Client.ForgetToken();
            if (ReferenceEquals(connection, WeComSession.Current)) WeComSession.Current = null;
            connection.Dispose();
            WriteVerbose($"Disconnected from WeCom corp {connection.CorpId}.");
        }
    }
}
