using System.Management.Automation;
using System.Net;
using System.Security;
using WeComSync.Authing;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Connects to an Authing user pool with a management access key and keeps the connection for the session. The
    /// secret stays a SecureString; it is turned into text only for the moment a management token is fetched.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Authing", DefaultParameterSetName = CredentialSet)]
    [OutputType(typeof(AuthingConnection))]
    public sealed class ConnectAuthingCommand : ConnectCmdlet
    {
        private const string CredentialSet = "Credential";
        private const string KeySet = "AccessKey";

        /// <summary>User name = access key id, password = access key secret.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = CredentialSet)]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = KeySet)]
        [ValidateNotNullOrEmpty]
        public string AccessKeyId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = KeySet)]
        public SecureString AccessKeySecret { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ApiHost { get; set; } = AuthingSettings.PublicCloudHost;

        [Parameter]
        public string OrganizationCode { get; set; }

        [Parameter]
        [ValidateSet("zh-CN", "en-US")]
        public string Language { get; set; } = "zh-CN";

        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            var keyId = Credential != null ? Credential.UserName : AccessKeyId;
            var secret = (Credential != null ? Credential.Password : AccessKeySecret)?.Copy();
            if (string.IsNullOrEmpty(keyId) || secret == null || secret.Length == 0)
            {
                ThrowTerminatingError(Errors.Create("AuthingMissingKey", ErrorCategory.InvalidArgument, null,
                    "The access key id or secret is empty.", "Give the user pool's access key: -Credential (user name = key id, password = secret) or -AccessKeyId and -AccessKeySecret."));
            }
            secret.MakeReadOnly();
            var settings = new AuthingSettings
            {
                ApiHost = ApiHost,
                AccessKeyId = keyId.Trim(),
                AccessKeySecretProvider = () => new NetworkCredential(string.Empty, secret).Password,
                OrganizationCode = string.IsNullOrEmpty(OrganizationCode) ? null : OrganizationCode,
                Language = Language,
                SkipCertificateCheck = SkipCertificateCheck,
                Retry = BuildRetryOptions(),
            };
            AuthingConnection connection = null;
            try
            {
                connection = new AuthingConnection(settings);
            }
            catch (System.ArgumentException e)
            {
                ThrowTerminatingError(Errors.Create("AuthingInvalidArgument", ErrorCategory.InvalidArgument, ApiHost, e.Message));
            }

            // Fetch a token now, so wrong keys or a wrong host fail here rather than in the middle of a sync.
            var output = new CmdletOutputWriter(this, System.Threading.CancellationToken.None);
            connection.Client.Trace = output.WriteTrace;
            try
            {
                System.Threading.Tasks.Task.Run(() => connection.Client.GetTokenAsync(System.Threading.CancellationToken.None)).GetAwaiter().GetResult();
            }
            catch (Http.ApiException e)
            {
                connection.Dispose();
                ThrowTerminatingError(AuthingCmdlet.ToError(e));
            }
            finally
            {
                connection.Client.Trace = null;
                output.Flush();
            }

            var old = AuthingSession.Current;
            AuthingSession.Current = connection;
            if (old != null && !ReferenceEquals(old, connection)) old.Client.ForgetToken();
            WriteVerbose($"Connected: {connection}");
            if (PassThru) WriteObject(connection);
        }
    }
}
