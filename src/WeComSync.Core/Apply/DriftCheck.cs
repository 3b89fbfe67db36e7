using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Apply
{
    /// <summary>
    /// What a target applier contributes to the drift check: the objects a plan is about to change, read again as the
    /// target holds them now, in batches where the API has a batch read.
    /// </summary>
    public interface IDriftReader
    {
        /// <summary>
        /// For each change, the object it would write as the target holds it now; a change whose object is not found is
        /// absent from the answer (or maps to null). Runs after <see cref="IChangeApplier.PrepareAsync"/>, off the caller's thread.
        /// </summary>
        Task<IReadOnlyDictionary<Change, DirectoryObject>> ReadNowAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken);
    }

    /// <summary>
    /// A saved plan never applies over drift: before anything is written, the objects the plan is about to change are
    /// read again and compared with what the plan was computed from. An update, move or delete whose object changed or
    /// went away, and a create whose object now exists, is not applied: its result is <see cref="Outcome.Stale"/> and
    /// says which field differs. The comparison is the plan's own (<see cref="UserFields"/>: unknown is never a difference,
    /// values compare after normalisation), so a re-read of an untouched object never looks changed. Mapped fields
    /// (工号 → externalId …) count like built-in ones: the plan's object and the re-read both carry the fields their map
    /// names (a saved plan is applied with the map it was computed with), and a field only one of them knows is unknown.
    /// </summary>
    public static class DriftCheck
    {
        /// <summary>A plan younger than this, still in the session that computed it, is applied without a re-read.</summary>
        public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

        /// <summary>
        /// Whether the changes need the check: some come from a saved plan (<paramref name="restored"/>), or were computed
        /// longer than <see cref="FreshFor"/> ago. Hand-built changes (no plan context) are not checked unless restored.
        /// </summary>
        public static bool IsDue(IEnumerable<Change> changes, Func<Change, bool> restored, DateTimeOffset now) =>
            changes.Any(c => c != null && (restored(c) || (c.Plan != null && c.Plan.ComputedAt != default && now - c.Plan.ComputedAt > FreshFor)));

        /// <summary>
        /// The results of the changes that are not to be applied, in plan order: <see cref="Outcome.AlreadyApplied"/> where
        /// the target already holds what the change wants (no call is made), <see cref="Outcome.Stale"/> where it drifted
        /// from what the plan was computed from (re-read through <paramref name="reader"/>).
        /// </summary>
        public static async Task<IReadOnlyList<Result>> FindStaleAsync(IReadOnlyList<Change> changes, IDriftReader reader, CancellationToken cancellationToken)
        {
            var checkable = changes.Where(Checkable).ToList();
            if (checkable.Count == 0) return Array.Empty<Result>();
            var now = await reader.ReadNowAsync(checkable, cancellationToken).ConfigureAwait(false);
            var left = new List<Result>();
            foreach (var change in checkable)
            {
                var result = Check(change, now.TryGetValue(change, out var o) ? o : null);
                if (result != null) left.Add(result);
            }
            return left;
        }

        /// <summary>Null when the change is to be applied; else its AlreadyApplied or Stale result.</summary>
        public static Result Check(Change change, DirectoryObject now)
        {
            string done = Applied(change, now);
            if (done != null) return AlreadyAppliedResult(change, done);
            string what = Differs(change, now);
            return what == null ? null : Stale(change, what);
        }

        /// <summary>
        /// Null unless the target already holds what the change wants; else what it holds, for the result: a create whose
        /// object exists (linked) with every wanted value, a delete whose object is gone, a suspend of a suspended user, an
        /// update or move whose every field already has its new value. A value the re-read does not know is never "already
        /// applied" (unknown is not the wanted value).
        /// </summary>
        public static string Applied(Change change, DirectoryObject now)
        {
            if (change == null || change.Operation == ChangeOperation.Conflict) return null;
            string what = $"{change.Kind.ToString().ToLowerInvariant()} {change.Key}";
            switch (change.Operation)
            {
                case ChangeOperation.Delete:
                    return now == null ? $"{what} no longer exists" : null;
                case ChangeOperation.Suspend:
                    return now is User suspended && now.IncompleteReason == null && suspended.Enabled == false ? $"{what} is suspended" : null;
                case ChangeOperation.Create:
                    if (now == null || now.IncompleteReason != null || change.Desired == null) return null;
                    if (now is User u && change.Desired is User wanted && !(Known(wanted.UserId) && Known(u.UserId) && string.Equals(wanted.UserId, u.UserId, StringComparison.OrdinalIgnoreCase))) return null;
                    return FieldsDiffer(change.Desired, now).Any() ? null : $"{what} exists with the values the plan wants";
                default:
                    if (now == null || now.IncompleteReason != null || change.Desired == null || change.Fields == null || change.Fields.Count == 0) return null;
                    return change.Fields.All(f => Holds(change.Desired, now, f.Field)) ? $"{what} already holds {string.Join(", ", change.Fields.Select(f => f.Field))} as wanted" : null;
            }
        }

        /// <summary>The target holds the wanted value of one field (both known and the same, as the plan compares them).</summary>
        internal static bool Holds(DirectoryObject wanted, DirectoryObject now, string field)
        {
            if (field == null) return false;
            switch (wanted)
            {
                case User a when now is User b:
                    if (LinkChange.IsLink(new FieldChange(field, null, null)) || string.Equals(field, nameof(User.UserId), StringComparison.OrdinalIgnoreCase))
                        return Known(a.UserId) && Known(b.UserId) && string.Equals(a.UserId, b.UserId, StringComparison.OrdinalIgnoreCase);
                    var f = UserFields.Find(field) ?? UserFields.MappedIn(a).FirstOrDefault(m => string.Equals(m.Name, field, StringComparison.OrdinalIgnoreCase));
                    return f != null && f.IsKnown(a) && f.IsKnown(b) && f.Same(a, b);
                case Department a when now is Department b:
                    switch (field)
                    {
                        case nameof(Department.Name): return Known(a.Name) && Known(b.Name) && Text.Clean(a.Name) == Text.Clean(b.Name);
                        case nameof(Department.Order): return a.Order.HasValue && a.Order == b.Order;
                        case nameof(Department.ParentKey):
                        case nameof(Department.ParentLinkId):
                            return Known(a.ParentLinkId) && a.ParentLinkId == b.ParentLinkId || !Known(a.ParentLinkId) && Known(a.ParentKey) && a.ParentKey == b.ParentKey;
                        case nameof(Department.LinkId):
                        case LinkChange.Field:
                            return Known(a.LinkId) && a.LinkId == b.LinkId;
                        default: return false;
                    }
                default: return false;
            }
        }

        /// <summary>A create can be checked by what it would create; anything else needs the object the plan saw.</summary>
        internal static bool Checkable(Change c) => c != null && c.Operation != ChangeOperation.Conflict
            && (c.Operation == ChangeOperation.Create ? c.Desired != null : c.Current != null);

        /// <summary>Null when the target still matches the plan; else what changed, for the result.</summary>
        public static string Differs(Change change, DirectoryObject now)
        {
            string what = $"{change.Kind.ToString().ToLowerInvariant()} {change.Key}";
            if (change.Operation == ChangeOperation.Create)
                return now == null ? null : $"{what} exists now: it was created after the plan was computed";
            if (now == null) return $"{what} no longer exists";
            // Read, but what the answer means is unknown (WeCom's 60111 to an app with a partial visible range): never "gone".
            if (now.IncompleteReason != null) return $"{what} cannot be read now: {now.IncompleteReason}";
            // A written field that already holds its new value is partly applied, not drift (a plan interrupted half way).
            var written = new HashSet<string>((change.Fields ?? new List<FieldChange>()).Where(f => change.Desired != null && Holds(change.Desired, now, f.Field)).Select(f => f.Field), StringComparer.OrdinalIgnoreCase);
            if (written.Contains(nameof(Department.ParentKey)) || written.Contains(nameof(Department.ParentLinkId))) written.Add("Parent");
            if (written.Contains(nameof(Department.LinkId))) written.Add(LinkChange.Field);
            var fields = FieldsDiffer(change.Current, now).Where(d => !written.Contains(d.Field)).Select(d => d.Text).ToList();
            return fields.Count == 0 ? null : $"{what} was changed: " + string.Join("; ", fields);
        }

        private static IEnumerable<(string Field, string Text)> FieldsDiffer(DirectoryObject planned, DirectoryObject now)
        {
            switch (planned)
            {
                case User a when now is User b:
                    if (Known(a.UserId) && Known(b.UserId) && !string.Equals(a.UserId, b.UserId, StringComparison.OrdinalIgnoreCase))
                        yield return (nameof(User.UserId), Describe(nameof(User.UserId), a.UserId, b.UserId));
                    foreach (var f in UserFields.All.Concat(UserFields.MappedIn(a)))
                        if (f.IsKnown(a) && f.IsKnown(b) && !f.Same(a, b)) yield return (f.Name, Describe(f.Name, f.Get(a), f.Get(b)));
                    break;
                case Department a when now is Department b:
                    if (Known(a.Name) && Known(b.Name) && Text.Clean(a.Name) != Text.Clean(b.Name)) yield return (nameof(Department.Name), Describe(nameof(Department.Name), a.Name, b.Name));
                    if (Known(a.ParentLinkId) && Known(b.ParentLinkId) && a.ParentLinkId != b.ParentLinkId) yield return ("Parent", Describe("Parent", a.ParentLinkId, b.ParentLinkId));
                    else if (Known(a.ParentKey) && Known(b.ParentKey) && a.ParentKey != b.ParentKey) yield return ("Parent", Describe("Parent", a.ParentKey, b.ParentKey));
                    if (Known(a.LinkId) && Known(b.LinkId) && a.LinkId != b.LinkId) yield return ("Link", Describe("Link", a.LinkId, b.LinkId));
                    if (a.Order.HasValue && b.Order.HasValue && a.Order != b.Order) yield return (nameof(Department.Order), Describe(nameof(Department.Order), a.Order, b.Order));
                    break;
            }
        }

        private static bool Known(string value) => !string.IsNullOrEmpty(value);

        private static string Describe(string field, object planned, object now) => $"{field} was {Show(planned)} in the plan, is {Show(now)} now";

        private static string Show(object value) => value == null ? "(none)" : value as string == "" ? "''"
            : value is IEnumerable<string> list ? "[" + string.Join(", ", list) + "]" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The result of a change the target already holds: no call was made, nothing was left to do.</summary>
        public static Result AlreadyAppliedResult(Change change, string what) => new Result
        {
            Change = change,
            Outcome = Outcome.AlreadyApplied,
            ErrorCode = "already-applied",
            Error = $"Not sent: already applied ({what}).",
        };

        public static Result Stale(Change change, string what) => new Result
        {
            Change = change,
            Outcome = Outcome.Stale,
            ErrorCode = "stale",
            Error = $"Not applied: the target changed since the plan was computed ({what}). " +
                    "Compare again and review the new plan, or apply this one anyway with -Force.",
        };
    }
}
