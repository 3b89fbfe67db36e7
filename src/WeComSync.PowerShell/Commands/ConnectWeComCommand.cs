using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using WeComSync.Http;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Connects the session to a WeCom corp: corp id + secret, the app mode, and the API host (WeCom, a proxy, the emulator).</summary>
    [Cmdlet(VerbsCommunications.Connect, "WeCom", DefaultParameterSetName = "Secret")]
    [OutputType(typeof(WeComConnection))]
    public sealed class ConnectWeComCommand : ConnectCmdlet
    {
        /// <summary>WeCom's documented limit: 10 000 calls per minute per corp and API.</summary>
        protected override int DefaultCallsPerMinute => WeComClient.DocumentedCallsPerMinute;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Secret", ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string CorpId { get; set; }

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Secret")]
        public SecureString Secret { get; set; }

        /// <summary>User name = corp id, password = secret.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Credential")]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public WeComAppMode AppMode { get; set; } = WeComAppMode.AddressBookSync;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ApiHost { get; set; } = WeComConnectionSettings.DefaultApiHost;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Where WeCom keeps the user fields: @{ '工号' = 'extattr.工号' }, or a .psd1/.json path.</summary>
        [Parameter]
        public object FieldMap { get; set; }

        /// <summary>The field map names every custom attribute members have: attribute updates are sent without reading the member first (no 48009).</summary>
        [Parameter]
        public SwitchParameter AllAttributesMapped { get; set; }

        protected override void ProcessRecord()
        {
            string corpId = ParameterSetName == "Credential" ? Credential.UserName : CorpId;
            var secret = ParameterSetName == "Credential" ? Credential.Password : Secret;
            if (!Uri.TryCreate(ApiHost, UriKind.Absolute, out var host) || (host.Scheme != Uri.UriSchemeHttps && host.Scheme != Uri.UriSchemeHttp))
            {
                ThrowTerminatingError(Errors.Create("WeComBadApiHost", ErrorCategory.InvalidArgument, ApiHost,
                    $"-ApiHost '{ApiHost}' is not an http(s) URL.", "Pass a base URL such as https://qyapi.weixin.qq.com."));
            }
            // The secret exists as plain text only inside the client (and the redaction list), never in a variable of the session.
            string plain = new NetworkCredential(string.Empty, secret).Password;
            if (string.IsNullOrEmpty(plain))
            {
                ThrowTerminatingError(Errors.Create("WeComEmptySecret", ErrorCategory.InvalidArgument, corpId, "The secret is empty.", "Pass the app's secret from the WeCom admin console."));
            }
            Redaction.Register(plain);
            var settings = new WeComConnectionSettings
            {
                CorpId = corpId,
                Secret = plain,
                AppMode = AppMode,
                ApiHost = host,
                Retry = BuildRetryOptions(),
                AllAttributesMapped = AllAttributesMapped,
            };
            try { settings.FieldMap = Conversion.FieldMapInput.Read(FieldMap, Model.FieldSide.WeCom, SessionState); }
            catch (ArgumentException e) { ThrowTerminatingError(Errors.Create("WeComInvalidFieldMap", ErrorCategory.InvalidArgument, FieldMap, e.Message)); }
            var connection = new WeComConnection(settings);
            // Fetch a token now, as Connect-Authing does: wrong credentials, a wrong host or a refused IP fail here.
            var output = new CmdletOutputWriter(this, System.Threading.CancellationToken.None);
            var trace = output.Trace(connection.Client);
            try
            {
                System.Threading.Tasks.Task.Run(() => connection.Client.ConnectAsync(System.Threading.CancellationToken.None)).GetAwaiter().GetResult();
            }
            catch (ApiException e)
            {
                connection.Dispose();
                ThrowTerminatingError(Errors.FromApi(e, corpId));
            }
            finally
            {
                trace.Dispose();
                output.Flush();
            }
            WeComSession.Current?.Dispose();
            WeComSession.Current = connection;
            WriteVerbose($"Connected to WeCom corp {corpId} ({AppMode}) at {host}; the token is cached and renewed before it expires.");
            if (PassThru) WriteObject(connection);
        }
    }
}
