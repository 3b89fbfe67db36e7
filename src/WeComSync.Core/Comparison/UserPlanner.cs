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

        private readonly CompareOptions _options;
        private readonly UserField[] _fields;
        private readonly bool _excludeUserId;
        private readonly Action<string> _log;

        private readonly List<Change> _creates = new List<Change>();
        private readonly List<Change> _updates = new List<Change>();
        private readonly List<Change> _deletes = new List<Change>();
        private readonly List<Change> _conflicts = new List<Change>();

        public UserPlanner(CompareOptions options)
        {
            _options = options;
            _fields = UserFields.Select(options);
            _excludeUserId = UserFields.Contains(options.ExcludeProperty, nameof(User.UserId));
            _log = options.Verbose;
        }

        /// <summary>The key a reference user is known by: its userid, or (an Authing user not linked yet) its username.</summary>
        internal static string SourceKey(User u)
        {
            var id = Text.Clean(u.UserId);
            return string.IsNullOrEmpty(id) ? NullIfEmpty(Text.Clean(u.Username)) : id;
        }

        /// <summary>The link key of a difference user: its userid (on Authing users, the link field); null when not linked.</summary>
        internal static string LinkKey(User u) => NullIfEmpty(Text.Clean(u.UserId));

        private static string NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;

        public Plan Plan(IReadOnlyList<User> source, IReadOnlyList<User> target)
        {
            var matchedTarget = new HashSet<User>(ReferenceEqualityComparer<User>.Instance); // matched or reported: never deleted
            var pending = new List<User>(source.Count);

            // Duplicates on the reference side: report, plan nothing for them, and keep their namesakes from deletion.
            var sourceByKey = new Dictionary<string, User>(source.Count, Ids);
            var duplicateKeys = new Dictionary<string, List<User>>(Ids);
            foreach (var s in source)
            {
                var key = SourceKey(s);
                if (key == null)
                {
                    Conflict(s.UserId ?? s.Username, s, null, new List<DirectoryObject> { s }, $"the reference user {Where(s)}has no userid; give it one");
                    continue;
                }
                if (sourceByKey.TryGetValue(key, out var first))
                {
                    if (!duplicateKeys.TryGetValue(key, out var list)) duplicateKeys[key] = list = new List<User> { first };
                    list.Add(s);
                }
                else sourceByKey[key] = s;
            }
            foreach (var dup in duplicateKeys)
            {
                sourceByKey.Remove(dup.Key);
                Conflict(dup.Key, dup.Value[0], null, dup.Value.Cast<DirectoryObject>().ToList(),
                    $"{dup.Value.Count} reference users have userid '{dup.Key}' ({string.Join("; ", dup.Value.Select(u => u.Origin ?? u.ToString()))}); keep one");
            }
            foreach (var s in source)
            {
                var key = SourceKey(s);
                if (key != null && sourceByKey.TryGetValue(key, out var only) && ReferenceEquals(only, s)) pending.Add(s);
            }

            // The difference side by link key; more than one object per key is ambiguous for whoever matches it.
            var byLink = new Dictionary<string, object>(target.Count, Ids);
            foreach (var t in target)
            {
                var link = LinkKey(t);
                if (link == null) continue;
                if (!byLink.TryGetValue(link, out var existing)) byLink[link] = t;
                else if (existing is List<User> many) many.Add(t);
                else byLink[link] = new List<User> { (User)existing, t };
            }

            var matches = new List<(User Source, User Target, string How, bool Relink)>(pending.Count);
            var unmatched = new List<User>();

            // 1. Link key (userid, case ignored).
            foreach (var s in pending)
            {
                var key = SourceKey(s);
                if (!byLink.TryGetValue(key, out var hit)) { unmatched.Add(s); continue; }
                if (hit is List<User> several) { Ambiguous(s, several, matchedTarget, "userid"); continue; }
                var t = (User)hit;
                matchedTarget.Add(t);
                matches.Add((s, t, "userid", false));
                _log?.Invoke($"{key}: matched by userid.");
            }

            // 1b. The export's one-time rename (old:new): the target still carries the old userid.
            if (unmatched.Count > 0)
            {
                var still = new List<User>();
                foreach (var s in unmatched)
                {
                    var previous = NullIfEmpty(Text.Clean(s.PreviousUserId));
                    if (previous != null && byLink.TryGetValue(previous, out var hit))
                    {
                        if (hit is List<User> several) { Ambiguous(s, several, matchedTarget, "previous userid"); continue; }
                        var t = (User)hit;
                        if (!matchedTarget.Contains(t))
                        {
                            matchedTarget.Add(t);
                            matches.Add((s, t, "previous userid", true));
                            _log?.Invoke($"{SourceKey(s)}: matched by previous userid '{previous}' (renamed); plan an update of UserId.");
                            continue;
                        }
                    }
                    still.Add(s);
                }
                unmatched = still;
            }

            // 2. Fallbacks in order, among difference users not linked yet.
            foreach (var by in _options.MatchBy.Where(m => m != MatchKey.LinkKey).Distinct())
            {
                if (unmatched.Count == 0) break;
                unmatched = Fallback(by, unmatched, target, matchedTarget, matches);
            }

            // Reference duplicates: their namesakes on the difference side are not to be deleted.
            foreach (var dup in duplicateKeys.Keys)
                if (byLink.TryGetValue(dup, out var hit)) foreach (var t in AsList(hit)) matchedTarget.Add(t);

            // Duplicates on the difference side that nobody matched: report them too.
            foreach (var pair in byLink)
            {
                if (pair.Value is List<User> several && !several.Any(matchedTarget.Contains))
                {
                    foreach (var t in several) matchedTarget.Add(t);
                    Conflict(pair.Key, null, several[0], several.Cast<DirectoryObject>().ToList(),
                        $"{several.Count} difference users are linked to userid '{pair.Key}'; unlink all but one");
                }
            }

            if (_options.Allows(PlanOperation.Create))
                foreach (var s in unmatched) Create(s);
            else if (_log != null)
                foreach (var s in unmatched) _log($"{SourceKey(s)}: no match; creates were not asked for.");

            if (_options.Updates)
                foreach (var m in matches) Update(m.Source, m.Target, m.How, m.Relink);

            if (_options.Allows(PlanOperation.Delete))
            {
                foreach (var t in target)
                {
                    if (matchedTarget.Contains(t)) continue;
                    if (LinkKey(t) == null)
                    {
                        // Not linked: not ours to delete (an Authing user that never came from WeCom).
                        _log?.Invoke($"{t.Username ?? t.SourceId}: not linked and not matched; left alone.");
                        continue;
                    }
                    _deletes.Add(new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = LinkKey(t), Current = t, Reason = "not in the reference" });
                    _log?.Invoke($"{LinkKey(t)}: not in the reference; delete.");
                }
            }

            var changes = new List<Change>(_creates.Count + _updates.Count + _deletes.Count + _conflicts.Count);
            changes.AddRange(_creates);
            changes.AddRange(_updates);
            changes.AddRange(_deletes);
            changes.AddRange(_conflicts);
            return new Plan(changes, new PlanContext { Kind = ObjectKind.User, SourceCount = source.Count, TargetCount = target.Count });
        }

        private List<User> Fallback(MatchKey by, List<User> unmatched, IReadOnlyList<User> target, HashSet<User> matchedTarget,
            List<(User, User, string, bool)> matches)
        {
            Func<User, string> sourceValue, targetValue;
            string label;
            switch (by)
            {
                case MatchKey.Username: label = "username"; sourceValue = SourceKey; targetValue = t => NullIfEmpty(Text.Clean(t.Username)); break;
                case MatchKey.Mobile: label = "mobile"; sourceValue = u => Known(u, nameof(User.Mobile)) ? NullIfEmpty(MobileNumber.Normalize(u.Mobile)) : null; targetValue = sourceValue; break;
                case MatchKey.Email: label = "email"; sourceValue = u => Known(u, nameof(User.Email)) ? NullIfEmpty(EmailAddress.Normalize(u.Email)) : null; targetValue = sourceValue; break;
                default: return unmatched;
            }

            var index = new Dictionary<string, List<User>>(Ids);
            foreach (var t in target)
            {
                if (matchedTarget.Contains(t) || LinkKey(t) != null) continue;
                var v = targetValue(t);
                if (v == null) continue;
                if (!index.TryGetValue(v, out var list)) index[v] = list = new List<User>(1);
                list.Add(t);
            }
            if (index.Count == 0) return unmatched;

            var claims = new Dictionary<User, List<User>>(ReferenceEqualityComparer<User>.Instance);
            var still = new List<User>();
            foreach (var s in unmatched)
            {
                var v = sourceValue(s);
                if (v == null || !index.TryGetValue(v, out var candidates)) { still.Add(s); continue; }
                if (candidates.Count > 1) { Ambiguous(s, candidates, matchedTarget, label); continue; }
                if (!claims.TryGetValue(candidates[0], out var claimants)) claims[candidates[0]] = claimants = new List<User>(1);
                claimants.Add(s);
            }
            foreach (var claim in claims)
            {
                var t = claim.Key;
                if (matchedTarget.Contains(t)) continue; // taken by an ambiguous report meanwhile
                matchedTarget.Add(t);
                if (claim.Value.Count > 1)
                {
                    Conflict(t.Username ?? t.SourceId, null, t, claim.Value.Cast<DirectoryObject>().ToList(),
                        $"{claim.Value.Count} reference users ({string.Join(", ", claim.Value.Select(SourceKey))}) match the same difference user by {label}");
                    continue;
                }
                var s = claim.Value[0];
                matches.Add((s, t, label, true));
                _log?.Invoke($"{SourceKey(s)}: matched by {label} ({t.Username ?? t.SourceId}, not linked yet); plan the link.");
            }
            return still;
        }

        private static bool Known(User u, string field) => !UserField.IsWithheld(u, field);

        private void Ambiguous(User s, List<User> candidates, HashSet<User> matchedTarget, string label)
        {
            foreach (var t in candidates) matchedTarget.Add(t);
            Conflict(SourceKey(s), s, null, candidates.Cast<DirectoryObject>().ToList(),
                $"ambiguous: {candidates.Count} difference users match by {label} ({string.Join(", ", candidates.Select(c => c.Username ?? c.UserId ?? c.SourceId))}); link one by hand");
            _log?.Invoke($"{SourceKey(s)}: {candidates.Count} candidates by {label}; reported as a conflict, not guessed.");
        }

        private void Conflict(string key, User desired, User current, List<DirectoryObject> candidates, string reason) =>
            _conflicts.Add(new Change { Operation = ChangeOperation.Conflict, Kind = ObjectKind.User, Key = key, Desired = desired, Current = current, Candidates = candidates, Reason = reason });

        private void Create(User s)
        {
            var desired = s;
            var fields = new List<FieldChange>();
            bool trimmed = false;
            // -Property limits what is compared, not what a new user is created with; excluded fields are never written.
            foreach (var f in UserFields.All)
            {
                if (UserFields.Contains(_options.ExcludeProperty, f.Name)) { trimmed |= f.Get(s) != null; continue; }
                if (f.IsKnown(s)) fields.Add(new FieldChange(f.Name, null, f.Written(s)));
            }
            if (trimmed)
            {
                // Excluded fields are never written, on create either: the desired object carries them as unknown.
                desired = Copy(s);
                foreach (var name in _options.ExcludeProperty) UserFields.Find(name)?.Set(desired, null);
            }
            _creates.Add(new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = SourceKey(s), Desired = desired, Fields = fields, Reason = "not in the difference side" });
            _log?.Invoke($"{SourceKey(s)}: no match; create.");
        }

        private void Update(User s, User t, string how, bool relink)
        {
            var fields = new List<FieldChange>();
            if (relink && !_excludeUserId) fields.Add(new FieldChange(nameof(User.UserId), LinkKey(t), SourceKey(s)));

            if (_options.UpdateMode == UpdateMode.Overwrite)
            {
                bool allSame = true;
                var sent = new List<FieldChange>();
                foreach (var f in _fields)
                {
                    if (!f.IsKnown(s)) continue;
                    bool targetKnows = f.IsKnown(t);
                    if (!targetKnows || !f.Same(s, t)) allSame = false;
                    sent.Add(new FieldChange(f.Name, targetKnows ? f.Written(t) : null, f.Written(s)));
                }
                // Every field provably the same already: overwriting would write nothing new.
                if (!allSame) fields.AddRange(sent);
            }
            else
            {
                foreach (var f in _fields)
                {
                    if (!f.IsKnown(s) || !f.IsKnown(t) || f.Same(s, t)) continue; // unknown is not empty: never a change
                    fields.Add(new FieldChange(f.Name, f.Written(t), f.Written(s)));
                }
            }
            if (fields.Count == 0) return;
            _updates.Add(new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = SourceKey(s), Desired = s, Current = t, Fields = fields,
                Reason = "matched by " + how + (_options.UpdateMode == UpdateMode.Overwrite ? "; overwrite" : ""),
            });
        }

        private static IEnumerable<User> AsList(object hit) => hit is List<User> l ? (IEnumerable<User>)l : new[] { (User)hit };

        private static string Where(User u) => u.Origin == null ? "" : $"at {u.Origin} ";

        internal static User Copy(User u)
        {
            var c = new User
            {
                UserId = u.UserId, PreviousUserId = u.PreviousUserId, Username = u.Username, Name = u.Name, Alias = u.Alias,
                Position = u.Position, Gender = u.Gender, Mobile = u.Mobile, Telephone = u.Telephone, Email = u.Email,
                BizMail = u.BizMail, Address = u.Address, Departments = u.Departments == null ? null : new List<string>(u.Departments),
                Enabled = u.Enabled, Status = u.Status, StatusText = u.StatusText,
                Extra = u.Extra == null ? null : new Dictionary<string, string>(u.Extra),
                Source = u.Source, SourceId = u.SourceId, Origin = u.Origin, IncompleteReason = u.IncompleteReason,
            };
            if (u.WithheldFields != null) foreach (var w in u.WithheldFields) c.WithheldFields.Add(w);
            return c;
        }
    }

    internal sealed class ReferenceEqualityComparer<T> : IEqualityComparer<T> where T : class
    {
        public static readonly ReferenceEqualityComparer<T> Instance = new ReferenceEqualityComparer<T>();
        public bool Equals(T x, T y) => ReferenceEquals(x, y);
        public int GetHashCode(T obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
