using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;

namespace WeComSync.Authing
{
    /// <summary>
    /// One organization's department tree as Authing holds it, with the translation between Authing department ids and
    /// link ids (the WeCom identity kept in the link field). The root is addressed by <see cref="RootLinkId"/>: upstream with
    /// "ignore the top department" it stands for the export's top department (its path), downstream it is WeCom's root
    /// ("1"), otherwise it has no WeCom identity. An Authing department without a link reads as "authing:&lt;departmentId&gt;".
    /// Departments created during a run are added, so children and members created later in the same run find them.
    /// Thread safe.
    /// <para>
    /// One meaning per link field (docs/ARCHITECTURE.md §3): it holds WeCom's numeric id wherever one is known (a downstream
    /// run wrote it) and the export's path only where none is. The model is addressed the way the other side of the
    /// comparison names departments (<see cref="ReferenceOf"/>): by export path when the root is a path or nothing
    /// (upstream; a department that holds a WeCom id is named by its path through the tree), by WeCom id when the root is
    /// WeCom's (downstream; a department that holds only a path is not linked to WeCom yet).
    /// </para>
    /// </summary>
    public sealed class AuthingDepartmentMap
    {
        public const string UnlinkedPrefix = "authing:";

        private readonly ConcurrentDictionary<string, string> _idByLink = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _linkById = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        // The path through the tree (as ToDepartments names it: below the root's link), both ways; for the path view.
        private readonly Dictionary<string, string> _idByTreePath = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _treePathById = new Dictionary<string, string>(StringComparer.Ordinal);

        public AuthingDepartmentMap(string organizationCode, string rootDepartmentId, string rootName, IEnumerable<AuthingDepartmentDto> departments, LinkFieldNames linkFields, string rootLinkId = null)
        {
            OrganizationCode = organizationCode;
            RootDepartmentId = string.IsNullOrEmpty(rootDepartmentId) ? "root" : rootDepartmentId;
            RootName = rootName;
            RootLinkId = string.IsNullOrEmpty(rootLinkId) ? null : rootLinkId;
            LinkFields = linkFields ?? new LinkFieldNames();
            foreach (var d in departments ?? Enumerable.Empty<AuthingDepartmentDto>())
            {
                if (string.IsNullOrEmpty(d?.DepartmentId)) continue;
                if (IsRootId(d.DepartmentId) || string.IsNullOrEmpty(d.ParentDepartmentId) && d.DepartmentId == RootDepartmentId) { RootName = RootName ?? d.Name; continue; }
                ById[d.DepartmentId] = d;
                var link = AuthingJson.Text(d.CustomData, LinkFields.DepartmentId);
                if (!string.IsNullOrEmpty(link))
                {
                    _linkById[d.DepartmentId] = link;
                    _idByLink.TryAdd(link, d.DepartmentId); // a duplicate link keeps the first; the reader reports it
                }
            }
            if (RootLinkId != null) _idByLink[RootLinkId] = RootDepartmentId;
            ByPath = RootLinkId != null && !WeCom.WeComIdMap.IsWeComId(RootLinkId);
            ByWeComId = RootLinkId != null && WeCom.WeComIdMap.IsWeComId(RootLinkId);
            foreach (var d in ToDepartments(false))
            {
                if (d.Path == null || d.IncompleteReason != null) continue;
                _treePathById[d.SourceId] = d.Path;
                if (!_idByTreePath.ContainsKey(d.Path)) _idByTreePath[d.Path] = d.SourceId; // twins by name: the first; the planner reports them
            }
        }

        /// <summary>
        /// True when the model names departments by export path (the root is the file's top department: upstream with
        /// -IgnoreRootDepartment). With <see cref="ByWeComId"/> also false (no root link: a plain read such as
        /// Get-AuthingUser, or upstream without -IgnoreRootDepartment) a department is named by the link it holds.
        /// </summary>
        public bool ByPath { get; }

        /// <summary>True when the model names departments by WeCom id (the root is WeCom's, "1": downstream).</summary>
        public bool ByWeComId { get; }

        public string OrganizationCode { get; }
        public string RootDepartmentId { get; }
        public string RootName { get; }
        public string RootLinkId { get; }
        public LinkFieldNames LinkFields { get; }

