using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;

namespace WeComSync.Workflow
{
    /// <summary>What an on-demand read found for one userid on one side: the record, or why there is none.</summary>
    internal sealed class OnDemandUser
    {
        public string UserId { get; set; }
        public AuthingUserDto Authing { get; set; }

        /// <summary>The read failed (not "absent"): the user is left out of both sides of the plan.</summary>
        public ApiException Failure { get; set; }

        /// <summary>Several Authing users hold this userid in their link field: a conflict, never guessed.</summary>
        public List<AuthingUserDto> Ambiguous { get; set; }
    }

    /// <summary>
    /// The reads of a run of a few named users (<see cref="SyncRunOptions.UserIds"/>): each user and the departments it
    /// needs read one by one, never a listing of either pool. docs/ARCHITECTURE.md §2a "One user on demand".
    /// </summary>
    internal static class OnDemand
    {
        public const string NoUserIdWarning = "No userid was given (-UserId empty, or the piped objects had no UserId: an Authing user not linked yet has none): nothing to sync.";

        /// <summary>The userids asked for, trimmed, blanks dropped, each once (WeCom userids ignore case).</summary>
        public static List<string> Requested(IEnumerable<string> userIds) =>
            (userIds ?? Enumerable.Empty<string>()).Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        /// <summary>
        /// The Authing user a WeCom userid stands for, found the way a full run matches (the link field first, then
        /// username = userid for a user not linked yet): one get-user by username, which is enough when that user's
        /// link field holds the userid (every user WeComSync created or linked); otherwise one list-users filtered on
        /// the link field (advancedFilter on a custom field, documented by list-users "根据用户的任意扩展字段进行搜索"), so
        /// that a user linked under another username wins over an unlinked namesake, as in a full run. Null Authing when
        /// neither finds one.
        /// </summary>
        public static async Task<OnDemandUser> FindAuthingUserAsync(AuthingClient client, string userId, CancellationToken ct)
        {
            var result = new OnDemandUser { UserId = userId };
            var links = client.Settings.LinkFields ?? new LinkFieldNames();
            try
            {
                var byName = await client.GetUserAsync(userId, "username", ct).ConfigureAwait(false);
                string nameLink = byName == null ? null : AuthingJson.Text(byName.CustomData, links.UserId);
                if (byName != null && string.Equals(nameLink, userId, StringComparison.OrdinalIgnoreCase)) { result.Authing = byName; return result; }
                var filter = new JArray(new JObject { ["field"] = links.UserId, ["operator"] = "EQUAL", ["value"] = userId });
                var page = await client.ListUsersAsync(1, AuthingClient.PageSize, filter, ct).ConfigureAwait(false);
                var linked = page.List.Where(u => u != null && string.Equals(AuthingJson.Text(u.CustomData, links.UserId), userId, StringComparison.OrdinalIgnoreCase)).ToList();
                if (linked.Count > 1) { result.Ambiguous = linked; return result; }
                if (linked.Count == 1) { result.Authing = linked[0]; return result; }
                // Not linked yet: the username match, unless its link names another WeCom member (then it is that one's).
                if (byName != null && string.IsNullOrEmpty(nameLink)) result.Authing = byName;
            }
            catch (ApiException e) when (!e.IsFatal)
            {
                result.Failure = e.At($"get-user {userId}");
            }
            return result;
        }

        /// <summary>What a connection's client already proved, kept for its lifetime (a session, a listener): asked once.</summary>
        private sealed class Known
        {
            public volatile bool LinkFieldsPresent;
            public readonly ConcurrentDictionary<string, AuthingDepartmentDto> Roots = new ConcurrentDictionary<string, AuthingDepartmentDto>(StringComparer.Ordinal);
        }

        private static readonly ConditionalWeakTable<AuthingClient, Known> KnownBy = new ConditionalWeakTable<AuthingClient, Known>();

        /// <summary>
        /// The pool's missing link fields (none: empty). Once a check found them all, the client does not ask again: a
        /// run of one user (a listener's event) would otherwise spend two of its few calls on it every time. Fields are
        /// not removed from a pool in use; a pool that lacks them is asked every time until they exist.
        /// </summary>
        public static async Task<List<AuthingCustomFieldDto>> MissingLinkFieldsAsync(AuthingClient client, FieldMap fieldMap, CancellationToken ct)
        {
            var known = KnownBy.GetOrCreateValue(client);
            if (known.LinkFieldsPresent) return new List<AuthingCustomFieldDto>();
            var missing = await AuthingLinkFields.MissingAsync(client, ct, fieldMap).ConfigureAwait(false);
            if (missing.Count == 0) known.LinkFieldsPresent = true;
            return missing;
        }

