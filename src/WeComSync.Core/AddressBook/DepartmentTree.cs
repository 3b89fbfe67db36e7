using System;
using System.Collections.Generic;
using WeComSync.Model;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// Derives the department tree from the members' 部门 paths. The export carries no department ids, so a department's
    /// identity is its full path (docs/ARCHITECTURE.md §3): Key = LinkId = path, ParentKey = ParentLinkId = the parent's path.
    /// Every level of every path becomes a department, so a department that only has sub-departments still appears.
    /// The top level is the company (IsRoot, Depth 0). <see cref="Build"/> lists parents before children, depth first,
    /// siblings in the order the file first mentions them.
    /// </summary>
    public sealed class DepartmentTree
    {
        private readonly Dictionary<string, Department> _byPath = new Dictionary<string, Department>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Department>> _children = new Dictionary<string, List<Department>>(StringComparer.Ordinal);
        private readonly List<Department> _roots = new List<Department>();

        /// <summary>Things worth telling the admin, e.g. more than one top department.</summary>
        public List<string> Warnings { get; } = new List<string>();

        public int Count => _byPath.Count;

        public bool Contains(string path) => _byPath.ContainsKey(path);

        public void Add(User user)
        {
            if (user.Departments == null) return;
            foreach (string path in user.Departments) AddPath(path, user.Origin);
        }

        public void AddPath(string path, string origin)
        {
            path = DepartmentPaths.Normalize(path);
            if (path.Length == 0 || _byPath.ContainsKey(path)) return;
            string parent = DepartmentPaths.Parent(path);
            if (parent != null) AddPath(parent, origin);

            var levels = DepartmentPaths.Levels(path);
            var department = new Department
            {
                Source = DirectorySource.WeComExport,
                Key = path,
                Path = path,
                Name = levels[levels.Length - 1],
                ParentKey = parent,
                Depth = levels.Length - 1,
                LinkId = path,
                ParentLinkId = parent,
                IsRoot = parent == null,
                Origin = origin,
            };
            _byPath.Add(path, department);
            if (parent == null) _roots.Add(department);
            else
            {
                if (!_children.TryGetValue(parent, out var list)) _children[parent] = list = new List<Department>();
                list.Add(department);
            }
        }

        public List<Department> Build()
        {
            if (_roots.Count > 1)
                Warnings.Add($"the paths start with {_roots.Count} different top departments ({string.Join(", ", _roots.ConvertAll(r => r.Name))}); an export's paths all start with the company's name, so check the file");
            var result = new List<Department>(_byPath.Count);
            var stack = new Stack<Department>();
            for (int i = _roots.Count - 1; i >= 0; i--) stack.Push(_roots[i]);
            while (stack.Count > 0)
            {
                var d = stack.Pop();
                result.Add(d);
                if (_children.TryGetValue(d.Key, out var kids))
                    for (int i = kids.Count - 1; i >= 0; i--) stack.Push(kids[i]);
            }
            return result;
        }
    }
}
