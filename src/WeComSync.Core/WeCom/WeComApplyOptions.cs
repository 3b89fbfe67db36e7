using System;
using System.Collections.Generic;

namespace WeComSync.WeCom
{
    /// <summary>What the WeCom appliers need besides the client.</summary>
    public sealed class WeComApplyOptions
    {
        /// <summary>Writes new WeCom ids back to Authing's link fields; null skips the write-back (plans from other sources).</summary>
        public IWeComLinkWriter LinkWriter { get; set; }

        /// <summary>Department ids created in this session (shared by the department and user appliers).</summary>
        public WeComIdMap Ids { get; set; } = new WeComIdMap();

        /// <summary>Model fields never written by an update (e.g. Mobile, Email), whatever the plan says.</summary>
        public ISet<string> ExcludeProperty { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Where WeCom keeps the user fields; null: the connection's field map.</summary>
        public Model.FieldMap FieldMap { get; set; }

        /// <summary>
        /// Let WeCom invite new members (by WeChat notice, SMS or email). user/create invites by default ("to_invite …
        /// 默认值为true", developer.work.weixin.qq.com/document/path/90195): a sync sends to_invite false unless this is set,
        /// so it never messages thousands of people as a side effect.
        /// </summary>
        public bool InviteNewMember { get; set; }
    }
}