        /// <summary>The organization's root department (get-department "root"), read once per client and organization.</summary>
        public static async Task<AuthingDepartmentDto> RootAsync(AuthingClient client, string organizationCode, CancellationToken ct)
        {
            var known = KnownBy.GetOrCreateValue(client);
            if (known.Roots.TryGetValue(organizationCode, out var root)) return root;
            root = await client.GetDepartmentAsync(organizationCode, "root", ct).ConfigureAwait(false);
            if (root != null) known.Roots[organizationCode] = root;
            return root;
        }

        /// <summary>
        /// The organization's departments that <paramref name="departmentIds"/> need: each one and its ancestors up to the
        /// root, read by id (get-department), parents and children alike, no listing of the tree. Departments of another
        /// organization (get-department answers 404 for them within this one) are left out, as a full read leaves them.
        /// </summary>
        public static async Task<AuthingDepartmentMap> ReadAuthingDepartmentsAsync(AuthingClient client, string organizationCode, Task<AuthingDepartmentDto> root,
            IEnumerable<string> departmentIds, string rootLinkId, CancellationToken ct)
        {
            var rootDto = await root.ConfigureAwait(false)
                ?? throw new ApiException(AuthingClient.ServiceName, "get-department", "404", $"there is no organization with code '{organizationCode}' in this user pool", ApiErrorClass.PerObject,
                    "Give an existing -OrganizationCode (Get it from the Authing console, Organization > the organization's code).");
            var read = new ConcurrentDictionary<string, AuthingDepartmentDto>(StringComparer.Ordinal);
            var asked = new HashSet<string>(StringComparer.Ordinal) { rootDto.DepartmentId, "root" };
            var pending = departmentIds.Where(id => !string.IsNullOrEmpty(id) && asked.Add(id)).ToList();
            while (pending.Count > 0)
            {
                var found = await Task.WhenAll(pending.Select(id => client.GetDepartmentAsync(organizationCode, id, ct))).ConfigureAwait(false);
                pending = new List<string>();
                foreach (var d in found.Where(d => d != null))
                {
                    read[d.DepartmentId] = d;
                    var parent = d.ParentDepartmentId;
                    if (!string.IsNullOrEmpty(parent) && asked.Add(parent)) pending.Add(parent);
                }
            }
            return new AuthingDepartmentMap(organizationCode, rootDto.DepartmentId, rootDto.Name, read.Values, client.Settings.LinkFields, rootLinkId);
        }

