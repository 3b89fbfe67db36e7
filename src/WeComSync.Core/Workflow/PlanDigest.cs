using System.Collections.Generic;
using System.Linq;
using System.Text;
using WeComSync.Comparison;
using WeComSync.Model;

namespace WeComSync.Workflow
{
    /// <summary>
    /// A step's plan as a person reads it: one line of counts ("2 to create, 1 to update"), and for a dry run the plan
    /// view, grouped by operation, each long group cut after <see cref="MaxLinesPerGroup"/> lines with a count of the
    /// rest, conflicts always listed (they need a human).
    /// </summary>
    public static class PlanDigest
    {
        public const int MaxLinesPerGroup = 10;

        // The order an administrator reads a plan in: what is added, changed, then taken away, then what needs a human.
        private static readonly ChangeOperation[] Order =
        {
            ChangeOperation.Create, ChangeOperation.Update, ChangeOperation.Move, ChangeOperation.Suspend, ChangeOperation.Delete, ChangeOperation.Conflict,
        };

        /// <summary>"2 to create, 1 to update, 1 conflict(s)", or "No changes." for an empty plan.</summary>
        public static string Counts(IReadOnlyCollection<Change> changes)
        {
            if (changes == null || changes.Count == 0) return "No changes.";
            return string.Join(", ", Order.Select(op => (op, n: changes.Count(c => c.Operation == op))).Where(g => g.n > 0)
                .Select(g => $"{g.n} {Verb(g.op)}"));
        }

        public static string Verb(ChangeOperation op)
        {
            switch (op)
            {
                case ChangeOperation.Create: return "to create";
                case ChangeOperation.Update: return "to update";
                case ChangeOperation.Move: return "to move";
                case ChangeOperation.Suspend: return "to suspend";
                case ChangeOperation.Delete: return "to delete";
                default: return "conflict(s)";
            }
        }

        /// <summary>The plan view of one step: its name and counts, then its changes grouped by operation.</summary>
        public static string View(string step, IReadOnlyCollection<Change> changes)
        {
            var text = new StringBuilder();
            text.Append(step).Append(": ").Append(Counts(changes));
            foreach (var op in Order)
            {
                var group = changes.Where(c => c.Operation == op).ToList();
                if (group.Count == 0) continue;
                int shown = op == ChangeOperation.Conflict ? group.Count : System.Math.Min(group.Count, MaxLinesPerGroup);
                foreach (var change in group.Take(shown)) text.AppendLine().Append("  ").Append(Line(change));
                if (group.Count > shown) text.AppendLine().Append("  … ").Append(group.Count - shown).Append(" more ").Append(Verb(op));
            }
            return text.ToString();
        }

        /// <summary>Who needs a human and why: "lisi (李四): …" for each conflict, at most <paramref name="max"/> named.</summary>
        public static string NeedHuman(IReadOnlyCollection<Change> changes, int max = MaxLinesPerGroup)
        {
            var conflicts = changes.Where(c => c.Operation == ChangeOperation.Conflict).ToList();
            if (conflicts.Count == 0) return null;
            string kind = conflicts[0].Kind == ObjectKind.User ? "user" : "department";
            var named = conflicts.Take(max).Select(c => $"{Name(c)}: {c.Reason ?? "ambiguous"}");
            string more = conflicts.Count > max ? $"; … {conflicts.Count - max} more" : "";
            return $"{conflicts.Count} {kind}(s) need a human (never applied): {string.Join("; ", named)}{more}.";
        }

        private static string Line(Change change) => change.Description ?? $"{PlanText.Symbol(change.Operation)} {change.Operation.ToString().ToLowerInvariant()} {change.Kind.ToString().ToLowerInvariant()} {Name(change)}";

        private static string Name(Change change)
        {
            switch (change.Desired ?? change.Current)
            {
                case User user: return string.IsNullOrEmpty(user.Name) ? change.Key : $"{change.Key} ({user.Name})";
                case Department department: return department.Path ?? department.Name ?? change.Key;
                default: return change.Key;
            }
        }
    }
}
