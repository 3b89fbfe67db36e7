using System.Collections.Generic;

namespace WeComSync.Model
{
    public enum ChangeOperation
    {
        Create,
        Update,
        /// <summary>A department whose parent changed (it may also be renamed).</summary>
        Move,
        Delete,
        /// <summary>Not applied: an ambiguous match or a duplicate, reported for a human to resolve.</summary>
        Conflict,
    }

    public enum ObjectKind
    {
        User,
        Department,
    }

    /// <summary>One field that differs: what the target holds now and what the source wants.</summary>
    public sealed class FieldChange
    {
        public FieldChange() { }
        public FieldChange(string field, object oldValue, object newValue) { Field = field; Old = oldValue; New = newValue; }

        /// <summary>Model property name (Mobile, Departments, Name …).</summary>
        public string Field { get; set; }
        public object Old { get; set; }
        public object New { get; set; }

        public override string ToString() => $"{Field}: {Old} -> {New}";
    }

    /// <summary>What a plan was computed from, so a delete guard can judge a percentage after the plan was saved and reloaded.</summary>
    public sealed class PlanContext
    {
        public ObjectKind Kind { get; set; }
        public int SourceCount { get; set; }
        public int TargetCount { get; set; }
        public int CreateCount { get; set; }
        public int UpdateCount { get; set; }
        public int MoveCount { get; set; }
        public int DeleteCount { get; set; }
        public int ConflictCount { get; set; }
        public System.DateTimeOffset ComputedAt { get; set; }
    }

    /// <summary>One planned change: the unit that Compare-Directory emits and the Sync-* cmdlets apply.</summary>
    public sealed class Change
    {
        public ChangeOperation Operation { get; set; }
        public ObjectKind Kind { get; set; }

        /// <summary>The object's identity: userid for users, key (path or WeCom id) for departments.</summary>
        public string Key { get; set; }

        /// <summary>What the source wants (null for deletes).</summary>
        public DirectoryObject Desired { get; set; }

        /// <summary>What the target holds now (null for creates).</summary>
        public DirectoryObject Current { get; set; }

        public List<FieldChange> Fields { get; set; } = new List<FieldChange>();

        /// <summary>Why this change is planned (e.g. "matched by username", "renamed, matched by members").</summary>
        public string Reason { get; set; }

        /// <summary>Position in the plan; apply in this order.</summary>
        public int Sequence { get; set; }

        public PlanContext Plan { get; set; }

        public override string ToString() => $"{Operation} {Kind} {Key}";
    }
}