        /// <summary>
        /// Upstream: the Authing departments the named users hold now (by id, with their ancestors) and those the file's
        /// rows want (<paramref name="wanted"/>, parents first), found by walking down from the root: the children of a
        /// department already found are listed (list-children-departments) only when the one wanted is not among those
        /// known, and the one whose link is its path (or, not linked, whose name is its name) is taken. Returns the map
        /// (every department read, for naming) and the Authing ids the department plan compares: the wanted ones found
        /// and their ancestors, not the users' other current departments (whose other members were not read: a plan
        /// on them would guess renames from one member).
        /// </summary>
        public static async Task<(AuthingDepartmentMap Map, HashSet<string> Planned)> ReadAuthingDepartmentsForExportAsync(AuthingClient client, string organizationCode,
            Task<AuthingDepartmentDto> root, IEnumerable<string> currentIds, IReadOnlyList<Department> wanted, string rootLinkId, CancellationToken ct)
        {
            var current = await ReadAuthingDepartmentsAsync(client, organizationCode, root, currentIds, rootLinkId, ct).ConfigureAwait(false);
            var rootId = current.RootDepartmentId;
            var known = new Dictionary<string, AuthingDepartmentDto>(current.ById, StringComparer.Ordinal);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            var links = client.Settings.LinkFields ?? new LinkFieldNames();
            var found = new Dictionary<string, string>(StringComparer.Ordinal);   // export key → Authing id
            var planned = new HashSet<string>(StringComparer.Ordinal);
            string ParentOf(AuthingDepartmentDto d) => string.IsNullOrEmpty(d.ParentDepartmentId) || d.ParentDepartmentId == "root" ? rootId : d.ParentDepartmentId;
            AuthingDepartmentDto Match(string parentId, Department d)
            {
                var children = known.Values.Where(k => ParentOf(k) == parentId).ToList();
                return children.FirstOrDefault(k => string.Equals(AuthingJson.Text(k.CustomData, links.DepartmentId), d.LinkId, StringComparison.Ordinal))
                    ?? children.FirstOrDefault(k => string.IsNullOrEmpty(AuthingJson.Text(k.CustomData, links.DepartmentId)) && string.Equals(k.Name, d.Name, StringComparison.Ordinal))
                    ?? children.FirstOrDefault(k => string.Equals(k.Name, d.Name, StringComparison.Ordinal));
            }
            foreach (var d in wanted.OrderBy(w => w.Depth))
            {
                string parentId;
                if (d.IsRoot && rootLinkId != null) { found[d.Key] = rootId; continue; }   // the file's top is the organization's root
                if (d.IsRoot || d.ParentKey == null) parentId = rootId;
                else if (!found.TryGetValue(d.ParentKey, out parentId) || parentId == null) { found[d.Key] = null; continue; }   // under a department Authing lacks
                var hit = Match(parentId, d);
                if (hit == null && listed.Add(parentId))
                {
                    foreach (var child in await client.ListChildrenDepartmentsAsync(organizationCode, parentId, ct).ConfigureAwait(false))
                        if (!string.IsNullOrEmpty(child?.DepartmentId) && !known.ContainsKey(child.DepartmentId)) known[child.DepartmentId] = child;
                    hit = Match(parentId, d);
                }
                found[d.Key] = hit?.DepartmentId;
                if (hit != null) planned.Add(hit.DepartmentId);
            }
            var map = new AuthingDepartmentMap(organizationCode, rootId, current.RootName, known.Values, client.Settings.LinkFields, rootLinkId);
            return (map, planned);
        }

        /// <summary>
        /// WeCom's side of the departments an on-demand plan needs: the root (id 1, the company, never read: it always
        /// exists, and its name is left unknown so nothing is planned for it) and each department the Authing side links,
        /// with its ancestors, read by id (department/get). A linked id WeCom does not have (60003, 60123) is absent.
        /// </summary>
        public static async Task<List<Department>> ReadWeComDepartmentsAsync(WeComClient client, IEnumerable<string> weComIds, CancellationToken ct)
        {
            var rows = new ConcurrentDictionary<long, JObject>();
            rows[WeComReader.RootDepartmentId] = new JObject { ["id"] = WeComReader.RootDepartmentId, ["parentid"] = 0 };
            var asked = new HashSet<long> { WeComReader.RootDepartmentId };
            var pending = weComIds.Select(Parse).Where(id => id > 0 && asked.Add(id)).ToList();
            while (pending.Count > 0)
            {
                var found = await Task.WhenAll(pending.Select(async id =>
                {
                    try { return await client.GetDepartmentAsync(id, ct).ConfigureAwait(false); }
                    catch (ApiException e) when (e.Is(WeComErrorCodes.DepartmentNotFound) || e.Is(WeComErrorCodes.DepartmentIdInvalid)) { return null; }
                })).ConfigureAwait(false);
                pending = new List<long>();
                foreach (var d in found.Where(d => d != null))
                {
                    long id = (long)d["id"];
                    rows[id] = d;
                    long parent = d.Value<long?>("parentid") ?? 0;
                    if (parent > 0 && asked.Add(parent)) pending.Add(parent);
                }
            }
            var names = rows.Values.Where(d => d["name"] != null).ToDictionary(d => (long)d["id"], d => (string)d["name"]);
            var departments = WeComReader.BuildDepartments(new JArray(rows.Values), names);
            foreach (var d in departments.Where(d => d.IsRoot)) d.WithheldFields.Add(nameof(Department.Name));
            return departments;
        }

        private static long Parse(string id) =>
            long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

        /// <summary>Runs <paramref name="read"/> for every item, a few at a time (named users are few; a list of hundreds is throttled).</summary>
        public static async Task<T[]> EachAsync<TItem, T>(IEnumerable<TItem> items, Func<TItem, Task<T>> read, int parallelism, CancellationToken ct)
        {
            var list = items.ToList();
            var results = new T[list.Count];
            await new AdaptiveConcurrency(parallelism).ForEachAsync(Enumerable.Range(0, list.Count), async i => { results[i] = await read(list[i]).ConfigureAwait(false); }, ct).ConfigureAwait(false);
            return results;
        }
    }
}
