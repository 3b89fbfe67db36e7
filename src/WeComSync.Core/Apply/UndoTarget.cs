using WeComSync.Model;

namespace WeComSync.Apply
{
    /// <summary>
    /// What an applier wrote to, as the run log keeps it (before.jsonl) so that an undo builds the same applier: the
    /// service, the kind of object, the Authing organization and the root's link (upstream -IgnoreRootDepartment).
    /// </summary>
    public sealed class UndoTarget
    {
        /// <summary>"Authing" or "WeCom".</summary>
        public string Service { get; set; }

        public ObjectKind Kind { get; set; }

        /// <summary>The Authing organization written to (Authing appliers); null for WeCom.</summary>
        public string OrganizationCode { get; set; }

        /// <summary>The file's top department's link when the organization's root stood for it; null otherwise.</summary>
        public string RootLinkId { get; set; }

        public override string ToString() => OrganizationCode == null ? $"{Service} {Kind}" : $"{Service} {Kind} ({OrganizationCode})";
    }

    /// <summary>An applier whose writes an undo can reverse: it says what it writes to.</summary>
    public interface IUndoable
    {
        UndoTarget UndoTarget { get; }
    }
}
