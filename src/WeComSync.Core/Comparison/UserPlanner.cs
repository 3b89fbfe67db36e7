using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Comparison
{
    /// <summary>Matches reference users with difference users and plans the changes that make the difference side follow.</summary>
    internal sealed class UserPlanner
    {
        private static readonly StringComparer Ids = StringComparer.OrdinalIgnoreCase; // userid comparison ignores case

        // A reference user's match state after the first pass (Plan): the index of the one difference user with its key, or one of these.
        private const int Miss = -1, NoKey = -2, Duplicate = -3;
        // At or below GroupBase: several difference users share the key; the group's index is GroupBase - value.
        private const int GroupBase = -10;

        private readonly CompareOptions _options;
        private readonly UserField[] _fields;
        private readonly UserField[] _unflagged; // compared fields the built-in fast path does not cover (mapped ones included)
        private readonly int[] _mappedSlots; // the compared mapped fields' slots: their fast path compares by index
        private readonly UserField[] _uncovered; // compared fields neither fast path covers
        private readonly UserFieldSet _fieldSet;
        private readonly List<UserField> _available; // built-in and mapped fields
        private readonly bool[] _excluded; // by _available index
        private readonly bool _excludeUserId;
        private readonly bool _excludeEnabled;
        private readonly IOutputWriter _output;
        // The two sides as an administrator names them ("the WeCom export", "Authing"), for reasons and notes.
        private string _here = Sides.Source, _there = Sides.Target;

        private readonly List<Change> _creates = new List<Change>();
        private readonly List<Change> _updates = new List<Change>();
        private readonly List<Change> _deletes = new List<Change>();
        private readonly List<Change> _conflicts = new List<Change>();

        public UserPlanner(CompareOptions options)
        {
            _options = options;
            _fields = UserFields.Select(options);
            _fieldSet = UserFields.SetOf(_fields);
            _unflagged = _fields.Where(f => UserFields.Flag(f) == UserFieldSet.None).ToArray();
            _mappedSlots = _unflagged.Where(f => f.Definition.Slot >= 0).Select(f => f.Definition.Slot).ToArray();
            _uncovered = _unflagged.Where(f => f.Definition.Slot < 0).ToArray();
            _available = UserFields.Available(options);
            _excluded = new bool[_available.Count];
            for (int k = 0; k < _excluded.Length; k++) _excluded[k] = UserFields.Contains(options.ExcludeProperty, _available[k].Name);
            _excludeUserId = UserFields.Contains(options.ExcludeProperty, nameof(User.UserId));
            _excludeEnabled = ExcludesEnabled(options);
            _output = options.Output;
        }

        /// <summary>Enabled is left out of the comparison (-ExcludeProperty, or a -Property list without it): no re-hire is planned.</summary>
        internal static bool ExcludesEnabled(CompareOptions options) => UserFields.Contains(options.ExcludeProperty, nameof(User.Enabled)) ||
            options.Property != null && options.Property.Count > 0 && !UserFields.Contains(options.Property, nameof(User.Enabled));

        /// <summary>The key a reference user is known by: its userid, or (an Authing user not linked yet) its username.</summary>
        internal static string SourceKey(User u)
        {
            var id = Text.Clean(u.UserId);
            return string.IsNullOrEmpty(id) ? NullIfEmpty(Text.Clean(u.Username)) : id;
        }

        /// <summary>The link key of a difference user: its userid (on Authing users, the link field); null when not linked.</summary>
        internal static string LinkKey(User u) => NullIfEmpty(Text.Clean(u.UserId));

        private static string NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;

        /// <summary>Difference users sharing one link key, in the order they came; ambiguous for whoever matches the key.</summary>
        private sealed class TargetGroup
        {
            public TargetGroup(string key, int first, List<User> users) { Key = key; First = first; Users = users; }
            public string Key { get; }
            public int First { get; }
            public List<User> Users { get; }
        }

        /// <summary>
        /// One hash join does the common case: every key is computed once, the difference side is indexed once, each
        /// reference user is looked up once, and per-user state lives in arrays. Whatever is rare (duplicates, ambiguous
        /// and fallback matches) keeps its own small collections, so the order of changes and messages is that of the
        /// straightforward algorithm: conflicts for missing keys, then reference duplicates, then matching in reference order.
        /// </summary>
        public Plan Plan(IReadOnlyList<User> source, IReadOnlyList<User> target)
        {
            int n = source.Count, m = target.Count;
            _here = Sides.Of(source, Sides.Source);
            _there = Sides.Of(target, Sides.Target);

            // The difference side by link key (userid, case ignored).
            var byLink = new Dictionary<string, int>(m, Ids);
            var groups = new List<TargetGroup>();
            var single = new bool[m];   // the only difference user with its link key: matched[] holds its state
            var matched = new bool[m];
            var matchedOthers = new HashSet<User>(ReferenceEqualityComparer<User>.Instance); // the rest: unlinked, or sharing a key
            for (int j = 0; j < m; j++)
            {
                var link = LinkKey(target[j]);
                if (link == null) continue;
                if (!byLink.TryGetValue(link, out var at)) { byLink.Add(link, j); single[j] = true; }
                else if (at >= 0)
                {
                    single[at] = false;
                    byLink[link] = GroupBase - groups.Count;
                    groups.Add(new TargetGroup(LinkKey(target[at]), at, new List<User> { target[at], target[j] }));
                }
                else groups[GroupBase - at].Users.Add(target[j]);
            }

            // The reference side: key and lookup once per user. A key seen before is a duplicate: reported, nothing planned
            // for it, and its namesakes kept from deletion. A single difference user remembers who claimed it first; keys
            // that found no single user (rare) are remembered in a small dictionary.
            var keys = new string[n];
            var hit = new int[n];
            var claimedBy = new int[m]; // 1 + the reference index that claimed the single difference user first
            Dictionary<string, int> otherFirst = null;
            var duplicates = new List<(string Key, List<User> Users)>();
            Dictionary<int, int> duplicateOf = null; // first reference index -> duplicates index
            for (int i = 0; i < n; i++)
            {
                var s = source[i];
                var key = SourceKey(s);
                if (key == null)
                {
                    hit[i] = NoKey;
                    Conflict(s.UserId ?? s.Username, s, null, new List<DirectoryObject> { s }, $"a user in {_here} {Where(s)}has no userid; give it one");
                    continue;
                }
                keys[i] = key;
                int first;
                bool found = byLink.TryGetValue(key, out var at);
                if (found && at >= 0)
                {
                    hit[i] = at;
                    if (claimedBy[at] == 0) { claimedBy[at] = i + 1; continue; }
                    first = claimedBy[at] - 1;
                }
                else
                {
                    hit[i] = found ? at : Miss;
                    otherFirst = otherFirst ?? new Dictionary<string, int>(Ids);
                    if (!otherFirst.TryGetValue(key, out first)) { otherFirst.Add(key, i); continue; }
                }
                // A second (or later) reference user with this key.
                duplicateOf = duplicateOf ?? new Dictionary<int, int>();
                if (duplicateOf.TryGetValue(first, out var d)) duplicates[d].Users.Add(s);
                else
                {
                    duplicateOf.Add(first, duplicates.Count);
                    duplicates.Add((key, new List<User> { source[first], s }));
                    hit[first] = Duplicate;
                }
                hit[i] = Duplicate;
            }
            foreach (var dup in duplicates)
            {
                Conflict(dup.Key, dup.Users[0], null, new List<DirectoryObject>(dup.Users),
                    $"{dup.Users.Count} users in {_here} have userid '{dup.Key}' ({string.Join("; ", dup.Users.Select(u => u.Origin ?? u.ToString()))}); keep one");
            }

            // 1. Link key.
            var unmatched = new List<int>();
            for (int i = 0; i < n; i++)
            {
                int at = hit[i];
                if (at >= 0)
                {
                    matched[at] = true;
                    if (_output != null)
                        _output.WriteVerbose(LinkKey(source[i]) == null ? $"{keys[i]}: matched by username (not linked yet in {_here}); plan the link." : $"{keys[i]}: matched by userid.");
                }
                else if (at <= GroupBase) Ambiguous(source[i], keys[i], groups[GroupBase - at].Users, matchedOthers, "userid");
                else if (at == Miss) unmatched.Add(i);
            }
            var matches = new List<(int Source, User Target, string How)>(); // beyond the link key, in the order found

            // 1b. The export's one-time rename (old:new): the target still carries the old userid.
            if (unmatched.Count > 0)
            {
                var still = new List<int>();
                foreach (int i in unmatched)
                {
                    var s = source[i];
                    var previous = NullIfEmpty(Text.Clean(s.PreviousUserId));
                    if (previous != null && byLink.TryGetValue(previous, out var at))
                    {
                        if (at <= GroupBase) { Ambiguous(s, keys[i], groups[GroupBase - at].Users, matchedOthers, "previous userid"); continue; }
                        if (!matched[at])
                        {
                            matched[at] = true;
                            matches.Add((i, target[at], "previous userid"));
                            _output?.WriteVerbose($"{keys[i]}: matched by previous userid '{previous}' (renamed); plan an update of UserId.");
                            continue;
                        }
                    }
                    still.Add(i);
                }
                unmatched = still;
            }

            // 2. Fallbacks in order, among difference users not linked yet.
            foreach (var by in _options.MatchBy.Where(k => k != MatchKey.LinkKey).Distinct())
            {
                if (unmatched.Count == 0) break;
                unmatched = Fallback(by, unmatched, source, keys, target, single, matched, matchedOthers, matches);
            }

            // Reference duplicates: their namesakes on the difference side are not to be deleted.
            foreach (var dup in duplicates)
            {
                if (!byLink.TryGetValue(dup.Key, out var at)) continue;
                if (at >= 0) matched[at] = true;
                else matchedOthers.UnionWith(groups[GroupBase - at].Users);
            }

            // Duplicates on the difference side that nobody matched: report them too, in the order their keys first appeared.
            groups.Sort((a, b) => a.First.CompareTo(b.First));
            foreach (var group in groups)
            {
                var several = group.Users;
                if (several.Any(matchedOthers.Contains)) continue;
                matchedOthers.UnionWith(several);
                Conflict(group.Key, null, several[0], new List<DirectoryObject>(several),
                    $"{several.Count} users in {_there} are linked to userid '{group.Key}'; unlink all but one");
            }

            if (_options.Allows(PlanOperation.Create))
                foreach (int i in unmatched) Create(source[i], keys[i]);
            else if (_output != null)
                foreach (int i in unmatched) _output.WriteVerbose($"{keys[i]}: no match; creates were not asked for.");

            if (_options.Updates)
            {
                for (int i = 0; i < n; i++)
                    if (hit[i] >= 0) Update(source[i], target[hit[i]], keys[i], LinkKey(source[i]) == null ? "username" : "userid", false);
                // An unlinked reference user paired with a linked difference user (by name) keeps the member's userid:
                // the link goes back instead of a rename.
                foreach (var (i, t, how) in matches) Update(source[i], t, keys[i], how, LinkKey(t) == null || LinkKey(source[i]) != null);
            }
            else if (_options.Allows(PlanOperation.Update))
            {
                // No field updates (-UpdateMode None), but a reference user matched without its link still gets the link
                // written back: it completes an earlier create whose write-back was lost, and WeCom is not written.
                for (int i = 0; i < n; i++)
                    if (hit[i] >= 0 && (LinkKey(source[i]) == null || Rehired(source[i], target[hit[i]]))) LinkOnly(source[i], target[hit[i]], keys[i], LinkKey(source[i]) == null ? "username" : "userid");
                foreach (var (i, t, how) in matches) LinkOnly(source[i], t, keys[i], how); // a name match pairs with a linked member
            }

            if (_options.Allows(PlanOperation.Delete))
            {
                for (int j = 0; j < m; j++)
                {
                    var t = target[j];
                    if (single[j] ? matched[j] : matchedOthers.Contains(t)) continue;
                    var link = LinkKey(t);
                    if (link == null)
                    {
                        // Not linked: not ours to delete (an Authing user that never came from WeCom).
                        _output?.WriteVerbose($"{t.Username ?? t.SourceId}: not linked and not matched; left alone.");
                        continue;
                    }
                    if (_options.DeleteAction == DeleteAction.Suspend)
                    {
                        if (t.Enabled == false) { _output?.WriteVerbose($"{link}: not in {_here}; suspended already."); continue; }
                        _deletes.Add(new Change
                        {
                            Operation = ChangeOperation.Suspend, Kind = ObjectKind.User, Key = link, Current = t, Reason = Sides.NotIn(_there, _here) + "; suspended, not deleted",
                            Fields = new List<FieldChange> { new FieldChange(nameof(User.Enabled), t.Enabled, false) },
                        });
                        _output?.WriteVerbose($"{link}: not in {_here}; suspend.");
                        continue;
                    }
                    _deletes.Add(new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = link, Current = t, Reason = Sides.NotIn(_there, _here) });
                    _output?.WriteVerbose($"{link}: not in {_here}; delete.");
                }
            }

            var changes = new List<Change>(_creates.Count + _updates.Count + _deletes.Count + _conflicts.Count);
            changes.AddRange(_creates);
            changes.AddRange(_updates);
            changes.AddRange(_deletes);
            changes.AddRange(_conflicts);
            return new Plan(changes, new PlanContext { Kind = ObjectKind.User, SourceCount = source.Count, TargetCount = target.Count });
        }

        private List<int> Fallback(MatchKey by, List<int> unmatched, IReadOnlyList<User> source, string[] keys, IReadOnlyList<User> target,
            bool[] linked, bool[] matched, HashSet<User> matchedOthers, List<(int, User, string)> matches)
        {
            Func<User, string> value;
            string label;
            bool byName = by == MatchKey.Name;
            switch (by)
            {
                case MatchKey.Name: label = "unique name"; value = u => Known(u, nameof(User.Name)) ? NullIfEmpty(Text.Clean(u.Name)) : null; break;
                case MatchKey.Username: label = "username"; value = null; break; // the reference side's key is its username already
                case MatchKey.Mobile: label = "mobile"; value = u => Known(u, nameof(User.Mobile)) ? NullIfEmpty(MobileNumber.Normalize(u.Mobile)) : null; break;
                case MatchKey.Email: label = "email"; value = u => Known(u, nameof(User.Email)) ? NullIfEmpty(EmailAddress.Normalize(u.Email)) : null; break;
                default: return unmatched;
            }

            // Names are compared exactly: a guess by name is the last resort and should not widen.
            var index = new Dictionary<string, List<User>>(byName ? StringComparer.Ordinal : Ids);
            var at = byName ? new Dictionary<User, int>(ReferenceEqualityComparer<User>.Instance) : null;
            for (int j = 0; j < target.Count; j++)
            {
                var t = target[j];
                // Single linked users are never candidates; the others are skipped when linked or already taken. By name,
                // a single linked user nobody matched is a candidate too (a WeCom member downstream is always linked).
                if (byName ? (linked[j] ? matched[j] : matchedOthers.Contains(t) || LinkKey(t) != null)
                           : linked[j] || matchedOthers.Contains(t) || LinkKey(t) != null) continue;
                if (byName) at[t] = j;
                var v = value == null ? NullIfEmpty(Text.Clean(t.Username)) : value(t);
                if (v == null) continue;
                if (!index.TryGetValue(v, out var list)) index[v] = list = new List<User>(1);
                list.Add(t);
            }
            if (index.Count == 0) return unmatched;

            var claims = new Dictionary<User, List<int>>(ReferenceEqualityComparer<User>.Instance);
            var still = new List<int>();
            foreach (int i in unmatched)
            {
                // By name, only a reference user with no link: a linked one whose member is gone is created, not re-paired.
                if (byName && LinkKey(source[i]) != null) { still.Add(i); continue; }
                var v = value == null ? keys[i] : value(source[i]);
                if (v == null || !index.TryGetValue(v, out var candidates)) { still.Add(i); continue; }
                if (candidates.Count > 1) { Ambiguous(source[i], keys[i], candidates, matchedOthers, label); continue; }
                if (!claims.TryGetValue(candidates[0], out var claimants)) claims[candidates[0]] = claimants = new List<int>(1);
                claimants.Add(i);
            }
            foreach (var claim in claims)
            {
                var t = claim.Key;
                if (matchedOthers.Contains(t)) continue; // taken by an ambiguous report meanwhile
                matchedOthers.Add(t);
                if (claim.Value.Count > 1)
                {
                    Conflict(t.Username ?? t.SourceId, null, t, claim.Value.Select(i => (DirectoryObject)source[i]).ToList(),
                        $"{claim.Value.Count} users in {_here} ({string.Join(", ", claim.Value.Select(i => keys[i]))}) match the same user in {_there} by {label}");
                    continue;
                }
                int only = claim.Value[0];
                matches.Add((only, t, label));
                _output?.WriteVerbose($"{keys[only]}: matched by {label} ({t.Username ?? t.UserId ?? t.SourceId}); plan the link.");
            }
            // Linked candidates matched, or reported as ambiguous, are taken: never deleted as "not in the reference".
            if (byName)
                foreach (var c in at)
                    if (linked[c.Value] && matchedOthers.Contains(c.Key)) matched[c.Value] = true;
            return still;
        }

        private static bool Known(User u, string field) => !UserField.IsWithheld(u, field);

        private static bool Unplaced(User u, string field) => u.UnplacedFields != null && u.UnplacedFields.Count > 0 && u.UnplacedFields.Contains(field);

        private void Ambiguous(User s, string key, List<User> candidates, HashSet<User> matchedOthers, string label)
        {
            matchedOthers.UnionWith(candidates);
            Conflict(key, s, null, new List<DirectoryObject>(candidates),
                $"ambiguous: {candidates.Count} users in {_there} match by {label} ({string.Join(", ", candidates.Select(c => c.Username ?? c.UserId ?? c.SourceId))}); link one by hand");
            _output?.WriteVerbose($"{key}: {candidates.Count} candidates by {label}; reported as a conflict, not guessed.");
        }

        private void Conflict(string key, User desired, User current, List<DirectoryObject> candidates, string reason) =>
            _conflicts.Add(new Change { Operation = ChangeOperation.Conflict, Kind = ObjectKind.User, Key = key, Desired = desired, Current = current, Candidates = candidates, Reason = reason });

        private void Create(User s, string key)
        {
            var desired = s;
            var fields = new List<FieldChange>();
            bool trimmed = false;
            // -Property limits what is compared, not what a new user is created with; excluded fields are never written.
            for (int k = 0; k < _excluded.Length; k++)
            {
                var f = _available[k];
                if (_excluded[k]) { trimmed |= f.HasValue(s); continue; }
                if (f.IsKnown(s)) fields.Add(new FieldChange(f.Name, null, f.Written(s)));
            }
            if (trimmed)
            {
                // Excluded fields are never written, on create either: the desired object carries them as unknown.
                desired = s.Clone();
                for (int k = 0; k < _excluded.Length; k++) if (_excluded[k]) _available[k].Set(desired, null);
            }
            _creates.Add(new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = key, Desired = desired, Fields = fields, Reason = Sides.NotIn(_here, _there) });
            _output?.WriteVerbose($"{key}: no match; create.");
        }

        /// <summary>Plans the update of one matched pair; allocates nothing unless a field really differs (or the link changes).</summary>
        private void Update(User s, User t, string key, string how, bool relink)
        {
            List<FieldChange> fields = null;
            if (relink && !_excludeUserId) fields = new List<FieldChange> { new FieldChange(nameof(User.UserId), LinkKey(t), key) };

            if (_options.UpdateMode == UpdateMode.Overwrite)
            {
                // Every known field the target withholds or holds differently; one it provably holds the same already
                // would write nothing new, so it is neither sent nor shown (not "name 赵勇 -> 赵勇").
                foreach (var f in _fields)
                {
                    if (!f.IsKnown(s) || Unplaced(t, f.Name)) continue; // nowhere to write it: nothing to overwrite
                    bool targetKnows = f.IsKnown(t);
                    if (targetKnows && f.Same(s, t)) continue;
                    (fields = fields ?? new List<FieldChange>()).Add(new FieldChange(f.Name, targetKnows ? f.Written(t) : null, f.Written(s)));
                }
            }
            else
            {
                // Every flagged field (and every mapped one) ordinally equal: only the fields the fast paths do not cover can differ.
                var compared = !UserFields.AllEqual(s, t, _fieldSet) ? _fields : UserFields.AllEqual(s, t, _mappedSlots) ? _uncovered : _unflagged;
                foreach (var f in compared)
                {
                    if (!f.Differs(s, t)) continue; // unknown is not empty: never a change
                    (fields = fields ?? new List<FieldChange>()).Add(new FieldChange(f.Name, f.Written(t), f.Written(s)));
                }
            }
            // The reference side carries no link (an Authing user whose write-back was lost): write it back, even when no field differs.
            var linkBack = ReferenceLink(s, t);
            if (linkBack != null) (fields = fields ?? new List<FieldChange>()).Add(linkBack);
            if (fields == null || fields.Count == 0) return;
            bool linkOnly = linkBack != null && fields.Count == 1;
            bool rehired = Rehired(s, t) && fields.Any(f => f.Field == nameof(User.Enabled));
            _updates.Add(new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = key, Desired = s, Current = t, Fields = fields,
                Reason = "matched by " + how + (linkOnly ? "; link not written back yet" : _options.UpdateMode == UpdateMode.Overwrite ? "; overwrite" : "")
                    + (rehired ? "; " + PlanText.Rehired : ""),
            });
        }

        /// <summary>The link to write back to a reference user that has none (matched by its username); null when it is linked.</summary>
        private static FieldChange ReferenceLink(User s, User t)
        {
            if (LinkKey(s) != null) return null;
            var id = LinkKey(t);
            return id == null ? null : new FieldChange(LinkChange.Field, null, id);
        }

        /// <summary>
        /// -UpdateMode None: no field updates, but a missing link is written back, and a suspended user who is active in
        /// the source again (re-hired) is reactivated.
        /// </summary>
        private void LinkOnly(User s, User t, string key, string how)
        {
            var link = ReferenceLink(s, t);
            bool rehired = Rehired(s, t);
            if (link == null && !rehired) return;
            var fields = new List<FieldChange>();
            if (rehired) fields.Add(new FieldChange(nameof(User.Enabled), false, true));
            if (link != null) fields.Add(link);
            _updates.Add(new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = key, Desired = s, Current = t, Fields = fields,
                Reason = "matched by " + how + (rehired ? "; " + PlanText.Rehired : "; link not written back yet"),
            });
        }

        /// <summary>Suspended on the difference side, active in the reference: a leaver who came back (unless Enabled is excluded).</summary>
        private bool Rehired(User s, User t) => t.Enabled == false && s.Enabled == true && !_excludeEnabled && BothKnowEnabled(s, t);

        private static bool BothKnowEnabled(User s, User t) => !UserField.IsWithheld(s, nameof(User.Enabled)) && !UserField.IsWithheld(t, nameof(User.Enabled));

        private static string Where(User u) => u.Origin == null ? "" : $"at {u.Origin} ";
    }

    internal sealed class ReferenceEqualityComparer<T> : IEqualityComparer<T> where T : class
    {
        public static readonly ReferenceEqualityComparer<T> Instance = new ReferenceEqualityComparer<T>();
        public bool Equals(T x, T y) => ReferenceEquals(x, y);
        public int GetHashCode(T obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
