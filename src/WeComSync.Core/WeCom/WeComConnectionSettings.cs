using System;
using WeComSync.Http;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Which kind of WeCom secret the connection uses; it decides what the API will show and allow (docs/ARCHITECTURE.md §11, docs/ServiceFacts.md).
    /// </summary>
    public enum WeComAppMode
    {
        /// <summary>
        /// The address-book sync (通讯录同步) secret: every id list and every write. Detail reads work from IPs
        /// trusted before 2022-08-15; from newer IPs they answer 48009 and only id lists remain.
        /// </summary>
        AddressBookSync,

        /// <summary>A self-built (自建) app: mobile, email, gender, biz_mail and address are withheld; contact writes need the address-book sync secret.</summary>
        SelfBuilt,

        /// <summary>
        /// An agent-development (代开发) app, as Authing's public cloud uses: the sensitive fields are withheld, so users
        /// are associated by userid and name only.
        /// </summary>
        AgentDevelopment,
    }

    /// <summary>What a WeCom connection needs. The secret is plain text here: the cmdlet converts its SecureString just before use.</summary>
    public sealed class WeComConnectionSettings
    {
        public const string DefaultApiHost = "https://qyapi.weixin.qq.com";

        public string CorpId { get; set; }
        public string Secret { get; set; }
        public WeComAppMode AppMode { get; set; } = WeComAppMode.AddressBookSync;

        /// <summary>API base address: WeCom itself, a forwarding proxy, or the emulator.</summary>
        public Uri ApiHost { get; set; } = new Uri(DefaultApiHost);

        public RetryOptions Retry { get; set; } = new RetryOptions();

        /// <summary>
        /// Most detail reads at once (user/list per department, user/get, department/get): a ceiling, the number in
        /// flight adapts to the service; 0 = the default ceiling.
        /// </summary>
        public int ReadParallelism { get; set; }

        /// <summary>Where WeCom keeps the user fields beyond the defaults (extattr.&lt;name&gt;, external_position …); null: the defaults.</summary>
        public Model.FieldMap FieldMap { get; set; }

        /// <summary>
        /// The field map names every custom attribute (extattr) the members carry: an update that writes attributes sends
        /// them without first reading the member (user/get) for the others. Needed where that read answers 48009 (the
        /// address-book sync secret from an IP added after 2022-08-15); an attribute the map does not name could be
        /// cleared if WeCom replaces the list (docs/ServiceFacts.md).
        /// </summary>
        public bool AllAttributesMapped { get; set; }

        /// <summary>Renew the cached token this long before WeCom says it expires.</summary>
        public TimeSpan TokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(5);
    }
}
