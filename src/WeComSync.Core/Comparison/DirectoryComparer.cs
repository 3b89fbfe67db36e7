using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>
    /// The plan engine: compares a desired side (reference: the export, or Authing downstream) with a current side
    /// (difference: Authing upstream, WeCom downstream) and returns the ordered changes that make the current side follow.
    /// </summary>
    public static class DirectoryComparer
    {
        public static Plan CompareUsers(IEnumerable<User> reference, IEnumerable<User> difference, CompareOptions options = null)
        {
            options = options ?? new CompareOptions();
            var source = AsList(reference);
            var target = AsList(difference);
            var refusal = DeleteRefusal(source, target, options);
            if (refusal != null) options = Without(options, PlanOperation.Delete);

            var withdrawn = Withdraw(ref source, u => u.UserId, u => u.PreviousUserId, ObjectKind.User);
            var lostZeros = WithdrawLostZeros(ref source, target, out var errors);
            var plan = new UserPlanner(options).Plan(source, target);
            plan = Scoped(KeepSkipped(plan, source, withdrawn, options, lostZeros), options, source, target, null);
            foreach (var c in plan.Changes) c.Description = PlanText.Describe(c);
            plan.Context.KeptSuspendedCount = KeptSuspended(source, target, options);
            plan = Finish(plan, refusal, options, source, target);
            if (errors != null) plan.Errors = errors;
            return plan;
        }

        /// <summary>
        /// Takes out of the reference the rows whose 账号 lost its leading zeros (<see cref="LostLeadingZeros"/>): one error
        /// each; returns the keys kept from deletion as a skipped row's are (the padded users and the row's own 账号).
        /// </summary>
        private static SkippedRecords WithdrawLostZeros(ref IReadOnlyList<User> source, IReadOnlyList<User> target, out List<OutputError> errors)
        {
            errors = null;
            var found = LostLeadingZeros.Find(source, target);
            if (found == null) return null;
            var kept = new SkippedRecords();
            var refused = new HashSet<User>(ReferenceEqualityComparer<User>.Instance);
            errors = new List<OutputError>(found.Count);
            foreach (var f in found)
            {
                refused.Add(f.Row);
                string origin = f.Row.Origin ?? f.Key;
                kept.Add(f.Key, origin);
                foreach (var t in f.Padded) kept.Add(UserPlanner.LinkKey(t), origin);
                errors.Add(LostLeadingZeros.Error(f));
            }
            source = source.Where(u => !refused.Contains(u)).ToList();
            return kept;
        }

        /// <summary>
        /// Suspended target users (by link key: a leaver was linked when suspended) whose reference user does not say
        /// whether it is enabled, within the scope: the re-hires that a file without 禁用状态 leaves suspended.
        /// </summary>
        private static int KeptSuspended(IReadOnlyList<User> source, IReadOnlyList<User> target, CompareOptions options)
        {
            if (!options.Allows(PlanOperation.Update) || UserPlanner.ExcludesEnabled(options)) return 0;
            HashSet<string> suspended = null;
            for (int j = 0; j < target.Count; j++)
            {
                string link = target[j].Enabled == false ? UserPlanner.LinkKey(target[j]) : null;
                if (link != null) (suspended = suspended ?? new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(link);
            }
            if (suspended == null) return 0;
            var scope = options.Scope == null || options.Scope.IsEmpty ? null : options.Scope.Bind();
            int kept = 0;
            for (int i = 0; i < source.Count; i++)
            {
                var s = source[i];
                if (s.Enabled != null) continue;
                string key = UserPlanner.LinkKey(s);
                if (key != null && suspended.Remove(key) && (scope == null || scope.Contains(s))) kept++;
            }
            return kept;
        }

        /// <summary>
        /// Compares departments. The users of both sides (optional) let a department renamed or moved upstream be
        /// recognised by its members instead of being created twice.
        /// </summary>
        public static Plan CompareDepartments(IEnumerable<Department> reference, IEnumerable<Department> difference, CompareOptions options = null,
            IEnumerable<User> referenceUsers = null, IEnumerable<User> differenceUsers = null)
        {
            options = options ?? new CompareOptions();
            var source = AsList(reference);
            var target = AsList(difference);
            var refusal = DeleteRefusal(source, target, options);
            if (refusal != null) options = Without(options, PlanOperation.Delete);

            var severalTops = SeveralTops(source);
            if (severalTops != null)
            {
                // Not one company's export: planning it would put a second tree beside the first (or re-parent it).
                options.Output?.WriteVerbose(severalTops.Message);
                var none = Finish(new Plan(new List<Change>(), new PlanContext { Kind = ObjectKind.Department, SourceCount = source.Count, TargetCount = target.Count }),
                    refusal, options, source, target);
                none.Refusal = severalTops;
                return none;
            }

            var withdrawn = Withdraw(ref source, d => d.Key, d => null, ObjectKind.Department);
            var plan = new DepartmentPlanner(options).Plan(source, target,
                referenceUsers == null ? null : AsList(referenceUsers), differenceUsers == null ? null : AsList(differenceUsers));
            plan = Scoped(KeepSkipped(plan, source, withdrawn, options), options, source, target, source.Concat(target));
            foreach (var c in plan.Changes) if (c.Description == null) c.Description = PlanText.Describe(c);
            return Finish(plan, refusal, options, source, target);
        }

        /// <summary>
        /// The refusal of departments read from an export whose paths start with two or more top departments: an export's
        /// paths all start with the company's name, so such a file is not one company's export. Null when there is one top.
        /// </summary>
        private static OutputError SeveralTops(IReadOnlyList<Department> source)
        {
            List<Department> tops = null;
            for (int i = 0; i < source.Count; i++)
                if (source[i].IsRoot && source[i].Source == DirectorySource.WeComExport) (tops = tops ?? new List<Department>(2)).Add(source[i]);
            if (tops == null || tops.Count < 2) return null;
            string named = string.Join(", ", tops.Select(d => d.Origin == null ? $"'{d.Name}'" : $"'{d.Name}' (first on {d.Origin})"));
            return new OutputError("DepartmentsRefusedSeveralTops", ProblemKind.InvalidData, tops[1],
                $"Departments were not synced: the export's 部门 paths start with {tops.Count} different top departments, {named}. An export's paths all " +
                "start with the company's name (WeCom's root department), so the file is not one company's export, and syncing it would build a second " +
                "tree beside the first or move the company under another top. Nothing was created, moved or deleted.",
                "Make every row's 部门 start with the company's name (the read's warning names the rows under each top department), or export the " +
                "address book again from the WeCom admin console; then run again.");
        }

        /// <summary>
        /// Keeps the changes within <see cref="CompareOptions.Scope"/>: creates, updates and moves of objects whose desired
        /// place is in scope, deletes and suspends of objects in scope now, conflicts that involve one. The counts a delete
        /// guard judges are those within the scope.
        /// </summary>
        private static Plan Scoped<T>(Plan plan, CompareOptions options, IReadOnlyList<T> source, IReadOnlyList<T> target, IEnumerable<Department> departments)
            where T : DirectoryObject
        {
            if (options.Scope == null || options.Scope.IsEmpty) return plan;
            var scope = options.Scope.Bind(departments);
            var kept = new List<Change>(plan.Changes.Count);
            foreach (var c in plan.Changes)
            {
                bool inScope;
                switch (c.Operation)
                {
                    case ChangeOperation.Delete:
                    case ChangeOperation.Suspend: inScope = scope.Contains(c.Current); break;
                    case ChangeOperation.Conflict: inScope = scope.Contains(c.Desired) || scope.Contains(c.Current) || (c.Candidates?.Any(scope.Contains) ?? false); break;
                    default: inScope = scope.Contains(c.Desired ?? c.Current); break;
                }
                if (inScope) kept.Add(c);
                else options.Output?.WriteVerbose($"{c.Key}: outside the scope ({options.Scope}); left alone.");
            }
            var context = plan.Context;
            if (typeof(T) == typeof(User)) kept = ScopedMemberships.Trim(kept, scope, options.Scope.Departments, context);
            context.SourceCount = source.Count(scope.Contains);
            context.TargetCount = target.Count(scope.Contains);
            context.Scope = options.Scope.ToString();
            return new Plan(kept, context);
        }

        private static IReadOnlyList<T> AsList<T>(IEnumerable<T> items) where T : class
        {
            if (items == null) return Array.Empty<T>();
            if (items is IReadOnlyList<T> list)
            {
                bool clean = true;
                for (int i = 0; i < list.Count && clean; i++) clean = list[i] != null;
                if (clean) return list;
            }
            return items.Where(i => i != null).ToList();
        }

        private static (string Reason, DirectoryObject Object)? DeleteRefusal<T>(IReadOnlyList<T> source, IReadOnlyList<T> target, CompareOptions options) where T : DirectoryObject
        {
            if (!options.Allows(PlanOperation.Delete)) return null;
            foreach (var (side, list) in new[] { (Sides.Of(source, Sides.Source), source), (Sides.Of(target, Sides.Target), target) })
            {
                T partial = null;
                int count = 0;
                for (int i = 0; i < list.Count; i++)
                {
                    if (string.IsNullOrEmpty(list[i].IncompleteReason)) continue;
                    partial = partial ?? list[i];
                    count++;
                }
                if (partial != null)
                {
                    return ($"Deletes were refused: {side} was not read completely ({partial.IncompleteReason}; {count} object(s) marked), " +
                            $"so objects missing from it may still exist. {CompleteReadAdvice(partial.Source)}; creates and updates were planned as usual.", partial);
                }
            }
            return null;
        }

        /// <summary>
        /// What makes the read complete, by where it came from: a file is fixed at the rows its reason names (an unreadable
        /// 账号 or 部门), a service read by its access (permissions, the app's visible range) or by reading the failed page again.
        /// </summary>
        internal static string CompleteReadAdvice(DirectorySource source) => source == DirectorySource.WeComExport
            ? "Fix the row(s) named in the file (or export again) and run again"
            : "Fix the read (permissions, the app's visible range, the failed page) and compare again";

        // One read stamps all its objects alike: the first that carries an instance names it.
        private static DirectoryInstance ReadFrom<T>(IReadOnlyList<T> side) where T : DirectoryObject
        {
            for (int i = 0; i < side.Count; i++) if (side[i].ReadFrom != null) return side[i].ReadFrom;
            return null;
        }

        /// <summary>
        /// Takes out of the reference the objects whose key their own read skipped (<see cref="SkippedRecords"/>: the first
        /// row of a duplicate 账号, emitted before its twin was met): each becomes a conflict, never a create or update.
        /// </summary>
        private static List<Change> Withdraw<T>(ref IReadOnlyList<T> source, Func<T, string> key, Func<T, string> previousKey, ObjectKind kind) where T : DirectoryObject
        {
            List<Change> conflicts = null;
            List<T> kept = null;
            for (int i = 0; i < source.Count; i++)
            {
                var o = source[i];
                var skipped = o.Skipped;
                string hit = skipped == null ? null : skipped.Contains(key(o)) ? key(o) : skipped.Contains(previousKey(o)) ? previousKey(o) : null;
                if (hit == null) { kept?.Add(o); continue; }
                if (kept == null) { kept = new List<T>(source.Count); for (int k = 0; k < i; k++) kept.Add(source[k]); }
                (conflicts = conflicts ?? new List<Change>()).Add(new Change
                {
                    Operation = ChangeOperation.Conflict, Kind = kind, Key = key(o), Desired = o, Candidates = new List<DirectoryObject> { o },
                    Reason = $"'{hit}' is also on a row that was skipped ({skipped.Keys[hit]}); neither is synced until the file has it once",
                });
            }
            if (kept != null) source = kept;
            return conflicts;
        }

        /// <summary>
        /// Drops the deletes of objects whose key is among the reference's skipped records: they are in the file, on a row
        /// that could not be read, so they are not gone. Adds the withdrawn objects' conflicts.
        /// </summary>
        private static Plan KeepSkipped<T>(Plan plan, IReadOnlyList<T> source, List<Change> withdrawn, CompareOptions options, SkippedRecords refused = null) where T : DirectoryObject
        {
            var skipped = new List<SkippedRecords>(1);
            if (refused != null) skipped.Add(refused);
            for (int i = 0; i < source.Count; i++)
            {
                var s = source[i].Skipped;
                if (s != null && s.Keys.Count > 0 && !skipped.Contains(s)) skipped.Add(s);
            }
            if (withdrawn != null) foreach (var c in withdrawn) if (!skipped.Contains(c.Desired.Skipped)) skipped.Add(c.Desired.Skipped);
            if (skipped.Count == 0) return plan;

            var changes = new List<Change>(plan.Changes.Count + (withdrawn?.Count ?? 0));
            foreach (var c in plan.Changes)
            {
                string where = null;
                if (c.Operation == ChangeOperation.Delete)
                    foreach (var s in skipped) if (s.Keys.TryGetValue(c.Key ?? string.Empty, out where)) break;
                if (where == null) { changes.Add(c); continue; }
                options.Output?.WriteVerbose($"{c.Key}: not deleted; {Sides.Of(source, Sides.Source)} has it on a row that was skipped ({where}).");
            }
            if (withdrawn != null) changes.AddRange(withdrawn);
            return new Plan(changes, plan.Context);
        }

        private static CompareOptions Without(CompareOptions o, PlanOperation op)
        {
            var copy = o.Clone();
            copy.Operation = o.Operation & ~op;
            return copy;
        }

        private static Plan Finish<T>(Plan plan, (string Reason, DirectoryObject Object)? refusal, CompareOptions options,
            IReadOnlyList<T> source, IReadOnlyList<T> target) where T : DirectoryObject
        {
            var context = plan.Context;
            context.ComputedAt = DateTimeOffset.Now;
            context.Source = ReadFrom(source);
            context.Target = ReadFrom(target);
            context.DeleteRefusedReason = refusal?.Reason;
            plan.DeleteRefusedBy = refusal?.Object;
            int sequence = 0;
            foreach (var c in plan.Changes)
            {
                c.Sequence = ++sequence;
                c.Plan = context;
                switch (c.Operation)
                {
                    case ChangeOperation.Create: context.CreateCount++; break;
                    case ChangeOperation.Update: context.UpdateCount++; break;
                    case ChangeOperation.Move: context.MoveCount++; break;
                    case ChangeOperation.Delete: context.DeleteCount++; break;
                    case ChangeOperation.Suspend: context.SuspendCount++; break;
                    default: context.ConflictCount++; break;
                }
            }
            if (refusal != null) options.Output?.WriteVerbose(refusal.Value.Reason);
            return plan;
        }
    }
}
