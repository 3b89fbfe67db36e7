using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>One pair made by name, or one name that could not be paired because it is not unique.</summary>
    public sealed class NameMatch
    {
        public string Name { get; set; }
        public User Source { get; set; }
        public string UserId { get; set; }
        public bool Ambiguous { get; set; }
        public string Reason { get; set; }
    }

    /// <summary>
    /// The last fallback of the downstream match (DESIGN.md §1: an agent-development app sees no mobile or email):
    /// an Authing user that neither its link field nor its username matches is paired with the WeCom member of the
    /// same name, only when the name is unique among the unmatched users on both sides. A name that is not unique is
    /// reported, never guessed. Paired users get the member's userid as their link key (in memory), so the comparison
    /// matches them on it and the sync writes the link back.
    /// </summary>
    public static class NameMatching
    {
        public static IReadOnlyList<NameMatch> LinkByUniqueName(IEnumerable<User> source, IEnumerable<User> target)
        {
            var sourceList = source.Where(u => u != null).ToList();
            var targetList = target.Where(u => u != null && !string.IsNullOrEmpty(u.UserId)).ToList();
            var ids = new HashSet<string>(targetList.Select(u => u.UserId), StringComparer.OrdinalIgnoreCase);
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var unmatched = new List<User>();
            foreach (var s in sourceList)
            {
                if (!string.IsNullOrEmpty(s.UserId)) { taken.Add(s.UserId); continue; }
                if (!string.IsNullOrEmpty(s.Username) && ids.Contains(s.Username)) { taken.Add(s.Username); continue; }
                unmatched.Add(s);
            }
            var sourceByName = unmatched.Where(u => !string.IsNullOrWhiteSpace(u.Name)).GroupBy(u => u.Name.Trim()).ToDictionary(g => g.Key, g => g.ToList());
            var targetByName = targetList.Where(u => !taken.Contains(u.UserId) && !string.IsNullOrWhiteSpace(u.Name))
                .GroupBy(u => u.Name.Trim()).ToDictionary(g => g.Key, g => g.ToList());
            var matches = new List<NameMatch>();
            foreach (var pair in sourceByName)
            {
                if (!targetByName.TryGetValue(pair.Key, out var members)) continue;
                if (pair.Value.Count == 1 && members.Count == 1)
                {
                    pair.Value[0].UserId = members[0].UserId;
                    matches.Add(new NameMatch { Name = pair.Key, Source = pair.Value[0], UserId = members[0].UserId, Reason = "matched by unique name" });
                }
                else
                {
                    foreach (var s in pair.Value)
                    {
                        matches.Add(new NameMatch
                        {
                            Name = pair.Key, Source = s, Ambiguous = true,
                            Reason = $"name '{pair.Key}' is held by {pair.Value.Count} unmatched Authing user(s) and {members.Count} WeCom member(s) ({string.Join(", ", members.Select(m => m.UserId))}): not matched; set wechatwork_user_id by hand",
                        });
                    }
                }
            }
            return matches;
        }
    }
}
