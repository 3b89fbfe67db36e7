namespace WeComSync.Model
{
    /// <summary>
    /// A department. <see cref="Key"/> is its identity within its own side: the full path in the export (it has no ids),
    /// the WeCom numeric id from the WeCom API, the Authing departmentId from Authing. <see cref="LinkId"/> is its WeCom
    /// identity, the value Authing keeps in the link field wechatwork_department_id: the path (export), the WeCom id
    /// (WeCom API; equal to Key), or whatever the link field holds (Authing; null when not linked yet). Departments are
    /// matched across sides on LinkId; <see cref="ParentKey"/> is the parent's Key on the same side and
    /// <see cref="ParentLinkId"/> the parent's LinkId.
    /// </summary>
    public sealed class Department : DirectoryObject
    {
        public string Key { get; set; }
        public string Name { get; set; }

        /// <summary>Key of the parent; null for the top (root) department.</summary>
        public string ParentKey { get; set; }

        /// <summary>WeCom order (higher sorts first); null when unknown.</summary>
        public long? Order { get; set; }

        /// <summary>Names from the top joined by '/'.</summary>
        public string Path { get; set; }

        /// <summary>Levels below the top: the top department is 0.</summary>
        public int Depth { get; set; }

        public string LinkId { get; set; }
        public string ParentLinkId { get; set; }

        /// <summary>True for the root: WeCom id 1, the Authing organization's root. Never created, renamed or deleted.</summary>
        public bool IsRoot { get; set; }

        /// <summary>A shallow copy, for planners that must adjust a department without touching the caller's object.</summary>
        public Department Clone() => (Department)MemberwiseClone();

        public override string ToString() => Path ?? Name ?? Key;
    }
}
