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
        /// <summary>
        /// A leaver kept but switched off instead of deleted (-DeleteAction Suspend): Authing status Suspended, WeCom
        /// enable 0. Back in the source, the user is reactivated by an update (Enabled false -> true), never created twice.
        /// </summary>
        Suspend,
    }

    /// <summary>What happens to a user who is gone from the source, when deletes are asked for.</summary>
    public enum DeleteAction
    {
        /// <summary>Delete the user (the default).</summary>
        Delete,
        /// <summary>Suspend the user (Authing status Suspended, WeCom enable 0); a later Delete run removes those still absent.</summary>
        Suspend,
    }

    public static class ChangeOperations
    {
        /// <summary>A delete or a suspend: it takes access away, so the delete guard counts it.</summary>
        public static bool Removes(this ChangeOperation op) => op == ChangeOperation.Delete || op == ChangeOperation.Suspend;
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

        /// <summary>"departments [a] -> [b]": lists and empty values as the plan shows them (-WhatIf, -Confirm, Export-Csv).</summary>
        public override string ToString() => Comparison.PlanText.Fields(new[] { this });
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
        public int SuspendCount { get; set; }

        /// <summary>
        /// Users suspended in the target who are in the reference, which does not say whether they are enabled (an export
        /// without 禁用状态, or a blank cell): they stay suspended, since unknown is never a change; a re-hire needs 启用.
        /// </summary>
        public int KeptSuspendedCount { get; set; }

        /// <summary>
        /// The warning for <see cref="KeptSuspendedCount"/>, null when there is none: Compare-Directory writes it, and a
        /// sync run's step message keeps it in the run log. A method, so that plan.json and Export-Clixml do not carry it.
        /// </summary>
        public string KeptSuspendedWarning() => KeptSuspendedCount <= 0 ? null
            : $"{KeptSuspendedCount} user(s) suspended in the target are in the source, which does not say whether they are enabled " +
              "(an export without the 禁用状态 column, or a blank cell): they stay suspended. To reactivate them, give them 启用 in 禁用状态.";

        /// <summary>
        /// Departments of the reference that would sit deeper than WeCom's 15 levels (the root is level 1; 81002 "部门最多15层",
        /// developer.work.weixin.qq.com/document/path/90313): WeCom refuses to create or move them. Counted for plans into WeCom.
        /// </summary>
        public int TooDeepCount { get; set; }

        /// <summary>One department that is too deep, for the warning.</summary>
        public string TooDeepExample { get; set; }

        /// <summary>The warning for <see cref="TooDeepCount"/>, null when there is none (a method: plan.json does not carry it).</summary>
        public string TooDeepWarning() => TooDeepCount <= 0 ? null
            : $"{TooDeepCount} department(s) would be deeper than the 15 levels WeCom allows (the root is level 1), e.g. '{TooDeepExample}': " +
              "WeCom refuses to create or move them (81002), and their members cannot be placed there. Flatten the tree to 15 levels before applying.";

        /// <summary>
        /// Users in the scope of a scoped plan who are also in departments outside it that the target does not have: they
        /// are written with their departments in scope (and those that exist), those memberships left alone.
        /// </summary>
        public int OutOfScopeMembershipCount { get; set; }

        /// <summary>One of them, for the note ("lisi in 示例科技/销售部").</summary>
        public string OutOfScopeMembershipExample { get; set; }

        /// <summary>The note for <see cref="OutOfScopeMembershipCount"/>, null when there is none (a method: plan.json does not carry it).</summary>
        public string OutOfScopeMembershipNote() => OutOfScopeMembershipCount <= 0 ? null
            : $"{OutOfScopeMembershipCount} user(s) in scope are also in departments outside it that the target does not have (e.g. {OutOfScopeMembershipExample}): " +
              "they are written with their departments in scope and those that exist; those memberships are left alone. Widen -Department to sync them too.";

        /// <summary>The departments the plan was limited to (-Department, -ExcludeDepartment); null: the whole directory.</summary>
        public string Scope { get; set; }
        public System.DateTimeOffset ComputedAt { get; set; }

        /// <summary>The directory the wanted side was read from; null for an export file or hand-built objects.</summary>
        public DirectoryInstance Source { get; set; }

        /// <summary>The directory the plan was computed against (the held side): applying it elsewhere is refused.</summary>
        public DirectoryInstance Target { get; set; }

        /// <summary>
        /// Set when deletes were asked for but refused because a side was not read completely: says which side, why,
        /// and what to do. Null when deletes were not refused.
        /// </summary>
        public string DeleteRefusedReason { get; set; }

        /// <summary>How many changes the plan has (its counts added up).</summary>
        public int ChangeCount() => CreateCount + UpdateCount + MoveCount + DeleteCount + ConflictCount + SuspendCount;

        /// <summary>
        /// This plan counted over <paramref name="changes"/>, the ones of it that are given (a plan filtered with
        /// Where-Object, or a part of it): its summary describes those changes, not the whole plan they came from.
        /// </summary>
        public PlanContext CountedOver(IEnumerable<Change> changes)
        {
            var counted = (PlanContext)MemberwiseClone();
            counted.CreateCount = counted.UpdateCount = counted.MoveCount = counted.DeleteCount = counted.ConflictCount = counted.SuspendCount = 0;
            foreach (var c in changes)
            {
                if (c == null) continue;
                switch (c.Operation)
                {
                    case ChangeOperation.Create: counted.CreateCount++; break;
                    case ChangeOperation.Update: counted.UpdateCount++; break;
                    case ChangeOperation.Move: counted.MoveCount++; break;
                    case ChangeOperation.Delete: counted.DeleteCount++; break;
                    case ChangeOperation.Suspend: counted.SuspendCount++; break;
                    default: counted.ConflictCount++; break;
                }
            }
            return counted;
        }

        /// <summary>The plan's summary line: "Plan: 1 to create, 2 to update, 0 to move, 0 to delete."</summary>
        public override string ToString()
        {
            string text = $"Plan: {CreateCount} to create, {UpdateCount} to update, {MoveCount} to move, {DeleteCount} to delete";
            if (SuspendCount > 0) text += $", {SuspendCount} to suspend";
            if (ConflictCount > 0) text += $", {ConflictCount} conflict(s) to resolve";
            if (Scope != null) text += $" (scope: {Scope})";
            if (DeleteRefusedReason != null) text += " (deletes refused: a side was read incompletely)";
            return text + ".";
        }
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

        public Change() { _fields = FieldChangeList.Of(new FieldChangeList(), this); }

        public List<FieldChange> Fields { get => _fields; set => _fields = FieldChangeList.Of(value, this); }
        private List<FieldChange> _fields;

        /// <summary>Why this change is planned (e.g. "matched by username", "renamed, matched by members").</summary>
        public string Reason { get; set; }

        /// <summary>Position in the plan; apply in this order.</summary>
        public int Sequence { get; set; }

        public PlanContext Plan { get; set; }

        /// <summary>For a conflict: every object that could have been meant (the ambiguous candidates or the duplicates).</summary>
        public List<DirectoryObject> Candidates { get => _candidates; set => _candidates = DirectoryObjectList.Of(value); }
        private List<DirectoryObject> _candidates;

        /// <summary>The change as one plan line: "+ create user zhangsan (张三) in 研发部", "~ update user lisi: mobile … -> …".</summary>
        public string Description { get; set; }

        public override string ToString() => $"{Operation} {Kind} {Key}";
    }
}