        /// <summary>Every department but the root, by Authing id, as read (not those created during the run).</summary>
        public Dictionary<string, AuthingDepartmentDto> ById { get; } = new Dictionary<string, AuthingDepartmentDto>(StringComparer.Ordinal);

        public bool IsRootId(string departmentId) =>
            string.IsNullOrEmpty(departmentId) || departmentId == RootDepartmentId || departmentId == "root";

        /// <summary>The link id an Authing department holds (root: <see cref="RootLinkId"/>; unlinked: "authing:id"): what is written back.</summary>
        public string LinkIdOf(string departmentId)
        {
            if (IsRootId(departmentId)) return RootLinkId;
            return _linkById.TryGetValue(departmentId, out var link) ? link : UnlinkedPrefix + departmentId;
        }

        /// <summary>The WeCom id the department's link field holds; null when it holds none (a path, or nothing).</summary>
        public string WeComIdOf(string departmentId) =>
            departmentId != null && _linkById.TryGetValue(departmentId, out var link) && WeCom.WeComIdMap.IsWeComId(link) ? link : null;

        /// <summary>The WeCom id the department's parent link field holds, as read; null when it holds none.</summary>
        public string WeComParentIdOf(string departmentId)
        {
            if (departmentId == null || !ById.TryGetValue(departmentId, out var d)) return null;
            var link = AuthingJson.Text(d.CustomData, LinkFields.ParentDepartmentId);
            return WeCom.WeComIdMap.IsWeComId(link) ? link : null;
        }

        /// <summary>
        /// How the model names an Authing department (<see cref="ByPath"/>, <see cref="ByWeComId"/>): the root by
        /// <see cref="RootLinkId"/>; a linked department by its link, except that upstream one holding a WeCom id is named
        /// by its path through the tree and downstream one holding only a path is "authing:id" (not linked to WeCom); an
        /// unlinked one "authing:id".
        /// </summary>
        public string ReferenceOf(string departmentId)
        {
            if (IsRootId(departmentId)) return RootLinkId;
            if (!_linkById.TryGetValue(departmentId, out var link)) return UnlinkedPrefix + departmentId;
            bool weComId = WeCom.WeComIdMap.IsWeComId(link);
            if (ByPath) return weComId && _treePathById.TryGetValue(departmentId, out var path) ? path : link;
            if (ByWeComId) return weComId ? link : UnlinkedPrefix + departmentId;
            return link;
        }

        /// <summary>
        /// The Authing id for a reference (a link id, upstream also a path through the tree, or "authing:id"); null
        /// reference = the root; null when no such department exists.
        /// </summary>
        public string IdOf(string linkId)
        {
            if (string.IsNullOrEmpty(linkId)) return RootDepartmentId;
            if (_idByLink.TryGetValue(linkId, out var id)) return id;
            if (ByPath && _idByTreePath.TryGetValue(linkId, out id)) return id;
            if (linkId.StartsWith(UnlinkedPrefix, StringComparison.Ordinal))
            {
                var raw = linkId.Substring(UnlinkedPrefix.Length);
                return ById.ContainsKey(raw) || IsRootId(raw) ? raw : null;
            }
            return null;
        }

        /// <summary>
        /// What a person reads for an Authing department: the names from the organization's root, which is named after the
        /// organization ("示例科技/研发部/一组"), whatever its link holds (a WeCom id after a downstream run). Null for an id
        /// not in the tree as read; a parent missing from it ends the path at "…".
        /// </summary>
        public string PathOf(string departmentId)
        {
            var top = RootName ?? OrganizationCode;
            if (IsRootId(departmentId)) return top;
            if (!ById.ContainsKey(departmentId)) return null;
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var id = departmentId; !IsRootId(id); id = ById[id].ParentDepartmentId)
            {
                if (!seen.Add(id) || !ById.ContainsKey(id)) { names.Add("…"); top = null; break; }
                names.Add(ById[id].Name ?? id);
            }
            if (top != null) names.Add(top);
            names.Reverse();
            return string.Join("/", names);
        }

