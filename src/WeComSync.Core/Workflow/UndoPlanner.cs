using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.RunLog;

namespace WeComSync.Workflow
{
    /// <summary>When an undo applies an inverse change: the phases a run is undone in, in this order.</summary>
    public enum UndoPhase
    {
        /// <summary>Departments the run deleted, made again, parents first: the users re-created next find them.</summary>
        RestoreDepartments,

        /// <summary>
        /// Every user change reversed (created users deleted or suspended, updates written back, suspends reactivated,
        /// deletes re-created), while the departments the run renamed or moved still hold what it wrote: each user is
        /// read as the run left it, and written back to the department's old link (resolved to the same department).
        /// </summary>
        Users,

        /// <summary>Departments renamed or moved back, parents first, once their members are written back.</summary>
        RenameDepartments,

        /// <summary>Departments the run created, removed last, children first, once the users who were put in them are gone.</summary>
        RemoveDepartments,
    }

    /// <summary>One inverse change, or why a change the run applied cannot be undone.</summary>
    public sealed class UndoItem
    {
        public BeforeImage Image { get; set; }
        public Change Change { get; set; }
        public UndoPhase Phase { get; set; }

        /// <summary>Why there is no inverse (nothing to restore it from); null when there is one.</summary>
        public string Cannot { get; set; }

        /// <summary>What the inverse does not bring back even when it succeeds (a re-created Authing user's id, MFA, roles …).</summary>
        public string NotRestored { get; set; }
    }

    /// <summary>
    /// The inverse of each change a run applied, built from its before-images (<see cref="BeforeImageSet"/>) as ordinary
    /// plan changes. Each inverse's <see cref="Change.Current"/> is the object as the run left it (the before-image with
    /// the fields the run wrote at their new values): what the drift check expects the target to hold, so an object
    /// changed since is Stale, one already back is AlreadyApplied. <see cref="Change.Desired"/> is the before-image.
    /// </summary>
    public static class UndoPlanner
    {
        /// <summary>What a user re-created in Authing cannot get back: said on the plan line and in the undo run's summary.</summary>
        public const string AuthingRecreateLoss =
            "re-created with a new Authing user id: its old id, password, MFA, roles and permissions, sessions, login history and identities (social, enterprise) do not come back";

        /// <summary>What a member re-created in WeCom cannot get back.</summary>
        public const string WeComRecreateLoss =
            "re-created with the same userid, not activated: it joins again (invitation), and its chats, approvals and WeChat binding do not come back";

        public static UndoItem Inverse(BeforeImage image, string service, DeleteAction deleteAction, string runId)
        {
            var item = new UndoItem { Image = image };
            string reason = $"undo of run {runId}: {image.Operation.ToString().ToLowerInvariant()}";
            switch (image.Kind)
            {
                case ObjectKind.User: User(item, service, deleteAction); break;
                case ObjectKind.Department: Department(item); break;
            }
            if (item.Change != null)
            {
                item.Change.Reason = item.NotRestored == null ? reason : reason + "; " + item.NotRestored;
                item.Change.Description = PlanText.Describe(item.Change);
            }
            return item;
        }

        // ---------------------------------------------------------------- users

