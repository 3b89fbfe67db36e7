using System;
using System.Collections.Generic;

namespace WeComSync.Comparison
{
    /// <summary>How matched objects are updated.</summary>
    public enum UpdateMode
    {
        /// <summary>Compare the fields both sides know; update only the differing ones.</summary>
        Changed,
        /// <summary>Send every known source field without comparing (for targets that withhold fields).</summary>
        Overwrite,
        /// <summary>
        /// No updates (and no moves): create and delete only. A reference object matched without its link (a lost
        /// write-back) still gets a link-only change while updates are an allowed operation (<see cref="LinkChange"/>).
        /// </summary>
        None,
    }

    /// <summary>Which kinds of change a plan may contain. Moves count as updates.</summary>
    [Flags]
    public enum PlanOperation
    {
        Create = 1,
        Update = 2,
        Delete = 4,
    }

    /// <summary>How a reference user may be matched with a difference user that no link key matched.</summary>
    public enum MatchKey
    {
        /// <summary>userid ↔ the link field (always tried first).</summary>
        LinkKey,
        /// <summary>userid ↔ the target's username (Authing users not linked yet).</summary>
        Username,
        /// <summary>Normalised mobile number, when both sides know it.</summary>
        Mobile,
        /// <summary>Email without case, when both sides know it.</summary>
        Email,
        /// <summary>
        /// The display name, exactly (the downstream last resort: an agent-development app sees no mobile or email).
        /// Only a reference user without a link, and only when the name is unique among the unmatched users on both
        /// sides; a linked difference user may be the candidate, and the pair gets its link written back.
        /// </summary>
        Name,
    }

    public sealed class CompareOptions
    {
        /// <summary>Fallback match keys in order, after the link key. Default: link key, then username.</summary>
        public IList<MatchKey> MatchBy { get; set; } = new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username };

        /// <summary>Compare only these fields (model property names); null or empty compares every field.</summary>
        public ICollection<string> Property { get; set; }

        /// <summary>Never compare or write these fields (sensitive ones).</summary>
        public ICollection<string> ExcludeProperty { get; set; }

        /// <summary>
        /// Fields mapped with a FieldMap besides the built-in ones: compared as text in <see cref="User.Extra"/> under
        /// these names (an export column such as 工号; the API readers put the mapped target's value there).
        /// </summary>
        public ICollection<string> MappedFields { get; set; }

        public UpdateMode UpdateMode { get; set; } = UpdateMode.Changed;

        /// <summary>What a planned delete of a user does: Delete (default) or Suspend (its own operation in the plan).</summary>
        public Model.DeleteAction DeleteAction { get; set; } = Model.DeleteAction.Delete;

        /// <summary>Only objects in these departments are created, updated, suspended or deleted; null: the whole directory.</summary>
        public DepartmentScope Scope { get; set; }

        /// <summary>Default Create and Update; Delete only when asked (the delete-only run).</summary>
        public PlanOperation Operation { get; set; } = PlanOperation.Create | PlanOperation.Update;

        /// <summary>Where one verbose line per matching decision goes (-Verbose); null when nobody listens, so nothing is built.</summary>
        public IOutputWriter Output { get; set; }

        /// <summary>A department's direct members must share more than this share to count as "mostly the same".</summary>
        public double RenameSimilarity { get; set; } = 0.5;

        public CompareOptions Clone() => (CompareOptions)MemberwiseClone();

        internal bool Allows(PlanOperation op) => (Operation & op) == op;

        internal bool Updates => Allows(PlanOperation.Update) && UpdateMode != UpdateMode.None;
    }
}
