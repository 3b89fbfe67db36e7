using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Comparison
{
    /// <summary>
    /// Matches reference departments with difference departments (link id, then path, then "mostly the same members")
    /// and plans creates (parents first), updates, moves and deletes (children first).
    /// </summary>
    internal sealed class DepartmentPlanner
    {
        public static readonly string[] FieldNames = { nameof(Department.Name), nameof(Department.Order), nameof(Department.ParentKey) };

        private static readonly StringComparer Links = StringComparer.Ordinal;

        private readonly CompareOptions _options;
        private readonly IOutputWriter _output;
        private readonly bool _name, _order, _parent;

        private IReadOnlyList<Department> _source, _target;
        // The two sides as an administrator names them ("the WeCom export", "Authing"), for reasons and notes.
        private string _here = Sides.Source, _there = Sides.Target;
        private Dictionary<string, Department> _sourceByKey, _targetByKey;
        private readonly Dictionary<Department, Department> _match = new Dictionary<Department, Department>(ReferenceEqualityComparer<Department>.Instance);
        private readonly Dictionary<Department, string> _how = new Dictionary<Department, string>(ReferenceEqualityComparer<Department>.Instance);
        private readonly HashSet<Department> _taken = new HashSet<Department>(ReferenceEqualityComparer<Department>.Instance);
        private readonly List<Change> _conflicts = new List<Change>();

        public DepartmentPlanner(CompareOptions options)
        {
            Validate(options.Property, "Property");
            Validate(options.ExcludeProperty, "ExcludeProperty");
            _options = options;
            _output = options.Output;
            bool all = options.Property == null || options.Property.Count == 0;
            _name = Compared(nameof(Department.Name), all);
            _order = Compared(nameof(Department.Order), all);
            _parent = Compared(nameof(Department.ParentKey), all);
        }

        private bool Compared(string field, bool all) =>
            (all || UserFields.Contains(_options.Property, field)) && !UserFields.Contains(_options.ExcludeProperty, field);

        private static void Validate(ICollection<string> names, string parameter)
        {
            if (names == null) return;
            foreach (var n in names)
                if (!FieldNames.Contains(n, StringComparer.OrdinalIgnoreCase))
                    throw new ArgumentException($"-{parameter}: '{n}' is not a department field. Use one of: {string.Join(", ", FieldNames)}.", parameter);
        }

        /// <summary>
        /// A department's WeCom identity: its LinkId (the path in the export, the WeCom id from the API, the link field in
        /// Authing), else its Key for sources that have no separate link; null for an Authing department not linked yet.
        /// </summary>
        internal static string Link(Department d)
        {
            var link = Text.Clean(d.LinkId);
            if (!string.IsNullOrEmpty(link)) return link;
            return d.Source == DirectorySource.Authing ? null : (string.IsNullOrEmpty(d.Key) ? null : d.Key);
        }

        /// <summary>The id a user's Departments list names this department by ("authing:&lt;id&gt;" when not linked).</summary>
        private static string MemberKey(Department d) => Link(d) ?? "authing:" + (d.SourceId ?? d.Key);

        internal static string PathKey(Department d)
        {
            if (string.IsNullOrEmpty(d.Path)) return null;
            return string.Join("/", d.Path.Split('/').Select(Text.Clean).Where(s => s.Length > 0));
        }

        public Plan Plan(IReadOnlyList<Department> source, IReadOnlyList<Department> target, IReadOnlyList<User> sourceUsers, IReadOnlyList<User> targetUsers)
        {
            source = TopUnderTargetRoot(source, target);
            _source = source; _target = target;
            _here = Sides.Of(source, Sides.Source);
            _there = Sides.Of(target, Sides.Target);
            _sourceByKey = ByKey(source);
            _targetByKey = ByKey(target);

            MatchRoots();
            var pending = MatchByLink();
            pending = MatchByPath(pending);
            pending = MatchByPathBelowRoot(pending);
            if (pending.Count > 0 && (sourceUsers != null || targetUsers != null || source.Any(d => d.ParentKey != null)))
                MatchByMembers(pending, sourceUsers ?? Array.Empty<User>(), targetUsers ?? Array.Empty<User>());

            var sourceDepth = Depths(source, _sourceByKey);
            var targetDepth = Depths(target, _targetByKey);
            var forward = new List<(Change Change, int Depth, int Index)>();
            for (int i = 0; i < source.Count; i++)
            {
                var s = source[i];
                if (s.IsRoot || _conflicted.Contains(s)) continue;
                Change change = _match.TryGetValue(s, out var t) ? Diff(s, t) : CreateChange(s);
                if (change != null) forward.Add((change, sourceDepth[s], i));
            }

            var deletes = new List<(Change Change, int Depth, int Index)>();
            if (_options.Allows(PlanOperation.Delete))
            {
                for (int i = 0; i < target.Count; i++)
                {
                    var t = target[i];
                    if (t.IsRoot || _taken.Contains(t)) continue;
                    if (Link(t) == null) { _output?.WriteVerbose($"{t.Path ?? t.Key}: not linked and not matched; left alone."); continue; }
                    deletes.Add((new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.Department, Key = Link(t), Current = t, Reason = Sides.NotIn(_there, _here) }, targetDepth[t], i));
                    _output?.WriteVerbose($"{t.Path ?? t.Key}: not in {_here}; delete.");
                }
            }

            // Parents before children for creates and moves (and updates, so a re-keyed parent is linked before its
            // children are created under the new key); children before parents for deletes.
            var changes = forward.OrderBy(c => c.Depth).ThenBy(c => c.Index).Select(c => c.Change)
                .Concat(deletes.OrderByDescending(c => c.Depth).ThenBy(c => c.Index).Select(c => c.Change))
                .Concat(_conflicts).ToList();
            var context = new PlanContext { Kind = ObjectKind.Department, SourceCount = source.Count, TargetCount = target.Count };
            CountTooDeep(source, sourceDepth, target, context);
            return new Plan(changes, context);
        }

        /// <summary>WeCom's department depth limit: "部门最多15层" (81002, document/path/90313), the root being level 1.</summary>
        public const int WeComMaxLevels = 15;

        /// <summary>
        /// Into WeCom, reference departments below level 15 (the root is level 1) cannot be created or moved: counted so the
        /// plan says so before anything is applied. A reference without its own root hangs under WeCom's root (level 2 at the top).
        /// </summary>
        private static void CountTooDeep(IReadOnlyList<Department> source, Dictionary<Department, int> depth, IReadOnlyList<Department> target, PlanContext context)
        {
            if (!target.Any(d => d.Source == DirectorySource.WeComApi)) return;
            int offset = source.Any(d => d.IsRoot) ? 1 : 2;
            foreach (var d in source)
            {
                if (d.IsRoot || !depth.TryGetValue(d, out var level) || level + offset <= WeComMaxLevels) continue;
                if (context.TooDeepCount++ == 0) context.TooDeepExample = d.Path ?? d.Name ?? d.Key;
            }
        }

        private readonly HashSet<Department> _conflicted = new HashSet<Department>(ReferenceEqualityComparer<Department>.Instance);

        private static Dictionary<string, Department> ByKey(IReadOnlyList<Department> list)
        {
            var map = new Dictionary<string, Department>(list.Count, Links);
            foreach (var d in list) if (d.Key != null && !map.ContainsKey(d.Key)) map[d.Key] = d;
            return map;
        }

        private void Pair(Department s, Department t, string how)
        {
            _match[s] = t;
            _how[s] = how;
            _taken.Add(t);
            _output?.WriteVerbose($"{s.Path ?? s.Key}: matched by {how}.");
        }

        /// <summary>
        /// The export's top department is the company. It stands for the target's root only when the target says so: its
        /// root carries the top's link (Get-AuthingDepartment -RootLinkId, Invoke-WeComUpstreamSync -IgnoreRootDepartment).
        /// Otherwise it is an ordinary department under the root (docs/ARCHITECTURE.md §3, roots), so it is planned like any other; the
        /// caller's object is left as it is.
        /// </summary>
        private static IReadOnlyList<Department> TopUnderTargetRoot(IReadOnlyList<Department> source, IReadOnlyList<Department> target)
        {
            var top = source.FirstOrDefault(d => d.IsRoot && d.Source == DirectorySource.WeComExport);
            var root = target.FirstOrDefault(d => d.IsRoot);
            if (top == null || root == null || Links.Equals(Link(top) ?? "", Link(root) ?? "")) return source;
            var copy = top.Clone();
            copy.IsRoot = false;
            copy.ParentKey = null;
            copy.ParentLinkId = null;
            return source.Select(d => ReferenceEquals(d, top) ? copy : d).ToList();
        }

        private void MatchRoots()
        {
            var sr = _source.FirstOrDefault(d => d.IsRoot);
            var tr = _target.FirstOrDefault(d => d.IsRoot);
            if (sr != null && tr != null) Pair(sr, tr, "root");
        }

        private List<Department> MatchByLink()
        {
            // Duplicate links on the reference side are conflicts; on the difference side they make a match ambiguous.
            var sourceGroups = _source.Where(d => !_match.ContainsKey(d) && Link(d) != null).GroupBy(Link, Links).Where(g => g.Count() > 1).ToList();
            foreach (var g in sourceGroups)
            {
                foreach (var d in g) _conflicted.Add(d);
                _conflicts.Add(new Change
                {
                    Operation = ChangeOperation.Conflict, Kind = ObjectKind.Department, Key = g.Key, Desired = g.First(), Candidates = g.Cast<DirectoryObject>().ToList(),
                    Reason = $"{g.Count()} departments in {_here} have the id '{g.Key}'; keep one",
                });
            }
            var byLink = _target.Where(d => !_taken.Contains(d) && Link(d) != null).GroupBy(Link, Links).ToDictionary(g => g.Key, g => g.ToList(), Links);
            foreach (var g in sourceGroups) if (byLink.TryGetValue(g.Key, out var namesakes)) foreach (var t in namesakes) _taken.Add(t);

            var pending = new List<Department>();
            foreach (var s in _source)
            {
                if (_match.ContainsKey(s) || _conflicted.Contains(s)) continue;
                var link = Link(s);
                if (link == null || !byLink.TryGetValue(link, out var hits)) { pending.Add(s); continue; }
                if (hits.Count > 1) { Ambiguous(s, hits, "id"); continue; }
                Pair(s, hits[0], "id");
            }
            foreach (var g in byLink.Values.Where(v => v.Count > 1 && !v.Any(_taken.Contains)))
            {
                foreach (var t in g) _taken.Add(t);
                _conflicts.Add(new Change
                {
                    Operation = ChangeOperation.Conflict, Kind = ObjectKind.Department, Key = Link(g[0]), Current = g[0], Candidates = g.Cast<DirectoryObject>().ToList(),
                    Reason = $"{g.Count} departments in {_there} are linked to '{Link(g[0])}'; unlink all but one",
                });
            }
            return pending;
        }

        private void Ambiguous(Department s, List<Department> candidates, string label)
        {
            _conflicted.Add(s);
            foreach (var t in candidates) _taken.Add(t);
            _conflicts.Add(new Change
            {
                Operation = ChangeOperation.Conflict, Kind = ObjectKind.Department, Key = Link(s) ?? s.Key, Desired = s, Candidates = candidates.Cast<DirectoryObject>().ToList(),
                Reason = $"ambiguous: {candidates.Count} departments in {_there} match by {label} ({string.Join(", ", candidates.Select(c => c.Path ?? c.Key))}); link one by hand",
            });
            _output?.WriteVerbose($"{s.Path ?? s.Key}: {candidates.Count} candidates by {label}; reported as a conflict, not guessed.");
        }

        private List<Department> MatchByPath(List<Department> pending)
        {
            if (pending.Count == 0) return pending;
            // Roots pair only with each other (MatchRoots): an organization's root named like the export's top department
            // is not that department when the top is an ordinary one (no -IgnoreRootDepartment), or every run would plan
            // a link on the root and move the top's children again.
            var byPath = _target.Where(d => !_taken.Contains(d) && !d.IsRoot && PathKey(d) != null).GroupBy(PathKey, Links).ToDictionary(g => g.Key, g => g.ToList(), Links);
            var still = new List<Department>();
            foreach (var s in pending)
            {
                if (s.IsRoot) { still.Add(s); continue; }
                var path = PathKey(s);
                if (path == null || !byPath.TryGetValue(path, out var hits)) { still.Add(s); continue; }
                hits = hits.Where(h => !_taken.Contains(h)).ToList();
                if (hits.Count == 0) { still.Add(s); continue; }
                if (hits.Count > 1) { Ambiguous(s, hits, "path"); continue; }
                Pair(s, hits[0], "path");
            }
            return still;
        }

        /// <summary>
        /// Downstream the two roots are named differently (Authing's root path is its link, "1"; WeCom's is the company
        /// name), so whole paths never meet: an Authing department whose link was lost is matched by its path below the
        /// matched root instead. Only when the roots' paths differ; otherwise the whole-path pass has done this already.
        /// </summary>
        private List<Department> MatchByPathBelowRoot(List<Department> pending)
        {
            var sr = _source.FirstOrDefault(d => d.IsRoot);
            if (pending.Count == 0 || sr == null || !_match.TryGetValue(sr, out var tr)) return pending;
            string sourceRoot = PathKey(sr), targetRoot = PathKey(tr);
            if (sourceRoot == null || targetRoot == null || Links.Equals(sourceRoot, targetRoot)) return pending;
            var byPath = _target.Where(d => !_taken.Contains(d)).Select(d => (Path: Below(d, targetRoot), Department: d)).Where(p => p.Path != null)
                .GroupBy(p => p.Path, p => p.Department, Links).ToDictionary(g => g.Key, g => g.ToList(), Links);
            var still = new List<Department>();
            foreach (var s in pending)
            {
                var path = Below(s, sourceRoot);
                var hits = path != null && byPath.TryGetValue(path, out var found) ? found.Where(h => !_taken.Contains(h)).ToList() : null;
                if (hits == null || hits.Count == 0) { still.Add(s); continue; }
                if (hits.Count > 1) { Ambiguous(s, hits, "path"); continue; }
                Pair(s, hits[0], "path");
            }
            return still;
        }

        /// <summary>A department's path below the root path <paramref name="root"/>; null when it is not below it.</summary>
        private static string Below(Department d, string root)
        {
            var path = PathKey(d);
            return path != null && path.Length > root.Length + 1 && path.StartsWith(root + "/", StringComparison.Ordinal) ? path.Substring(root.Length + 1) : null;
        }

        /// <summary>
        /// The export has no department ids, so a department renamed or moved in WeCom arrives as a new path while its
        /// old path vanishes. An unmatched reference department and an unmatched difference department whose direct
        /// members and children are mostly the same are one department. Deepest first, so a renamed parent is found
        /// through its children, which were found through their members.
        /// </summary>
        private void MatchByMembers(List<Department> pending, IReadOnlyList<User> sourceUsers, IReadOnlyList<User> targetUsers)
        {
            var sourceMembers = Members(sourceUsers, UserPlanner.SourceKey);
            var targetMembers = Members(targetUsers, u => UserPlanner.LinkKey(u) ?? u.Username);
            // Inverted index of the difference side: member → departments, child → parent.
            var targetDeptByMember = new Dictionary<string, List<Department>>(StringComparer.OrdinalIgnoreCase);
            var openTargets = _target.Where(t => !_taken.Contains(t) && !t.IsRoot).ToList();
            foreach (var t in openTargets)
                if (targetMembers.TryGetValue(MemberKey(t), out var users))
                    foreach (var u in users)
                    {
                        if (!targetDeptByMember.TryGetValue(u, out var list)) targetDeptByMember[u] = list = new List<Department>(1);
                        list.Add(t);
                    }
            var childrenOfTarget = _target.Where(t => t.ParentKey != null).GroupBy(t => t.ParentKey, Links).ToDictionary(g => g.Key, g => g.Count(), Links);
            var childrenOfSource = _source.Where(s => s.ParentKey != null).GroupBy(s => s.ParentKey, Links).ToDictionary(g => g.Key, g => g.ToList(), Links);

            var depth = Depths(_source, _sourceByKey);
            foreach (var level in pending.Where(p => !p.IsRoot).GroupBy(p => depth[p]).OrderByDescending(g => g.Key))
            {
                var candidates = new List<(Department S, Department T, double Score)>();
                foreach (var s in level)
                {
                    var mine = sourceMembers.TryGetValue(MemberKey(s), out var m) ? m : new List<string>();
                    var kids = childrenOfSource.TryGetValue(s.Key ?? "", out var k) ? k : new List<Department>();
                    var common = new Dictionary<Department, int>(ReferenceEqualityComparer<Department>.Instance);
                    foreach (var u in mine)
                        if (targetDeptByMember.TryGetValue(u, out var depts))
                            foreach (var t in depts) common[t] = common.TryGetValue(t, out var n) ? n + 1 : 1;
                    foreach (var kid in kids)
                        if (_match.TryGetValue(kid, out var kt) && kt.ParentKey != null && _targetByKey.TryGetValue(kt.ParentKey, out var tp) && !tp.IsRoot)
                            common[tp] = common.TryGetValue(tp, out var n) ? n + 1 : 1;
                    foreach (var pair in common)
                    {
                        var t = pair.Key;
                        if (_taken.Contains(t)) continue;
                        int theirs = (targetMembers.TryGetValue(MemberKey(t), out var tm) ? tm.Count : 0) + (t.Key != null && childrenOfTarget.TryGetValue(t.Key, out var c) ? c : 0);
                        double score = pair.Value / (double)Math.Max(mine.Count + kids.Count, theirs);
                        if (score > _options.RenameSimilarity) candidates.Add((s, t, score));
                    }
                }
                // Best pairs first; a tie for the same department is not guessed.
                foreach (var c in candidates.OrderByDescending(c => c.Score))
                {
                    if (_match.ContainsKey(c.S) || _taken.Contains(c.T)) continue;
                    bool tie = candidates.Any(o => !ReferenceEquals(o.T, c.T) && ReferenceEquals(o.S, c.S) && o.Score == c.Score && !_taken.Contains(o.T))
                            || candidates.Any(o => !ReferenceEquals(o.S, c.S) && ReferenceEquals(o.T, c.T) && o.Score == c.Score && !_match.ContainsKey(o.S));
                    if (tie) { _output?.WriteVerbose($"{c.S.Path ?? c.S.Key}: several departments share its members equally; not guessed."); continue; }
                    Pair(c.S, c.T, "members");
                }
            }
        }

        private static Dictionary<string, List<string>> Members(IReadOnlyList<User> users, Func<User, string> key)
        {
            var map = new Dictionary<string, List<string>>(Links);
            foreach (var u in users)
            {
                if (u.Departments == null) continue;
                var k = key(u);
                if (k == null) continue;
                foreach (var d in u.Departments)
                {
                    var dk = Text.Clean(d);
                    if (string.IsNullOrEmpty(dk)) continue;
                    if (!map.TryGetValue(dk, out var list)) map[dk] = list = new List<string>();
                    list.Add(k);
                }
            }
            return map;
        }

        private static Dictionary<Department, int> Depths(IReadOnlyList<Department> list, Dictionary<string, Department> byKey)
        {
            var depth = new Dictionary<Department, int>(list.Count, ReferenceEqualityComparer<Department>.Instance);
            foreach (var d in list)
            {
                if (depth.ContainsKey(d)) continue;
                // Walk up to a known depth (cycle-safe: a loop counts as top).
                var chain = new List<Department>();
                var seen = new HashSet<Department>(ReferenceEqualityComparer<Department>.Instance);
                var cur = d;
                int baseDepth = -1;
                while (cur != null && seen.Add(cur))
                {
                    if (depth.TryGetValue(cur, out var known)) { baseDepth = known; break; }
                    chain.Add(cur);
                    cur = cur.ParentKey != null && byKey.TryGetValue(cur.ParentKey, out var p) ? p : null;
                }
                for (int i = chain.Count - 1; i >= 0; i--) depth[chain[i]] = ++baseDepth;
            }
            return depth;
        }

        private Change CreateChange(Department s)
        {
            if (!_options.Allows(PlanOperation.Create)) { _output?.WriteVerbose($"{s.Path ?? s.Key}: no match; creates were not asked for."); return null; }
            _output?.WriteVerbose($"{s.Path ?? s.Key}: no match; create.");
            var fields = new List<FieldChange>();
            if (s.Name != null && !Excluded(nameof(Department.Name))) fields.Add(new FieldChange(nameof(Department.Name), null, Text.Clean(s.Name)));
            if (s.ParentKey != null) fields.Add(new FieldChange(nameof(Department.ParentKey), null, s.ParentKey));
            if (s.Order != null && !Excluded(nameof(Department.Order))) fields.Add(new FieldChange(nameof(Department.Order), null, s.Order));
            return Describe(new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = Link(s) ?? s.Key, Desired = s, Fields = fields, Reason = Sides.NotIn(_here, _there) });
        }

        private bool Excluded(string field) => UserFields.Contains(_options.ExcludeProperty, field);

        private Change Diff(Department s, Department t)
        {
            var how = _how[s];
            // The reference side carries no link (an Authing department whose write-back was lost) while the difference
            // side has its WeCom id: write the link back, even when no field differs and even with -UpdateMode None.
            string linkBack = _options.Allows(PlanOperation.Update) && Link(s) == null && !CarriesLink(t) ? Link(t) : null;
            if (!_options.Updates && linkBack == null) return null;
            var fields = new List<FieldChange>();
            bool overwrite = _options.UpdateMode == UpdateMode.Overwrite;
            bool moved = false;
            if (_options.Updates) Compare(s, t, fields, overwrite, out moved);
            if (linkBack != null) fields.Add(new FieldChange(LinkChange.Field, null, linkBack));

            if (fields.Count == 0) return null;
            string reason = how == "members" ? "renamed, matched by members" : "matched by " + how;
            if (linkBack != null && fields.Count == 1) reason += "; link not written back yet";
            return Describe(new Change
            {
                Operation = moved ? ChangeOperation.Move : ChangeOperation.Update, Kind = ObjectKind.Department, Key = Link(s) ?? s.Key,
                Desired = s, Current = t, Fields = fields, Reason = overwrite ? reason + "; overwrite" : reason,
            });
        }

        /// <summary>The fields of a matched pair that differ (names, order, parent, and the difference side's link fields).</summary>
        private void Compare(Department s, Department t, List<FieldChange> fields, bool overwrite, out bool moved)
        {
            if (_name && Known(s, nameof(Department.Name), s.Name))
            {
                bool targetKnows = Known(t, nameof(Department.Name), t.Name);
                if (targetKnows ? !string.Equals(Text.Clean(s.Name), Text.Clean(t.Name), StringComparison.Ordinal) : overwrite)
                    fields.Add(new FieldChange(nameof(Department.Name), targetKnows ? t.Name : null, Text.Clean(s.Name)));
            }
            if (_order && Known(s, nameof(Department.Order), s.Order))
            {
                bool targetKnows = Known(t, nameof(Department.Order), t.Order);
                if (targetKnows ? s.Order != t.Order : overwrite)
                    fields.Add(new FieldChange(nameof(Department.Order), targetKnows ? t.Order : null, s.Order));
            }

            moved = _parent && ParentChanged(s, t);
            if (moved) fields.Add(new FieldChange(nameof(Department.ParentKey), t.ParentKey, s.ParentKey));

            // Link fields, where the difference side keeps them (Authing): re-key after a rename upstream, link a
            // department matched by path, and keep the parent link in step.
            if (CarriesLink(t))
            {
                var link = Link(s);
                if (link != null && !string.Equals(link, Text.Clean(t.LinkId), StringComparison.Ordinal))
                    fields.Add(new FieldChange(nameof(Department.LinkId), t.LinkId, link));
                var parentLink = DesiredParentLink(s);
                if (parentLink != null && !string.Equals(parentLink, Text.Clean(t.ParentLinkId), StringComparison.Ordinal))
                    fields.Add(new FieldChange(nameof(Department.ParentLinkId), t.ParentLinkId, parentLink));
            }
        }

        private static bool Known(DirectoryObject o, string field, object value) => value != null && !UserField.IsWithheld(o, field);

        /// <summary>Authing keeps the WeCom identity in link fields; WeCom's own id cannot be re-keyed.</summary>
        private static bool CarriesLink(Department t) => t.Source == DirectorySource.Authing || (t.Source == DirectorySource.Unknown && t.LinkId != null);

        private string DesiredParentLink(Department s)
        {
            if (s.ParentKey == null) return null;
            if (_sourceByKey.TryGetValue(s.ParentKey, out var p)) return p.IsRoot ? null : Link(p);
            return Text.Clean(s.ParentLinkId);
        }

        private bool ParentChanged(Department s, Department t)
        {
            Department sp = s.ParentKey != null && _sourceByKey.TryGetValue(s.ParentKey, out var a) ? a : null;
            Department tp = t.ParentKey != null && _targetByKey.TryGetValue(t.ParentKey, out var b) ? b : null;
            bool sourceTop = sp == null ? s.ParentKey == null : sp.IsRoot;
            bool targetTop = tp == null ? t.ParentKey == null : tp.IsRoot;
            if (sourceTop || targetTop) return sourceTop != targetTop;
            if (sp != null && tp != null) return !(_match.TryGetValue(sp, out var m) && ReferenceEquals(m, tp));
            // A parent outside the compared set: compare WeCom identities.
            string want = sp != null ? Link(sp) : Text.Clean(s.ParentLinkId) ?? s.ParentKey;
            string have = tp != null ? Link(tp) : Text.Clean(t.ParentLinkId) ?? t.ParentKey;
            return !string.Equals(want, have, StringComparison.Ordinal);
        }

        private Change Describe(Change change)
        {
            change.Description = PlanText.Describe(change, ParentName);
            return change;
        }

        private string ParentName(string key, bool reference)
        {
            var map = reference ? _sourceByKey : _targetByKey;
            return map.TryGetValue(key, out var d) ? d.Name ?? PlanText.LastSegment(d.Path) ?? key : PlanText.LastSegment(key);
        }
    }
}
