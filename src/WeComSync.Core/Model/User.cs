using System.Collections.Generic;

namespace WeComSync.Model
{
    public enum Gender
    {
        Unknown = 0,
        Male = 1,
        Female = 2,
    }

    /// <summary>WeCom member status (user/get `status`); the export's 激活状态/禁用状态 map onto it.</summary>
    public enum UserStatus
    {
        Unknown = 0,
        Active = 1,
        Disabled = 2,
        NotActivated = 4,
        Left = 5,
    }

    /// <summary>
    /// A member, in the neutral model both directions use. <see cref="UserId"/> is the WeCom userid (账号), the link key.
    /// Every property is null when the source did not provide it (unknown), which differs from empty.
    /// </summary>
    public sealed class User : DirectoryObject
    {
        /// <summary>WeCom userid (账号): the link key. On Authing users, the value of the link field (wechatwork_user_id); null when unlinked.</summary>
        public string UserId { get; set; }

        /// <summary>The old userid when the export wrote <c>old:new</c> in 账号 (a one-time rename); null otherwise.</summary>
        public string PreviousUserId { get; set; }

        /// <summary>Authing username (the fallback match key); null for WeCom sources.</summary>
        public string Username { get; set; }

        public string Name { get; set; }
        public string Alias { get; set; }
        public string Position { get; set; }
        public Gender? Gender { get; set; }

        /// <summary>Mobile number, E.164-like: <c>+86 13800000000</c>.</summary>
        public string Mobile { get; set; }

        public string Telephone { get; set; }
        public string Email { get; set; }
        public string BizMail { get; set; }
        public string Address { get; set; }

        /// <summary>
        /// The member's departments as department <see cref="Department.LinkId"/>s (the WeCom identity: the full path
        /// upstream, the WeCom id downstream), so both sides of a comparison speak the same ids. The first is the main
        /// department. The Authing reader maps Authing department ids to link ids; an Authing department not yet linked
        /// appears as "authing:&lt;departmentId&gt;". Null when unknown.
        /// </summary>
        public List<string> Departments { get => _departments; set => _departments = ValueList.Of(value); }
        private List<string> _departments;

        /// <summary>
        /// The same departments, in the same order, as paths of names from the top ("示例科技/研发部/一组"): what a person
        /// reads, and what the views and Export-Csv show, where <see cref="Departments"/> may hold WeCom's numeric ids
        /// (the link ids after a downstream run). Set by the readers: the export's paths; WeCom's department tree from its
        /// root; the Authing organization's tree, its root named after the organization. Display only: never compared.
        /// Null when unknown (department names withheld, a hand-built user).
        /// </summary>
        public List<string> DepartmentPaths { get => _departmentPaths; set => _departmentPaths = ValueList.Of(value); }
        private List<string> _departmentPaths;

        public bool? Enabled { get; set; }
        public UserStatus? Status { get; set; }

        /// <summary>The raw status words as the source wrote them (e.g. 已激活 / 启用), kept for display and logs.</summary>
        public string StatusText { get; set; }

        /// <summary>
        /// Custom columns (export) or custom data (Authing) not mapped to a model field, by name: a view
        /// (<see cref="ExtraFields"/>) over the values the user keeps by slot, which a comparison reads by index. Setting
        /// it keeps a copy of what it is given; null empties it.
        /// </summary>
        public IDictionary<string, string> Extra { get => new ExtraFields(this); set => _extra = ExtraFields.ToSlots(value); }

        // Custom values by ExtraSlots slot; null entries (and slots past the end) are absent.
        private string[] _extra;

        internal string[] ExtraSlotValues { get => _extra; set => _extra = value; }

        /// <summary>The custom value in an <see cref="ExtraSlots"/> slot; null when the user has none.</summary>
        internal string ExtraAt(int slot) => _extra != null && (uint)slot < (uint)_extra.Length ? _extra[slot] : null;

        /// <summary>Sets the custom value in a slot (null removes it).</summary>
        internal void SetExtra(int slot, string value) => _extra = ExtraFields.Put(_extra, slot, value);

        /// <summary>A copy whose lists, extra values and withheld fields are its own (planners adjust copies, never the caller's objects).</summary>
        public User Clone()
        {
            var c = (User)MemberwiseClone();
            c.Departments = Departments == null ? null : new List<string>(Departments);
            c.DepartmentPaths = DepartmentPaths == null ? null : new List<string>(DepartmentPaths);
            c._extra = (string[])_extra?.Clone();
            c.WithheldFields = new HashSet<string>(WithheldFields ?? (IEnumerable<string>)new string[0], System.StringComparer.OrdinalIgnoreCase);
            return c;
        }

        public override string ToString() => Name == null ? UserId : $"{UserId} ({Name})";
    }
}
