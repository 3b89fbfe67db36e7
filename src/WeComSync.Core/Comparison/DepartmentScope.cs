using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>
    /// The part of the directory a plan may touch (-Department, -ExcludeDepartment): departments given by path or id,
    /// their subtrees included. Only objects in scope are created, updated, suspended or deleted; the rest is never
    /// touched, and a delete guard judges percentages within the scope. A user is in scope when any of its departments
    /// is; a user moved out of the scope is left alone (not deleted), one moved into it is updated.
    /// </summary>
    public sealed class DepartmentScope
    {
        /// <summary>Paths (公司/研发部) or ids (link ids, WeCom ids, Authing department ids); empty: everything.</summary>
        public IList<string> Include { get; set; } = new List<string>();

        /// <summary>Paths or ids whose subtrees are out of scope, even inside an included one.</summary>
        public IList<string> Exclude { get; set; } = new List<string>();

        /// <summary>Departments of either side, against which ids are resolved into subtrees (a path works without them).</summary>
        public IList<Department> Departments { get; set; } = new List<Department>();

        public bool IsEmpty => Clean(Include).Count == 0 && Clean(Exclude).Count == 0;

        /// <summary>"公司/研发部, 42 (subtrees), except 公司/研发部/外包"</summary>
        public override string ToString()
        {
            var include = Clean(Include);
            var exclude = Clean(Exclude);
            string text = include.Count == 0 ? "everything" : string.Join(", ", include) + " (subtrees)";
            return exclude.Count == 0 ? text : text + ", except " + string.Join(", ", exclude);
        }

        private static List<string> Clean(IEnumerable<string> specs) =>
            (specs ?? Enumerable.Empty<string>()).Select(s => (s ?? "").Trim().TrimEnd('/')).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();

        internal Filter Bind(IEnumerable<Department> more = null)
        {
            var departments = (Departments ?? new List<Department>()).Concat(more ?? Enumerable.Empty<Department>()).Where(d => d != null).ToList();
            return new Filter(Side(Clean(Include), departments), Side(Clean(Exclude), departments), Clean(Include).Count == 0);
        }

        /// <summary>Every reference (link id, key, path) of the departments in the given specs' subtrees, plus the specs as path prefixes.</summary>
        private static (HashSet<string> Ids, List<string> Prefixes) Side(List<string> specs, List<Department> departments)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            if (specs.Count == 0) return (ids, new List<string>());
            var prefixes = new List<string>(specs);
            // Each side's departments by key, to walk up to the ancestors (subtrees are judged per side).
            var byKey = new Dictionary<(DirectorySource, string), Department>();
            foreach (var d in departments) if (d.Key != null) byKey[(d.Source, d.Key)] = d;
            bool Named(Department d) => specs.Any(s => s == d.Path || s == d.LinkId || s == d.Key || s == d.SourceId);
            foreach (var d in departments)
            {
                bool inside = false;
                var at = d;
                for (int guard = 0; at != null && guard < 64 && !inside; guard++)
                {
                    inside = Named(at);
                    at = at.ParentKey == null || !byKey.TryGetValue((at.Source, at.ParentKey), out var parent) ? null : parent;
                }
                if (!inside) continue;
                foreach (var id in new[] { d.LinkId, d.Key, d.Path }) if (!string.IsNullOrEmpty(id)) ids.Add(id);
            }
            return (ids, prefixes);
        }

        internal sealed class Filter
        {
            private readonly (HashSet<string> Ids, List<string> Prefixes) _include, _exclude;
            private readonly bool _all;

            public Filter((HashSet<string>, List<string>) include, (HashSet<string>, List<string>) exclude, bool all)
            {
                _include = include; _exclude = exclude; _all = all;
            }

            private static bool Within((HashSet<string> Ids, List<string> Prefixes) side, string reference)
            {
                if (reference == null) return false;
                if (side.Ids.Contains(reference)) return true;
                foreach (var p in side.Prefixes)
                    if (reference == p || reference.StartsWith(p + "/", StringComparison.Ordinal)) return true;
                return false;
            }

            /// <summary>A department reference (link id, key or path) in scope: included (or everything is) and not excluded.</summary>
            public bool Contains(string reference) => (_all || Within(_include, reference)) && !Within(_exclude, reference);

            public bool Contains(User u)
            {
                if (u?.Departments == null) return false; // unknown membership: never touched
                if (u.Departments.Count == 0) return _all;
                foreach (var d in u.Departments) if (Contains(d)) return true;
                return false;
            }

            public bool Contains(Department d)
            {
                if (d == null) return false;
                if ((!_all && !(Within(_include, d.LinkId) || Within(_include, d.Key) || Within(_include, d.Path)))) return false;
                return !(Within(_exclude, d.LinkId) || Within(_exclude, d.Key) || Within(_exclude, d.Path));
            }

            public bool Contains(DirectoryObject o) => o is User u ? Contains(u) : Contains(o as Department);
        }
    }
}
