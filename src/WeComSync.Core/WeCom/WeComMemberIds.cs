using System;
using System.Collections.Generic;

namespace WeComSync.WeCom
{
    /// <summary>
    /// The userids WeCom lists (<see cref="WeComReader.ReadUserIdsAsync"/>): who is still a member, whatever the app may
    /// read of them. Compared without case, as WeCom compares userids. A list that could not be read completely says why
    /// in <see cref="IncompleteReason"/>: then it cannot show that anyone is gone.
    /// </summary>
    public sealed class WeComMemberIds
    {
        private readonly HashSet<string> _ids;

        public WeComMemberIds(IEnumerable<string> userIds, string incompleteReason = null, string readVia = "user/list_id", string corpId = null)
        {
            _ids = new HashSet<string>(userIds ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            IncompleteReason = incompleteReason;
            ReadVia = readVia;
            CorpId = corpId;
            ReadAt = DateTimeOffset.Now;
        }

        /// <summary>A list that could not be read at all (the call failed): it holds nobody and says why.</summary>
        public static WeComMemberIds Failed(string reason, string corpId = null) => new WeComMemberIds(null, reason, null, corpId);

        public int Count => _ids.Count;

        public IEnumerable<string> UserIds => _ids;

        /// <summary>Why the list is not the whole company (a failed page, a visible range short of the root); null when it is.</summary>
        public string IncompleteReason { get; }

        public bool IsComplete => IncompleteReason == null;

        /// <summary>The API that listed them: user/list_id, or user/simplelist when this secret may not call list_id.</summary>
        public string ReadVia { get; }

        public string CorpId { get; }

        public DateTimeOffset ReadAt { get; }

        public bool Contains(string userId) => !string.IsNullOrEmpty(userId) && _ids.Contains(userId.Trim());

        public override string ToString() => IsComplete ? $"{Count} WeCom member(s) ({ReadVia})" : $"{Count} WeCom member(s), incomplete: {IncompleteReason}";
    }
}
