using System.Management.Automation;
using System.Net;
using System.Security;
using WeComSync.Listener;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Creates, or checks and repairs, the Authing webhook that feeds Start-WeComSyncListener
    /// (<see cref="AuthingWebhookRegistration"/>): the one whose URL is given, enabled, JSON, with the user and department
    /// events, sending the secret the listener checks.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Register, "AuthingWebhook", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(WebhookRegistration))]
    public sealed class RegisterAuthingWebhookCommand : AuthingCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        public string Url { get; set; }

        [Parameter(Mandatory = true)]
        public SecureString Secret { get; set; }

        [Parameter]
        public string Name { get; set; } = AuthingWebhookRegistration.DefaultName;

        protected override void EndProcessing()
        {
            var connection = RequireConnection();
            string secret = new NetworkCredential(string.Empty, Secret).Password;
            Http.Redaction.Register(secret);
            bool write = ShouldProcess(Url, "Create or update the Authing webhook for the WeComSync listener");
            var result = Run(connection, ct => AuthingWebhookRegistration.EnsureAsync(connection.Client, Url, secret, Name, !write, ct));
            if (result == null) return;
            foreach (var difference in result.Differences) WriteVerbose($"{Url}: {difference}.");
            WriteObject(result);
        }
    }
}
