using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Forgets the session's Authing connection and its cached management token.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Authing")]
    [OutputType(typeof(void))]
    public sealed class DisconnectAuthingCommand : PSCmdlet
    {
        /// <summary>A connection from Connect-Authing -PassThru to close; default: the session's.</summary>
        [Parameter(ValueFromPipeline = true)]
        public AuthingConnection Connection { get; set; }

        protected override void ProcessRecord()
        {
            var connection = Connection ?? AuthingSession.Current;
            if (connection == null)
            {
                WriteVerbose("Not connected to Authing: nothing to do.");
                return;
            }
            if (ReferenceEquals(connection, AuthingSession.Current)) AuthingSession.Current = null;
            connection.Client.ForgetToken();
            connection.Dispose();
            WriteVerbose($"Disconnected: {connection}");
        }
    }
}
