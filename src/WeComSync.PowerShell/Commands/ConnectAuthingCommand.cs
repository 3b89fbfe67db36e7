using System.Linq;
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

        /// <summary>Where Authing keeps the user fields: @{ '工号' = 'externalId'; '职务' = 'customData.position' }, or a .psd1/.json path.</summary>
        [Parameter]
        public object FieldMap { get; set; }

        /// <summary>Other names for the four link fields: @{ UserId = 'wecom_uid'; UserDepartmentIds = …; DepartmentId = …; ParentDepartmentId = … }.</summary>
        [Parameter]
        public System.Collections.Hashtable LinkFieldName { get; set; }

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
            try
            {
                settings.LinkFields = LinkNames(LinkFieldName);
                settings.FieldMap = Conversion.FieldMapInput.Read(FieldMap, Model.FieldSide.Authing, SessionState);
                if (settings.FieldMap != null) new AuthingUserMapper(settings); // a map that would overwrite a link field fails here
            }
            catch (System.ArgumentException e)
            {
                ThrowTerminatingError(Errors.Create("AuthingInvalidFieldMap", ErrorCategory.InvalidArgument, FieldMap ?? LinkFieldName, e.Message));
            }
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
            var trace = output.Trace(connection.Client);
            try
            {
                System.Threading.Tasks.Task.Run(() => connection.Client.GetTokenAsync(System.Threading.CancellationToken.None)).GetAwaiter().GetResult();
                // A default organization that does not exist would fail every later command: check it now (404 with advice).
                if (!string.IsNullOrEmpty(settings.OrganizationCode))
                    System.Threading.Tasks.Task.Run(() => connection.Client.GetOrganizationAsync(settings.OrganizationCode, System.Threading.CancellationToken.None)).GetAwaiter().GetResult();
            }
            catch (Http.ApiException e)
            {
                connection.Dispose();
                ThrowTerminatingError(Errors.FromApi(e));
            }
            finally
            {
                trace.Dispose();
                output.Flush();
            }

            var old = AuthingSession.Current;
            AuthingSession.Current = connection;
            if (old != null && !ReferenceEquals(old, connection)) old.Client.ForgetToken();
            WriteVerbose($"Connected: {connection}");
            if (PassThru) WriteObject(connection);
        }

        private static LinkFieldNames LinkNames(System.Collections.Hashtable names)
        {
            var links = new LinkFieldNames();
            if (names == null) return links;
            foreach (System.Collections.DictionaryEntry e in names)
            {
                var key = e.Key?.ToString();
                var value = (e.Value?.ToString() ?? "").Trim();
                if (value.Length == 0) throw new System.ArgumentException($"-LinkFieldName: the name for {key} is empty.");
                switch (key?.ToLowerInvariant())
                {
                    case "userid": links.UserId = value; break;
                    case "userdepartmentids": links.UserDepartmentIds = value; break;
                    case "departmentid": links.DepartmentId = value; break;
                    case "parentdepartmentid": links.ParentDepartmentId = value; break;
                    default: throw new System.ArgumentException($"-LinkFieldName: '{key}' is not a link field. Use UserId, UserDepartmentIds, DepartmentId or ParentDepartmentId.");
                }
            }
            var all = new[] { links.UserId, links.UserDepartmentIds, links.DepartmentId, links.ParentDepartmentId };
            if (all.Take(2).Distinct(System.StringComparer.Ordinal).Count() < 2 || all.Skip(2).Distinct(System.StringComparer.Ordinal).Count() < 2)
                throw new System.ArgumentException("-LinkFieldName: two link fields of the same object share a name: " + string.Join(", ", all) + ".");
            return links;
        }
    }
}
