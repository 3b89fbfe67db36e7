namespace WeComSync.Model
{
    /// <summary>
    /// A department. <see cref="Key"/> is its identity within one side: the full path upstream (the export has no ids),
    /// the WeCom numeric id downstream. <see cref="LinkId"/>/<see cref="ParentLinkId"/> are the values Authing keeps in
    /// the link fields wechatwork_department_id / wechatwork_parent_department_id.
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

        public override string ToString() => Path ?? Name ?? Key;
    }
}
