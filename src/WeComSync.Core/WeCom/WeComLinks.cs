using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Writes the WeCom identity of an object created (or found) in WeCom back into Authing's link fields
    /// (docs/ARCHITECTURE.md §10, link fields), so the next run matches instead of creating again. Implemented over the Authing
    /// client by <c>AuthingLinkWriter</c>; tests pass a recorder.
    /// </summary>
    public interface IWeComLinkWriter
    {
        /// <summary>Sets wechatwork_department_id and wechatwork_parent_department_id on the Authing department.</summary>
        Task WriteDepartmentLinkAsync(Department source, string weComId, string weComParentId, CancellationToken cancellationToken);

        /// <summary>Sets wechatwork_user_id and wechatwork_department_ids on the Authing user.</summary>
        Task WriteUserLinkAsync(User source, string userId, IReadOnlyList<string> weComDepartmentIds, CancellationToken cancellationToken);
    }

    /// <summary>
    /// WeCom department ids known during a run, by the source department's key (Authing departmentId): filled by the
    /// department applier as it creates, read by children created later in the same run and by the user applier,
    /// which resolves "authing:&lt;departmentId&gt;" references. Kept on the connection, so Sync-WeComDepartment and a later
    /// Sync-WeComUser in the same session share it.
    /// </summary>
    public sealed class WeComIdMap
    {
        public const string AuthingPrefix = "authing:";
        private readonly ConcurrentDictionary<string, string> _ids = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public void Set(string sourceKey, string weComId)
        {
            if (!string.IsNullOrEmpty(sourceKey) && !string.IsNullOrEmpty(weComId)) _ids[sourceKey] = weComId;
        }

        public int Count => _ids.Count;

        /// <summary>
        /// Turns a department reference into a WeCom id: a WeCom id stays as it is; "authing:X" and a bare source key
        /// are looked up among the ids created in this session. Null when it cannot be resolved (yet).
        /// </summary>
        public string Resolve(string reference)
        {
            if (string.IsNullOrEmpty(reference)) return null;
            if (reference.StartsWith(AuthingPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return _ids.TryGetValue(reference.Substring(AuthingPrefix.Length), out var created) ? created : null;
            }
            if (IsWeComId(reference)) return reference;
            return _ids.TryGetValue(reference, out var id) ? id : null;
        }

        /// <summary>The WeCom id created in this session for the source department with key <paramref name="sourceKey"/>; null if none.</summary>
        public string ForSourceKey(string sourceKey) =>
            !string.IsNullOrEmpty(sourceKey) && _ids.TryGetValue(sourceKey, out var id) ? id : null;

        public static bool IsWeComId(string value) =>
            long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1;
    }
}