        /// <summary>
        /// Records a department created (or linked) during the run. A link that is a path never replaces a WeCom id the
        /// department holds: the path then only finds it.
        /// </summary>
        /// <summary>
        /// Resolves <paramref name="linkId"/> to <paramref name="departmentId"/> too, without changing how the department
        /// is named (<see cref="ReferenceOf"/>): an undo writes users back to a department's old link before the department
        /// itself is renamed back.
        /// </summary>
        public void Alias(string linkId, string departmentId)
        {
            if (string.IsNullOrEmpty(linkId) || string.IsNullOrEmpty(departmentId) || _idByLink.ContainsKey(linkId)) return;
            _idByLink[linkId] = departmentId;
        }

        public void Add(string linkId, string departmentId)
        {
            if (string.IsNullOrEmpty(linkId) || string.IsNullOrEmpty(departmentId)) return;
            _idByLink[linkId] = departmentId;
            if (WeComIdOf(departmentId) != null && !WeCom.WeComIdMap.IsWeComId(linkId)) return;
            _linkById[departmentId] = linkId;
        }

        /// <summary>
        /// The same tree as read, its root standing for <paramref name="rootLinkId"/> (the views follow: a path names the
        /// model by path, as -IgnoreRootDepartment does). Departments added during the run are not carried over.
        /// </summary>
        public AuthingDepartmentMap WithRootLink(string rootLinkId) =>
            new AuthingDepartmentMap(OrganizationCode, RootDepartmentId, RootName, ById.Values.ToList(), LinkFields, rootLinkId);

        /// <summary>The model view of the tree: parents before children; the root first unless <paramref name="includeRoot"/> is false.</summary>
        public List<Department> ToDepartments(bool includeRoot)
        {
            var result = new List<Department>();
            if (includeRoot)
            {
                result.Add(new Department
                {
                    Key = RootDepartmentId, Name = RootName, ParentKey = null, Path = RootLinkId ?? RootName, Depth = 0, IsRoot = true,
                    LinkId = RootLinkId, Source = DirectorySource.Authing, SourceId = RootDepartmentId,
                    WithheldFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(Department.Order) },
                });
            }
            var children = ById.Values.GroupBy(d => IsRootId(d.ParentDepartmentId) ? RootDepartmentId : d.ParentDepartmentId)
                .ToDictionary(g => g.Key, g => g.OrderBy(d => d.Name, StringComparer.Ordinal).ToList());
            var visited = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<(string Id, string Path, int Depth)>();
            queue.Enqueue((RootDepartmentId, RootLinkId, RootLinkId == null ? -1 : 0));
            while (queue.Count > 0)
            {
                var (parentId, parentPath, parentDepth) = queue.Dequeue();
                if (!children.TryGetValue(parentId, out var list)) continue;
                foreach (var d in list)
                {
                    if (!visited.Add(d.DepartmentId)) continue;
                    var path = parentPath == null ? d.Name : parentPath + "/" + d.Name;
                    result.Add(ToModel(d, path, parentDepth + 1));
                    queue.Enqueue((d.DepartmentId, path, parentDepth + 1));
                }
            }
            // Departments whose parent is not in the tree (should not happen): still emitted, marked, so they are never deleted blindly.
            foreach (var d in ById.Values.Where(d => !visited.Contains(d.DepartmentId)))
            {
                var m = ToModel(d, d.Name, 0);
                m.IncompleteReason = $"Authing department {d.DepartmentId} ({d.Name}) has a parent {d.ParentDepartmentId} that is not in organization {OrganizationCode}.";
                result.Add(m);
            }
            return result;
        }

        private static string Linked(string reference) => reference == null || reference.StartsWith(UnlinkedPrefix, StringComparison.Ordinal) ? null : reference;

        private Department ToModel(AuthingDepartmentDto d, string path, int depth) => new Department
        {
            Key = d.DepartmentId,
            Name = d.Name ?? "",
            ParentKey = IsRootId(d.ParentDepartmentId) ? RootDepartmentId : d.ParentDepartmentId,
            Path = path,
            Depth = depth,
            LinkId = Linked(ReferenceOf(d.DepartmentId)),
            ParentLinkId = ReferenceOf(d.ParentDepartmentId),
            Source = DirectorySource.Authing,
            SourceId = d.DepartmentId,
            WithheldFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(Department.Order) },
        };
    }
}
