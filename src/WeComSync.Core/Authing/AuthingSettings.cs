using System;
using WeComSync.Http;

namespace WeComSync.Authing
{
    /// <summary>
    /// The names of the four Authing extension (custom) fields that hold the WeCom identity. The defaults are the names
    /// Authing's own WeCom integration uses; change them when a pool already uses other keys.
    /// </summary>
    public sealed class LinkFieldNames
    {
        public const string DefaultUserId = "wechatwork_user_id";
        public const string DefaultUserDepartmentIds = "wechatwork_department_ids";
        public const string DefaultDepartmentId = "wechatwork_department_id";
        public const string DefaultParentDepartmentId = "wechatwork_parent_department_id";

        /// <summary>On users: the WeCom userid.</summary>
        public string UserId { get; set; } = DefaultUserId;

        /// <summary>On users: the WeCom department ids (link ids), main department first, joined by ';'.</summary>
        public string UserDepartmentIds { get; set; } = DefaultUserDepartmentIds;

        /// <summary>On departments: the WeCom department identity (upstream the full path, downstream the WeCom id).</summary>
        public string DepartmentId { get; set; } = DefaultDepartmentId;

        /// <summary>On departments: the parent's WeCom identity.</summary>
        public string ParentDepartmentId { get; set; } = DefaultParentDepartmentId;

        /// <summary>Separator of <see cref="UserDepartmentIds"/>: the export already splits departments on ';', so no path contains one.</summary>
        public const char ListSeparator = ';';

        public LinkFieldNames Clone() => (LinkFieldNames)MemberwiseClone();
    }

    /// <summary>
    /// Everything needed to talk to one Authing user pool. The secret is a plain string here on purpose: the core has no
    /// SecureString; the cmdlet keeps the SecureString and turns it into this only just before use.
    /// </summary>
    public sealed class AuthingSettings
    {
        public const string PublicCloudHost = "https://api.authing.cn";

        /// <summary>The API host without trailing slash: the public cloud, a private deployment, or the emulator.</summary>
        public string ApiHost { get; set; } = PublicCloudHost;

        public string AccessKeyId { get; set; }

        public string AccessKeySecret { get; set; }

        /// <summary>
        /// Gives the secret only when a token is fetched, so the plain text lives no longer than that call (the cmdlet
        /// converts its SecureString here). Used instead of <see cref="AccessKeySecret"/> when set.
        /// </summary>
        public Func<string> AccessKeySecretProvider { get; set; }

        internal string ReadSecret() => AccessKeySecretProvider != null ? AccessKeySecretProvider() : AccessKeySecret;

        /// <summary>Default organization for department reads and writes.</summary>
        public string OrganizationCode { get; set; }

        /// <summary>Language of the API's messages: zh-CN or en-US.</summary>
        public string Language { get; set; } = "zh-CN";

        /// <summary>Accept any server certificate (private deployments with self-signed certificates only).</summary>
        public bool SkipCertificateCheck { get; set; }

        public RetryOptions Retry { get; set; } = new RetryOptions();

        public LinkFieldNames LinkFields { get; set; } = new LinkFieldNames();

        /// <summary>
        /// Where Authing keeps the user fields beyond the defaults (Position, Telephone and custom columns have no place
        /// unless mapped, e.g. to customData.position); null: the registry's defaults only.
        /// </summary>
        public Model.FieldMap FieldMap { get; set; }

        /// <summary>Refresh the management token this long before it expires.</summary>
        public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

        internal Uri BaseUri()
        {
            if (string.IsNullOrWhiteSpace(ApiHost)) throw new ArgumentException("The Authing API host is empty. Give -ApiHost, e.g. " + PublicCloudHost + ".");
            var host = ApiHost.Trim().TrimEnd('/');
            if (!host.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !host.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) host = "https://" + host;
            if (!Uri.TryCreate(host + "/", UriKind.Absolute, out var uri)) throw new ArgumentException($"'{ApiHost}' is not a valid API host. Give a URL such as {PublicCloudHost}.");
            return uri;
        }
    }
}
