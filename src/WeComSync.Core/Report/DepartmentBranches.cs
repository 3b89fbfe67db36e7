using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.RunLog;

namespace WeComSync.Report
{
    /// <summary>
    /// The department tree of a plan, as a reviewer reads it: every department that changes (created, moved, renamed,
    /// updated, deleted) at its path with its ancestors for context, the user changes counted in the departments they
    /// belong to, and for each branch what happens below it.
    /// </summary>
    internal sealed class DepartmentBranches
    {
        private readonly Dictionary<string, BranchNode> _byPath = new Dictionary<string, BranchNode>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _pathOfLink = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly List<BranchNode> _roots = new List<BranchNode>();
        private readonly LogSanitizer _sanitizer;

        private DepartmentBranches(LogSanitizer sanitizer) { _sanitizer = sanitizer; }

        /// <summary>The top-level branches. <paramref name="outcomeOf"/> gives a department change's outcome (null while planned).</summary>
        public static List<BranchNode> Build(IEnumerable<Change> changes, Func<Change, string> outcomeOf, LogSanitizer sanitizer)
        {
            var tree = new DepartmentBranches(sanitizer);
            var list = changes.Where(c => c != null).ToList();
            foreach (var c in list.Where(c => c.Kind == ObjectKind.Department)) tree.AddDepartment(c, outcomeOf(c));
            foreach (var c in list.Where(c => c.Kind == ObjectKind.User)) tree.AddUser(c);
            foreach (var root in tree._roots) Total(root);
            Sort(tree._roots);
            return tree._roots;
        }

        private void AddDepartment(Change change, string outcome)
        {
            var desired = change.Desired as Department;
            var current = change.Current as Department;
            var d = desired ?? current;
            if (d == null) return;
            string path = PathOf(d);
            foreach (var link in new[] { desired?.LinkId, current?.LinkId, desired?.Key, current?.Key })
                if (link != null && !_pathOfLink.ContainsKey(link)) _pathOfLink[link] = path;
            var node = Node(path);
            node.Outcome = outcome ?? node.Outcome;
            switch (change.Operation)
            {
                case ChangeOperation.Create: node.Action = "created"; break;
                case ChangeOperation.Delete: node.Action = "deleted"; break;
                case ChangeOperation.Conflict: node.Action = "conflict"; break;
                case ChangeOperation.Move:
                    node.Action = "moved";
                    if (current != null && PathOf(current) != path) node.Note = "from " + _sanitizer.Field("path", PathOf(current));
                    break;
                default:
                    var rename = change.Fields?.FirstOrDefault(f => string.Equals(f.Field, nameof(Department.Name), StringComparison.OrdinalIgnoreCase));
                    if (rename != null)
                    {
                        node.Action = "renamed";
                        node.Note = "was " + _sanitizer.Field("name", SyncReportBuilder.Format(rename.Old));
                    }
                    else node.Action = LinkChange.Only(change) ? "linked" : "updated";
                    break;
            }
        }

        private void AddUser(Change change)
        {
            var user = (change.Desired ?? change.Current) as User;
            if (user?.Departments == null) return;
            // A member of two departments is counted in each, but once in a branch that holds both: a branch's total is
            // of user changes, not of memberships.
            var branches = new HashSet<BranchNode>();
            foreach (var link in user.Departments.Where(l => !string.IsNullOrEmpty(l)).Distinct(StringComparer.Ordinal))
            {
                // Upstream a link id is the department's path; downstream it is a WeCom number, a path only when the plan names it.
                string path = _pathOfLink.TryGetValue(link, out var p) ? p : link.All(char.IsDigit) ? "department " + link : link;
                var node = Node(path);
                node.Users[change.Operation.ToString()] = node.Users.TryGetValue(change.Operation.ToString(), out var n) ? n + 1 : 1;
                for (var at = node; at != null && branches.Add(at); at = at.Parent) at.UsersInBranch++;
            }
        }

        private static string PathOf(Department d) => d.Path ?? d.Name ?? d.Key ?? "?";

        /// <summary>The node at a path, its ancestors created as needed (a path is names joined by '/').</summary>
        private BranchNode Node(string path)
        {
            if (_byPath.TryGetValue(path, out var node)) return node;
            int slash = path.LastIndexOf('/');
            node = new BranchNode { Path = _sanitizer.Field("path", path), Name = _sanitizer.Field("name", slash >= 0 ? path.Substring(slash + 1) : path) };
            _byPath[path] = node;
            if (slash > 0)
            {
                node.Parent = Node(path.Substring(0, slash));
                node.Parent.Children.Add(node);
            }
            else _roots.Add(node);
            return node;
        }

        private static void Total(BranchNode node)
        {
            foreach (var child in node.Children)
            {
                Total(child);
                if (child.Action != null) Add(node.Below, child.Action, 1);
                foreach (var below in child.Below) Add(node.Below, below.Key, below.Value);
            }
        }

        private static void Add(IDictionary<string, int> counts, string key, int n) => counts[key] = counts.TryGetValue(key, out var c) ? c + n : n;

        private static void Sort(List<BranchNode> nodes)
        {
            nodes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var n in nodes) Sort(n.Children);
        }
    }
}