        private static void User(UndoItem item, string service, DeleteAction deleteAction)
        {
            var image = item.Image;
            var before = image.Before as User;
            var after = image.After as User;
            item.Phase = UndoPhase.Users;
            switch (image.Operation)
            {
                case ChangeOperation.Create:
                {
                    if (after == null) { item.Cannot = "the run log does not say what was created"; return; }
                    var made = after.Clone();
                    // The object the create made: found by the id the target gave it (Authing), or by its userid (WeCom).
                    if (service == Authing.AuthingClient.ServiceName)
                    {
                        if (string.IsNullOrEmpty(image.NewId)) { item.Cannot = "the run log has no Authing id for the user it created"; return; }
                        made.SourceId = image.NewId;
                    }
                    made.Source = service == Authing.AuthingClient.ServiceName ? DirectorySource.Authing : DirectorySource.WeComApi;
                    if (deleteAction == DeleteAction.Suspend)
                    {
                        var suspended = made.Clone();
                        suspended.Enabled = false;
                        item.Change = new Change
                        {
                            Operation = ChangeOperation.Suspend, Kind = ObjectKind.User, Key = image.Key, Current = made, Desired = suspended,
                            Fields = { new FieldChange(nameof(Model.User.Enabled), made.Enabled ?? true, false) },
                        };
                    }
                    else item.Change = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = image.Key, Current = made };
                    return;
                }
                case ChangeOperation.Delete:
                {
                    if (before == null) { item.Cannot = "the run log holds no before-image of the deleted user"; return; }
                    var again = before.Clone();
                    if (string.IsNullOrEmpty(again.UserId)) again.UserId = again.Username ?? image.Key;
                    again.SourceId = null;
                    item.Change = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = image.Key, Desired = again };
                    item.NotRestored = service == Authing.AuthingClient.ServiceName ? AuthingRecreateLoss : WeComRecreateLoss;
                    return;
                }
                case ChangeOperation.Suspend:
                {
                    if (before == null) { item.Cannot = "the run log holds no before-image of the suspended user"; return; }
                    var left = before.Clone();
                    left.Enabled = false;
                    var back = before.Clone();
                    if (back.Enabled != true) back.Enabled = true;   // it was active when suspended: a suspend plans only active users
                    item.Change = new Change
                    {
                        Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = image.Key, Current = left, Desired = back,
                        Fields = { new FieldChange(nameof(Model.User.Enabled), false, true) },
                    };
                    return;
                }
                default:
                {
                    if (before == null || after == null) { item.Cannot = "the run log holds no before-image of the updated user"; return; }
                    var left = before.Clone();
                    var back = before.Clone();
                    var fields = new List<FieldChange>();
                    var lost = new List<string>();
                    foreach (var written in image.Fields)
                    {
                        if (LinkChange.IsLink(written)) { lost.Add("the link written back to the other side"); continue; }
                        if (string.Equals(written.Field, nameof(Model.User.UserId), StringComparison.OrdinalIgnoreCase))
                        {
                            left.UserId = after.UserId;
                            fields.Add(new FieldChange(written.Field, after.UserId, before.UserId));
                            continue;
                        }
                        var field = UserFields.Find(written.Field) ?? UserFields.MappedIn(after).FirstOrDefault(f => string.Equals(f.Name, written.Field, StringComparison.OrdinalIgnoreCase));
                        if (field == null) { lost.Add(written.Field); continue; }
                        if (!field.IsKnown(before)) { lost.Add(written.Field + " (the target did not show its old value)"); continue; }
                        field.Set(left, field.Get(after));
                        fields.Add(new FieldChange(field.Name, field.Written(left), field.Written(before)));
                    }
                    if (fields.Count == 0) { item.Cannot = "nothing it wrote can be written back: " + string.Join(", ", lost); return; }
                    if (lost.Count > 0) item.NotRestored = "not restored: " + string.Join(", ", lost);
                    item.Change = new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = image.Key, Current = left, Desired = back, Fields = fields };
                    return;
                }
            }
        }

        // ---------------------------------------------------------------- departments

        private static void Department(UndoItem item)
        {
            var image = item.Image;
            var before = image.Before as Department;
            var after = image.After as Department;
            switch (image.Operation)
            {
                case ChangeOperation.Create:
                {
                    item.Phase = UndoPhase.RemoveDepartments;
                    if (after == null || string.IsNullOrEmpty(image.NewId)) { item.Cannot = "the run log has no id for the department it created"; return; }
                    var made = after.Clone();
                    made.SourceId = image.NewId;
                    made.LinkId = made.LinkId ?? made.Key;
                    made.ParentKey = null;   // the reference side's parent key, not the target's: unknown, never compared
                    item.Change = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.Department, Key = image.Key, Current = made };
                    return;
                }
                case ChangeOperation.Delete:
                {
                    item.Phase = UndoPhase.RestoreDepartments;
                    if (before == null) { item.Cannot = "the run log holds no before-image of the deleted department"; return; }
                    var again = before.Clone();
                    again.SourceId = null;
                    item.Change = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = image.Key, Desired = again };
                    item.NotRestored = "re-created with a new department id";
                    return;
                }
                default:
                {
                    item.Phase = UndoPhase.RenameDepartments;
                    if (before == null || after == null) { item.Cannot = "the run log holds no before-image of the department"; return; }
                    var left = before.Clone();
                    var fields = new List<FieldChange>();
                    bool moved = image.Operation == ChangeOperation.Move;
                    foreach (var written in image.Fields)
                    {
                        switch (written.Field)
                        {
                            case nameof(Model.Department.Name):
                                left.Name = after.Name;
                                fields.Add(new FieldChange(written.Field, after.Name, before.Name));
                                break;
                            case nameof(Model.Department.Order):
                                left.Order = after.Order;
                                fields.Add(new FieldChange(written.Field, after.Order, before.Order));
                                break;
                            case nameof(Model.Department.LinkId):
                                left.LinkId = after.LinkId ?? after.Key;
                                fields.Add(new FieldChange(written.Field, left.LinkId, before.LinkId));
                                break;
                            case nameof(Model.Department.ParentLinkId):
                                left.ParentLinkId = after.ParentLinkId;
                                fields.Add(new FieldChange(written.Field, after.ParentLinkId, before.ParentLinkId));
                                break;
                            case nameof(Model.Department.ParentKey):
                                moved = true;
                                left.ParentKey = null;   // the reference side's key: compared through ParentLinkId
                                if (after.ParentLinkId != null) left.ParentLinkId = after.ParentLinkId;
                                fields.Add(new FieldChange(written.Field, after.ParentKey, before.ParentKey));
                                break;
                        }
                    }
                    if (fields.Count == 0) { item.Cannot = "nothing it wrote can be written back"; return; }
                    item.Change = new Change
                    {
                        Operation = moved ? ChangeOperation.Move : ChangeOperation.Update, Kind = ObjectKind.Department, Key = before.LinkId ?? image.Key,
                        Current = left, Desired = before.Clone(), Fields = fields,
                    };
                    return;
                }
            }
        }
    }
}
