using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>
    /// A CSV re-saved by Excel loses the leading zeros of a 账号 of digits (00123 → 123) and says nothing; nobody can read
    /// the zeros back, but the comparison can refuse to act on it. A reference user from the export whose 账号 is digits
    /// only, that matches no difference user (link key, username, old:new), while a linked difference user's userid is the
    /// same digits with leading zeros, is refused: an error naming its row, nothing planned for it (no '123' created), and
    /// that user is kept as on any skipped row (never deleted).
    /// </summary>
    internal static class LostLeadingZeros
    {
        /// <summary>The refused reference users, each with the difference users it would be; null when there are none.</summary>
        public static List<(User Row, string Key, List<User> Padded)> Find(IReadOnlyList<User> source, IReadOnlyList<User> target)
        {
            // Linked difference users whose userid is digits with a leading zero, by those digits without the zeros:
            // rare, so nothing else is built unless one exists.
            Dictionary<string, List<User>> padded = null;
            for (int j = 0; j < target.Count; j++)
            {
                string link = UserPlanner.LinkKey(target[j]);
                if (link == null || link.Length < 2 || link[0] != '0' || !Digits(link)) continue;
                padded = padded ?? new Dictionary<string, List<User>>(StringComparer.Ordinal);
                string bare = link.TrimStart('0');
                if (!padded.TryGetValue(bare, out var list)) padded[bare] = list = new List<User>(1);
                list.Add(target[j]);
            }
            if (padded == null) return null;

            HashSet<string> targetKeys = null, sourceKeys = null;
            List<(User, string, List<User>)> found = null;
            for (int i = 0; i < source.Count; i++)
            {
                var s = source[i];
                if (s.Source != DirectorySource.WeComExport) continue;
                string key = UserPlanner.SourceKey(s);
                if (key == null || !Digits(key) || !padded.TryGetValue(key.TrimStart('0'), out var candidates)) continue;
                if (targetKeys == null)
                {
                    targetKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var t in target)
                    {
                        if (UserPlanner.LinkKey(t) is string l) targetKeys.Add(l);
                        if (!string.IsNullOrEmpty(t.Username)) targetKeys.Add(t.Username);
                    }
                    sourceKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var r in source) if (UserPlanner.SourceKey(r) is string k) sourceKeys.Add(k);
                }
                // It matches an existing user (by userid, username or its old:new rename): not a lost zero.
                if (targetKeys.Contains(key) || (!string.IsNullOrEmpty(s.PreviousUserId) && targetKeys.Contains(s.PreviousUserId))) continue;
                // A padded user the file also has (00123 and 123 on two rows): two members, nothing lost.
                var lost = candidates.Where(t => !sourceKeys.Contains(UserPlanner.LinkKey(t))).ToList();
                if (lost.Count == 0) continue;
                (found = found ?? new List<(User, string, List<User>)>()).Add((s, key, lost));
            }
            return found;
        }

        /// <summary>The row's error: where it is, what it looks like, what was done, and (the advice) what to do.</summary>
        public static OutputError Error((User Row, string Key, List<User> Padded) refused)
        {
            string padded = string.Join("', '", refused.Padded.Select(t => UserPlanner.LinkKey(t)));
            string who = string.Join(", ", refused.Padded.Select(t => string.IsNullOrEmpty(t.Name) ? UserPlanner.LinkKey(t) : $"{UserPlanner.LinkKey(t)} ({t.Name})"));
            string where = refused.Row.Origin ?? "the reference";
            string message = $"{where}: 账号 '{refused.Key}' looks like '{padded}' with its leading zeros lost: it matches no existing user, " +
                $"while {who} {(refused.Padded.Count == 1 ? "is" : "are")} linked with the same digits after zeros (Excel drops leading zeros when it " +
                $"saves a column of numbers as CSV). The row is skipped: '{refused.Key}' is not created, and '{padded}' is not changed or deleted.";
            return new OutputError(ProblemCodes.LeadingZerosLost, ProblemKind.InvalidData, refused.Row, message,
                "Format the 账号 column as text (in Excel: select the column, Format Cells > Text) and type the 账号 with its leading zeros, " +
                "or use the export from the WeCom admin console as it was downloaded; then run again.");
        }

        private static bool Digits(string s)
        {
            foreach (char c in s) if (c < '0' || c > '9') return false;
            return true;
        }
    }
}
