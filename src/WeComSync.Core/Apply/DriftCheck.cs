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

        /// <summary>The Stale results of the changes whose target drifted (re-read through <paramref name="reader"/>), in plan order.</summary>
        public static async Task<IReadOnlyList<Result>> FindStaleAsync(IReadOnlyList<Change> changes, IDriftReader reader, CancellationToken cancellationToken)
        {
            var checkable = changes.Where(Checkable).ToList();
            if (checkable.Count == 0) return Array.Empty<Result>();
            var now = await reader.ReadNowAsync(checkable, cancellationToken).ConfigureAwait(false);
            var stale = new List<Result>();
            foreach (var change in checkable)
            {
                string what = Differs(change, now.TryGetValue(change, out var o) ? o : null);
                if (what != null) stale.Add(Stale(change, what));
            }
            return stale;
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
            var fields = FieldsDiffer(change.Current, now).ToList();
            return fields.Count == 0 ? null : $"{what} was changed: " + string.Join("; ", fields);
        }

        private static IEnumerable<string> FieldsDiffer(DirectoryObject planned, DirectoryObject now)
        {
            switch (planned)
            {
                case User a when now is User b:
                    if (Known(a.UserId) && Known(b.UserId) && !string.Equals(a.UserId, b.UserId, StringComparison.OrdinalIgnoreCase))
                        yield return Describe(nameof(User.UserId), a.UserId, b.UserId);
                    foreach (var f in UserFields.All.Concat(UserFields.MappedIn(a)))
                        if (f.IsKnown(a) && f.IsKnown(b) && !f.Same(a, b)) yield return Describe(f.Name, f.Get(a), f.Get(b));
                    break;
                case Department a when now is Department b:
                    if (Known(a.Name) && Known(b.Name) && Text.Clean(a.Name) != Text.Clean(b.Name)) yield return Describe(nameof(Department.Name), a.Name, b.Name);
                    if (Known(a.ParentLinkId) && Known(b.ParentLinkId) && a.ParentLinkId != b.ParentLinkId) yield return Describe("Parent", a.ParentLinkId, b.ParentLinkId);
                    else if (Known(a.ParentKey) && Known(b.ParentKey) && a.ParentKey != b.ParentKey) yield return Describe("Parent", a.ParentKey, b.ParentKey);
                    if (Known(a.LinkId) && Known(b.LinkId) && a.LinkId != b.LinkId) yield return Describe("Link", a.LinkId, b.LinkId);
                    if (a.Order.HasValue && b.Order.HasValue && a.Order != b.Order) yield return Describe(nameof(Department.Order), a.Order, b.Order);
                    break;
            }
        }

        private static bool Known(string value) => !string.IsNullOrEmpty(value);

        private static string Describe(string field, object planned, object now) => $"{field} was {Show(planned)} in the plan, is {Show(now)} now";

        private static string Show(object value) => value == null ? "(none)" : value as string == "" ? "''"
            : value is IEnumerable<string> list ? "[" + string.Join(", ", list) + "]" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);

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
