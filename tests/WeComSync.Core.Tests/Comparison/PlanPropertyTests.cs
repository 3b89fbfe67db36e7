using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck.Xunit;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Tests.Comparison
{
    /// <summary>Random directories: applying a plan converges, a second comparison is empty, order and unknown/excluded rules hold.</summary>
    public class PlanPropertyTests
    {
        private const PlanOperation All = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete;
        private static readonly string[] Names = { "张三", "李四", "王五", " 赵六", "Tom" };
        private static readonly string[] Mobiles = { "13800000000", "+86 13800000000", "+8613900000000", "13700000000", "" };
        private static readonly string[] Emails = { "a@x.cn", "A@X.cn ", "b@x.cn", "" };
        private static readonly string[] Depts = { "d1", "d2", "d3", "d4" };

        private static string Pick(Random r, string[] values) => r.Next(5) == 0 ? null : values[r.Next(values.Length)]; // null: unknown

        private static User RandomUser(Random r, string id)
        {
            var u = new User
            {
                UserId = id, Name = Pick(r, Names), Mobile = Pick(r, Mobiles), Email = Pick(r, Emails), Alias = Pick(r, Names),
                Gender = r.Next(4) == 0 ? (Gender?)null : (Gender)r.Next(3), Enabled = r.Next(3) == 0 ? (bool?)null : r.Next(2) == 0,
                Departments = r.Next(5) == 0 ? null : Enumerable.Range(0, r.Next(3)).Select(_ => Depts[r.Next(Depts.Length)]).Distinct().ToList(),
            };
            if (r.Next(6) == 0) u.WithheldFields.Add(UserFields.All[r.Next(UserFields.All.Count)].Name);
            return u;
        }

        /// <summary>A reference of n users and a difference that shares some (linked, unlinked by username, or changed) and has extras.</summary>
        private static (List<User> Source, List<User> Target) RandomUsers(int seed)
        {
            var r = new Random(seed);
            int n = r.Next(0, 30);
            var source = Enumerable.Range(0, n).Select(i => RandomUser(r, "u" + i)).ToList();
            var target = new List<User>();
            foreach (var s in source)
            {
                int roll = r.Next(4);
                if (roll == 0) continue; // missing: create
                var t = roll == 1 ? UserCopy(s) : RandomUser(r, s.UserId.ToUpperInvariant());
                if (r.Next(5) == 0) { t.Username = t.UserId.ToLowerInvariant(); t.UserId = null; } // not linked yet
                target.Add(t);
            }
            for (int i = 0; i < r.Next(0, 5); i++) target.Add(RandomUser(r, "x" + i)); // extra: delete
            return (source, target);
        }

        private static User UserCopy(User s)
        {
            var t = new User();
            foreach (var f in UserFields.All) f.Set(t, f.Get(s));
            t.UserId = s.UserId;
            return t;
        }

        /// <summary>What a Sync-* would do, against an in-memory target.</summary>
        internal static List<User> Apply(Plan plan, List<User> target)
        {
            var result = target.ToList();
            foreach (var c in plan.Changes)
            {
                switch (c.Operation)
                {
                    case ChangeOperation.Create:
                        var created = new User { UserId = c.Key };
                        foreach (var f in c.Fields) UserFields.Find(f.Field).Set(created, f.New);
                        result.Add(created);
                        break;
                    case ChangeOperation.Update:
                        var current = (User)c.Current;
                        foreach (var f in c.Fields)
                        {
                            if (f.Field == "UserId") current.UserId = (string)f.New;
                            else UserFields.Find(f.Field).Set(current, f.New);
                        }
                        break;
                    case ChangeOperation.Delete:
                        result.Remove((User)c.Current);
                        break;
                }
            }
            return result;
        }

        [Property(MaxTest = 300)]
        public bool Applying_a_user_plan_yields_the_reference_on_compared_fields_and_a_second_compare_is_empty(int seed)
        {
            var (source, target) = RandomUsers(seed);
            var plan = DirectoryComparer.CompareUsers(source, target, new CompareOptions { Operation = All });
            if (plan.Changes.Any(c => c.Operation == ChangeOperation.Conflict)) return true; // generator keeps keys unique
            var result = Apply(plan, target);

            // Every reference user exists once, and every field both know is the same after normalisation.
            foreach (var s in source)
            {
                var t = result.Single(x => string.Equals(x.UserId, s.UserId, StringComparison.OrdinalIgnoreCase));
                foreach (var f in UserFields.All)
                    if (f.IsKnown(s) && f.IsKnown(t) && !f.Same(s, t)) return false;
            }
            if (result.Count != source.Count + result.Count(t => t.UserId == null)) return false;
            return DirectoryComparer.CompareUsers(source, result, new CompareOptions { Operation = All }).Changes.Count == 0;
        }

        [Property(MaxTest = 300)]
        public bool No_change_ever_touches_an_excluded_or_unknown_field(int seed, bool overwrite)
        {
            var (source, target) = RandomUsers(seed);
            var r = new Random(seed);
            var excluded = UserFields.All.Where(_ => r.Next(3) == 0).Select(f => f.Name).ToArray();
            var plan = DirectoryComparer.CompareUsers(source, target, new CompareOptions
            {
                Operation = All, ExcludeProperty = excluded, UpdateMode = overwrite ? UpdateMode.Overwrite : UpdateMode.Changed,
            });
            foreach (var c in plan.Changes.Where(c => c.Operation == ChangeOperation.Create || c.Operation == ChangeOperation.Update))
            {
                var s = (User)c.Desired;
                foreach (var f in c.Fields)
                {
                    if (excluded.Contains(f.Field)) return false;
                    if (f.Field == "UserId") continue;
                    var field = UserFields.Find(f.Field);
                    if (f.New == null || !field.IsKnown(s)) return false;                       // never write an unknown as empty
                    if (!overwrite && c.Operation == ChangeOperation.Update && !field.IsKnown((User)c.Current)) return false;
                }
                if (c.Operation == ChangeOperation.Create && excluded.Any(e => UserFields.Find(e).Get(s) != null)) return false;
            }
            return true;
        }

        // ---- departments ----

        /// <summary>A random export tree and an Authing side holding part of it: some moved, renamed (same link), missing, extra.</summary>
        private static (List<Department> Source, List<Department> Target) RandomTree(int seed)
        {
            var r = new Random(seed);
            var paths = new List<string> { "公司" };
            int n = r.Next(1, 25);
            for (int i = 0; i < n; i++) paths.Add(paths[r.Next(paths.Count)] + "/d" + i);
            var source = paths.OrderBy(_ => r.Next()).Select(DepartmentComparisonTests.E).ToList();

            var target = new List<Department>();
            var ids = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => "a" + x.i);
            var kept = new List<string>();
            foreach (var p in paths) // parents come before children in this list
            {
                int slash = p.LastIndexOf('/');
                string parent = slash < 0 ? null : p.Substring(0, slash);
                if (parent != null && (!kept.Contains(parent) || r.Next(4) == 0)) continue; // missing here: create
                // The parent may differ (moved by hand) when another department already placed can take it: no cycles.
                if (parent != null && r.Next(5) == 0) parent = kept[r.Next(kept.Count)];
                kept.Add(p);
                var d = DepartmentComparisonTests.A(ids[p], p, parent == null ? null : ids[parent]);
                if (r.Next(5) == 0) d.Name = "旧" + d.Name;
                d.ParentLinkId = parent;
                target.Add(d);
            }
            for (int i = 0; i < r.Next(0, 4); i++)
            {
                var parent = target[r.Next(target.Count)];
                target.Add(DepartmentComparisonTests.A("x" + i, parent.LinkId + "/gone" + i, parent.Key));
            }
            Repath(target);
            return (source, target);
        }

        private static void Repath(List<Department> target)
        {
            var byKey = target.ToDictionary(d => d.Key);
            foreach (var d in target)
            {
                var names = new List<string>();
                var cur = d;
                for (int guard = 0; cur != null && guard < 100; guard++) { names.Insert(0, cur.Name); cur = cur.ParentKey != null && byKey.TryGetValue(cur.ParentKey, out var p) ? p : null; }
                d.Path = string.Join("/", names);
            }
        }

        internal static List<Department> Apply(Plan plan, List<Department> target)
        {
            var result = target.ToList();
            string TargetKeyOf(string sourceParentKey) => result.Single(d => d.LinkId == sourceParentKey).Key; // upstream: source key = link
            int next = 0;
            foreach (var c in plan.Changes)
            {
                var desired = c.Desired as Department;
                switch (c.Operation)
                {
                    case ChangeOperation.Create:
                        result.Add(new Department
                        {
                            Key = "n" + next++, Name = desired.Name, LinkId = desired.LinkId, Source = DirectorySource.Authing,
                            ParentKey = desired.ParentKey == null ? null : TargetKeyOf(desired.ParentKey), ParentLinkId = desired.ParentKey,
                        });
                        break;
                    case ChangeOperation.Update:
                    case ChangeOperation.Move:
                        var current = (Department)c.Current;
                        foreach (var f in c.Fields)
                        {
                            switch (f.Field)
                            {
                                case "Name": current.Name = (string)f.New; break;
                                case "Order": current.Order = (long?)f.New; break;
                                case "LinkId": current.LinkId = (string)f.New; break;
                                case "ParentLinkId": current.ParentLinkId = (string)f.New; break;
                                case "ParentKey": current.ParentKey = TargetKeyOf((string)f.New); break;
                            }
                        }
                        break;
                    case ChangeOperation.Delete:
                        if (result.Any(d => d.ParentKey == ((Department)c.Current).Key)) throw new InvalidOperationException("deleted a parent before its child");
                        result.Remove((Department)c.Current);
                        break;
                }
            }
            Repath(result);
            return result;
        }

        [Property(MaxTest = 300)]
        public bool Applying_a_department_plan_in_order_converges_and_a_second_compare_is_empty(int seed)
        {
            var (source, target) = RandomTree(seed);
            var plan = DirectoryComparer.CompareDepartments(source, target, new CompareOptions { Operation = All });
            var result = Apply(plan, target); // throws if a create or move needs a parent not there yet, or a parent goes before its child
            foreach (var s in source)
            {
                var t = result.Single(d => d.LinkId == s.LinkId);
                if (t.Name != s.Name || t.Path != s.Path) return false;
            }
            return DirectoryComparer.CompareDepartments(source, result, new CompareOptions { Operation = All }).Changes.Count == 0;
        }

        [Property(MaxTest = 300)]
        public bool Department_plans_put_parents_before_children_and_deletes_children_first(int seed)
        {
            var (source, target) = RandomTree(seed);
            var plan = DirectoryComparer.CompareDepartments(source, target, new CompareOptions { Operation = All });
            var position = new Dictionary<string, int>();
            foreach (var c in plan.Changes.Where(c => c.Operation != ChangeOperation.Delete)) position[c.Key] = c.Sequence;
            foreach (var c in plan.Changes.Where(c => c.Operation == ChangeOperation.Create || c.Operation == ChangeOperation.Move))
            {
                var parent = ((Department)c.Desired).ParentKey;
                if (parent != null && position.TryGetValue(parent, out var p) && p > c.Sequence) return false;
            }
            var deletes = plan.Changes.Where(c => c.Operation == ChangeOperation.Delete).ToList();
            foreach (var d in deletes)
            {
                var child = deletes.FirstOrDefault(x => ((Department)x.Current).ParentKey == ((Department)d.Current).Key);
                if (child != null && child.Sequence > d.Sequence) return false;
            }
            return plan.Changes.Select(c => c.Sequence).SequenceEqual(Enumerable.Range(1, plan.Changes.Count));
        }
    }
}
