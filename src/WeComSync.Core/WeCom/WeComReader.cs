using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Reads WeCom into the model with what the app may see: id lists always, details where allowed. A field that
    /// could not be read is null and listed in <see cref="DirectoryObject.WithheldFields"/> (unknown, never empty);
    /// a listing that failed after its retries marks every object it produced with <see cref="DirectoryObject.IncompleteReason"/>
    /// so that no comparison plans deletes from it. Progress, and why data is unknown (warnings) or which fallback was
    /// used (verbose), go to the <see cref="IOutputWriter"/> it was given.
    /// </summary>
    public sealed class WeComReader
    {
        private readonly WeComClient _client;
        private readonly IOutputWriter _output;
        private readonly StepProgress _progress;
        private WeComUserFields _fieldsUsed;

        public WeComReader(WeComClient client, IOutputWriter output = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _output = output ?? NullOutputWriter.Instance;
            _progress = new StepProgress(_output, "Reading WeCom");
            Parallelism = client.ReadParallelism;
        }

        /// <summary>Where WeCom keeps the user fields for this read; null: the connection's field map.</summary>
        public FieldMap FieldMap { get; set; }

        private WeComUserFields Fields => _fieldsUsed ?? (_fieldsUsed = WeComUserFields.For(FieldMap ?? _client.Settings.FieldMap));

        /// <summary>Most detail reads in flight at once (a ceiling: the number adapts to the service); 0 = the default ceiling.</summary>
        public int Parallelism { get; set; }

        /// <summary>Page size of user/list_id (WeCom allows 1..10000).</summary>
        public int ListIdPageSize { get; set; } = 10000;


        // ---- departments ------------------------------------------------------------------------------------

        public async Task<IReadOnlyList<Department>> ReadDepartmentsAsync(CancellationToken ct)
        {
            try { return await ReadDepartmentsCoreAsync(ct).ConfigureAwait(false); }
            finally { _progress.Complete(); }
        }

        private async Task<IReadOnlyList<Department>> ReadDepartmentsCoreAsync(CancellationToken ct)
        {
            _progress.Start("Reading department ids (department/simplelist)", 1);
            var ids = await _client.ListDepartmentIdsAsync(ct).ConfigureAwait(false);
            _progress.Step();
            var names = new Dictionary<long, string>();
            bool namesKnown = true;
            _progress.Start("Reading department names (department/list)", 1);
            try
            {
                foreach (JObject d in await _client.ListDepartmentsAsync(ct).ConfigureAwait(false))
                {
                    names[(long)d["id"]] = (string)d["name"];
                }
            }
            catch (ApiException e) when (e.Is(WeComErrorCodes.ResponseTooLarge))
            {
                // The subtree answer is too large: read the names one department at a time.
                _output.WriteVerbose("department/list answered 45029 (response too large); reading names with department/get.");
                namesKnown = await ReadDepartmentNamesOneByOneAsync(ids, names, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (!e.IsTransient && !e.IsFatal)
            {
                namesKnown = false;
                _output.WriteWarning($"Department names are unknown: department/list answered {e.Code}. {e.RecommendedAction}".Trim());
            }
            _progress.Step();
            var departments = BuildDepartments(ids, namesKnown ? names : null);
            var outside = VisibleRangeReason(departments);
            if (outside != null)
            {
                _output.WriteWarning(outside);
                foreach (var d in departments) d.IncompleteReason = d.IncompleteReason ?? outside;
            }
            return departments;
        }

        /// <summary>The root department: an app that sees it sees the whole corp.</summary>
        public const long RootDepartmentId = 1;

        /// <summary>
        /// A self-built or agent-development app sees only its visible range (可见范围): department/simplelist lists
        /// the departments in it, and calls outside it answer 60011 ("应用须拥有指定部门的查看权限", user/simplelist,
        /// developer.work.weixin.qq.com/document/path/90200). When the root is not among them the read is not the whole
        /// company: null when it is, else why deletes must not be planned from it.
        /// </summary>
        internal static string VisibleRangeReason(IReadOnlyCollection<Department> departments)
        {
            var root = WeComMapping.Id(RootDepartmentId);
            if (departments.Count == 0 || departments.Any(d => d.Key == root)) return departments.Count == 0 ? "department/simplelist listed no department: the app's visible range (可见范围) is empty." : null;
            var tops = departments.Where(d => d.ParentKey == null || departments.All(p => p.Key != d.ParentKey)).Select(d => d.Key).Take(5).ToList();
            return $"The app sees only its visible range (可见范围): {departments.Count} department(s) under {string.Join(", ", tops)}, not the root department {root}; " +
                "members and departments outside it cannot be seen, so nothing is deleted on the strength of this read. " +
                "Widen the app's visible range to the whole company (the root department) in the WeCom admin console, or connect with the address-book sync secret.";
        }

        private async Task<bool> ReadDepartmentNamesOneByOneAsync(JArray ids, Dictionary<long, string> names, CancellationToken ct)
        {
            var found = new ConcurrentDictionary<long, string>();
            bool ok = true;
            await ForEachAsync(ids.Select(i => (long)i["id"]), async id =>
            {
                try { var d = await _client.GetDepartmentAsync(id, ct).ConfigureAwait(false); found[id] = (string)d?["name"]; }
                catch (ApiException e) when (!e.IsFatal) { ok = false; _output.WriteWarning($"department/get {id} answered {e.Code}: its name is unknown."); }
            }, ct).ConfigureAwait(false);
            foreach (var kv in found) names[kv.Key] = kv.Value;
            return ok || names.Count > 0;
        }

        internal static List<Department> BuildDepartments(JArray ids, IDictionary<long, string> names)
        {
            var byId = new Dictionary<long, Department>();
            var parents = new Dictionary<long, long>();
            foreach (JObject d in ids)
            {
                long id = (long)d["id"];
                long parent = d.Value<long?>("parentid") ?? 0;
                parents[id] = parent;
                var dept = new Department
                {
                    Source = DirectorySource.WeComApi,
                    Key = WeComMapping.Id(id),
                    LinkId = WeComMapping.Id(id),
                    SourceId = WeComMapping.Id(id),
                    ParentKey = parent == 0 ? null : WeComMapping.Id(parent),
                    ParentLinkId = parent == 0 ? null : WeComMapping.Id(parent),
                    Order = d.Value<long?>("order"),
                    IsRoot = id == 1 || parent == 0,
                };
                if (names == null) dept.WithheldFields.Add("Name");
                else if (names.TryGetValue(id, out var name)) dept.Name = name;
                byId[id] = dept;
            }
            foreach (var kv in byId)
            {
                // Path and depth from the names up the chain; a parent outside the app's visible range stops the walk.
                var segments = new List<string>();
                int depth = 0;
                bool complete = true;
                for (long cur = kv.Key, guard = 0; guard < 64; guard++)
                {
                    if (!byId.TryGetValue(cur, out var d)) { complete = false; break; }
                    segments.Add(d.Name ?? ("#" + d.Key));
                    if (!parents.TryGetValue(cur, out var p) || p == 0) break;
                    cur = p;
                    depth++;
                }
                segments.Reverse();
                kv.Value.Depth = complete ? depth : depth + 1;
                kv.Value.Path = names == null ? null : string.Join("/", segments);
            }
            return byId.Values.OrderBy(d => d.Depth).ThenBy(d => long.Parse(d.Key, CultureInfo.InvariantCulture)).ToList();
        }

        // ---- users ------------------------------------------------------------------------------------------

        public async Task<IReadOnlyList<User>> ReadUsersAsync(CancellationToken ct, IReadOnlyList<Department> departments = null)
        {
            try { return await ReadUsersCoreAsync(ct, departments).ConfigureAwait(false); }
            finally { _progress.Complete(); }
        }

        private async Task<IReadOnlyList<User>> ReadUsersCoreAsync(CancellationToken ct, IReadOnlyList<Department> departments)
        {
            var users = new Dictionary<string, User>(StringComparer.OrdinalIgnoreCase);
            var (listed, incomplete) = await ListUserIdsAsync(users, ct).ConfigureAwait(false);

            if (departments == null) departments = await ReadDepartmentsCoreAsync(ct).ConfigureAwait(false);
            if (!listed)
            {
                incomplete = await ListWithSimpleListAsync(users, departments, ct).ConfigureAwait(false);
                incomplete = incomplete ?? VisibleRangeReason(departments);
            }

            await ReadDetailsAsync(users, departments, ct).ConfigureAwait(false);
            AttachPaths(users.Values, departments);

            if (incomplete != null) foreach (var u in users.Values) u.IncompleteReason = u.IncompleteReason ?? incomplete;
            return users.Values.ToList();
        }

        /// <summary>
        /// Every member's userid WeCom lists, and nothing else: user/list_id (cursor-paged, the address-book sync secret;
        /// it still answers where details are withheld, e.g. from a new IP since 2022-08-15), or, when this secret may
        /// not call it (48002), user/simplelist per visible department. No detail is read. A listing that failed, or a
        /// visible range short of the whole company, is in <see cref="WeComMemberIds.IncompleteReason"/>; an error that
        /// stops every call (credentials, trusted IP) is thrown.
        /// </summary>
        public async Task<WeComMemberIds> ReadUserIdsAsync(CancellationToken ct)
        {
            try
            {
                var users = new Dictionary<string, User>(StringComparer.OrdinalIgnoreCase);
                var (listed, incomplete) = await ListUserIdsAsync(users, ct).ConfigureAwait(false);
                string via = "user/list_id";
                if (!listed)
                {
                    var departments = await ReadDepartmentsCoreAsync(ct).ConfigureAwait(false);
                    incomplete = await ListWithSimpleListAsync(users, departments, ct).ConfigureAwait(false) ?? VisibleRangeReason(departments);
                    via = "user/simplelist";
                }
                return new WeComMemberIds(users.Keys, incomplete, via, _client.CorpId);
            }
            finally { _progress.Complete(); }
        }

        /// <summary>
        /// user/list_id, every page, into <paramref name="users"/> (one user per userid, its departments gathered).
        /// Listed false: this secret may not call it (fall back to user/simplelist); the reason is set when a page
        /// failed after its retries.
        /// </summary>
        private async Task<(bool Listed, string Incomplete)> ListUserIdsAsync(Dictionary<string, User> users, CancellationToken ct)
        {
            _progress.Start("Listing members (user/list_id)", 0);
            try
            {
                string cursor = null;
                do
                {
                    var page = await _client.ListUserIdsPageAsync(cursor, ListIdPageSize, ct).ConfigureAwait(false);
                    foreach (JObject row in page["dept_user"] as JArray ?? new JArray())
                    {
                        string userId = (string)row["userid"];
                        if (string.IsNullOrEmpty(userId)) continue;
                        if (!users.TryGetValue(userId, out var u))
                        {
                            u = new User { Source = DirectorySource.WeComApi, UserId = userId, SourceId = userId, Departments = new List<string>() };
                            users[userId] = u;
                        }
                        var dept = WeComMapping.Id((long)row["department"]);
                        if (!u.Departments.Contains(dept)) u.Departments.Add(dept);
                        _progress.Step();
                    }
                    cursor = (string)page["next_cursor"];
                } while (!string.IsNullOrEmpty(cursor));
                return (true, null);
            }
            catch (ApiException e) when (e.IsNotAllowed && !e.Is(WeComErrorCodes.UntrustedIp) && users.Count == 0)
            {
                _output.WriteVerbose($"user/list_id answered {e.Code} (it needs the address-book sync secret); listing with user/simplelist instead.");
                return (false, null);
            }
            catch (ApiException e) when (!e.IsFatal)
            {
                return (true, $"user/list_id failed after retries with {e.Code}: {e.ApiMessage}");
            }
        }

        /// <summary>
        /// Members through user/simplelist, one call per visible department, their union. Complete by construction:
        /// the current documentation takes department_id only and says to walk the sub-departments
        /// (developer.work.weixin.qq.com/document/path/96259); the removed fetch_child=1 may be ignored without an error,
        /// which would return only the top departments' direct members. Null when every department answered.
        /// </summary>
        private async Task<string> ListWithSimpleListAsync(Dictionary<string, User> users, IReadOnlyList<Department> departments, CancellationToken ct)
        {
            _progress.Start("Listing members (user/simplelist)", departments.Count);
            var failures = new ConcurrentDictionary<string, string>();
            var found = new ConcurrentDictionary<string, User>(StringComparer.OrdinalIgnoreCase);
            await ForEachAsync(departments, async department =>
            {
                JArray list;
                try { list = await _client.ListUsersSimpleAsync(long.Parse(department.Key, CultureInfo.InvariantCulture), ct).ConfigureAwait(false); }
                catch (ApiException e) when (!e.IsFatal)
                {
                    failures[department.Key] = $"user/simplelist of department {department.Key} failed with {e.Code}: {e.ApiMessage}";
                    return;
                }
                foreach (JObject m in list)
                {
                    string userId = (string)m["userid"];
                    if (string.IsNullOrEmpty(userId)) continue;
                    var u = new User { Source = DirectorySource.WeComApi, UserId = userId, SourceId = userId };
                    if (m["name"] != null) u.Name = (string)m["name"];
                    u.Departments = (m["department"] as JArray)?.Select(d => WeComMapping.Id((long)d)).ToList() ?? new List<string>();
                    found.TryAdd(userId, u); // a member of several departments is listed in each: the first answer is kept
                }
                _progress.Step();
            }, ct).ConfigureAwait(false);
            foreach (var u in found.Values) if (!users.ContainsKey(u.UserId)) users[u.UserId] = u;
            return failures.IsEmpty ? null : $"{failures.Values.OrderBy(f => f, StringComparer.Ordinal).First()} ({failures.Count} department(s) failed)";
        }

        /// <summary>
        /// Details per department with user/list (one call per department instead of one per member), with bounded
        /// parallelism. 48009 stops all detail reads (only the id lists remain); 45029 falls back to user/get per member.
        /// </summary>
        private async Task ReadDetailsAsync(Dictionary<string, User> users, IReadOnlyList<Department> departments, CancellationToken ct)
        {
            var withheld = Withheld();

            var deptIds = users.Values.SelectMany(u => u.Departments ?? new List<string>()).Distinct().ToList();
            var done = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            var failures = new ConcurrentDictionary<string, string>();
            int banned = 0;
            _progress.Start("Reading member details (user/list)", deptIds.Count);
            await ForEachAsync(deptIds, async deptId =>
            {
                if (Volatile.Read(ref banned) != 0) return;
                try
                {
                    var list = await _client.ListUsersDetailedAsync(long.Parse(deptId, CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
                    foreach (JObject m in list)
                    {
                        string userId = (string)m["userid"];
                        if (userId == null || !users.TryGetValue(userId, out var u) || !done.TryAdd(userId, true)) continue;
                        lock (u) Fields.ApplyDetails(u, m, withheld);
                    }
                }
                catch (ApiException e) when (e.Is(WeComErrorCodes.DetailReadBanned) || e.Is(WeComErrorCodes.ApiForbidden) || e.Is(WeComErrorCodes.NoPrivilege))
                {
                    if (Interlocked.Exchange(ref banned, 1) == 0) _output.WriteWarning($"Member details are unknown: user/list answered {e.Code}. {e.RecommendedAction}".Trim());
                }
                catch (ApiException e) when (e.Is(WeComErrorCodes.ResponseTooLarge))
                {
                    await ReadOneByOneAsync(users, deptId, withheld, done, failures, ct).ConfigureAwait(false);
                }
                catch (ApiException e) when (!e.IsFatal)
                {
                    failures[deptId] = $"details of department {deptId} could not be read ({e.Code}: {e.ApiMessage})";
                }
                _progress.Step();
            }, ct).ConfigureAwait(false);

            foreach (var u in users.Values)
            {
                if (banned != 0 || !done.ContainsKey(u.UserId))
                {
                    foreach (var f in Fields.DetailFields) if (!(f == "Name" && u.Name != null)) u.WithheldFields.Add(f);
                    var failed = (u.Departments ?? new List<string>()).Select(d => failures.TryGetValue(d, out var r) ? r : null).FirstOrDefault(r => r != null);
                    if (failed != null) u.IncompleteReason = failed;
                }
                else
                {
                    foreach (var f in withheld) u.WithheldFields.Add(f);
                }
            }
        }

        private async Task ReadOneByOneAsync(Dictionary<string, User> users, string deptId, ISet<string> withheld,
            ConcurrentDictionary<string, bool> done, ConcurrentDictionary<string, string> failures, CancellationToken ct)
        {
            var members = users.Values.Where(u => u.Departments != null && u.Departments.Contains(deptId) && !done.ContainsKey(u.UserId)).ToList();
            foreach (var u in members)
            {
                try
                {
                    var m = await _client.GetUserAsync(u.UserId, ct).ConfigureAwait(false);
                    if (done.TryAdd(u.UserId, true)) lock (u) Fields.ApplyDetails(u, m, withheld);
                }
                catch (ApiException e) when (!e.IsFatal)
                {
                    failures[deptId] = $"details of {u.UserId} could not be read ({e.Code}: {e.ApiMessage})";
                }
            }
        }

        /// <summary>The fields WeCom withholds from this app's detail reads (the sensitive ones, except for the address-book sync secret).</summary>
        private ISet<string> Withheld()
        {
            var withheld = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (_client.AppMode != WeComAppMode.AddressBookSync) foreach (var f in Fields.SensitiveFields) withheld.Add(f);
            return withheld;
        }

        /// <summary>
        /// One member by userid with one user/get, or null when WeCom answered 60111 / 46004: then
        /// <see cref="NotFound"/> says whether that proves the member does not exist (an app that sees the whole corp) or
        /// only that this app cannot see it.
        /// </summary>
        public async Task<User> ReadUserAsync(string userId, CancellationToken ct)
        {
            JObject m;
            try { m = await _client.GetUserAsync(userId, ct).ConfigureAwait(false); }
            catch (ApiException e) when (e.Is(WeComErrorCodes.UserNotFound) || e.Is(WeComErrorCodes.UserNotExist))
            {
                _notFound[userId] = await _client.ProvesAbsentAsync(e, ct).ConfigureAwait(false)
                    ? ($"WeCom has no member with userid '{userId}' ({e.Code}).", "Check the userid (the 账号 column of the export), or list every member with Get-WeComUser.")
                    : (ApiException.Sentence(WeComClient.AmbiguousAbsence(userId, e)),
                       "If the member exists, widen the app's visible range to include it in the WeCom admin console, or connect with the address-book sync secret.");
                return null;
            }
            var user = ToUser(userId, m);
            if (user.Departments != null && user.Departments.Count > 0)
            {
                // The paths need the tree (department/simplelist and department/list): read once per reader, whatever the number of users.
                if (_tree == null)
                {
                    try { _tree = await ReadDepartmentsAsync(ct).ConfigureAwait(false); }
                    catch (ApiException e) when (!e.IsFatal)
                    {
                        _output.WriteWarning($"Department paths are unknown: the department tree could not be read ({e.Code}: {e.ApiMessage}).");
                        _tree = new List<Department>();
                    }
                }
                AttachPaths(new[] { user }, _tree);
            }
            return user;
        }

        /// <summary>
        /// One member by userid with exactly one user/get and nothing else (no department tree for the paths, no look-up
        /// of what a 60111 proves): what an on-demand run of one user reads. Null when WeCom answered 60111 / 46004, which
        /// may also mean the member is outside the app's visible range (a create then meets 60102 and links).
        /// </summary>
        public async Task<User> ReadUserOnlyAsync(string userId, CancellationToken ct)
        {
            JObject m;
            try { m = await _client.GetUserAsync(userId, ct).ConfigureAwait(false); }
            catch (ApiException e) when (e.Is(WeComErrorCodes.UserNotFound) || e.Is(WeComErrorCodes.UserNotExist)) { return null; }
            return ToUser(userId, m);
        }

        private User ToUser(string userId, JObject m)
        {
            var withheld = Withheld();
            var user = new User { Source = DirectorySource.WeComApi, UserId = userId, SourceId = userId };
            Fields.ApplyDetails(user, m, withheld);
            foreach (var f in withheld) user.WithheldFields.Add(f);
            return user;
        }

        private IReadOnlyList<Department> _tree;
        private readonly ConcurrentDictionary<string, (string Message, string Action)> _notFound = new ConcurrentDictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);

        /// <summary>For a userid <see cref="ReadUserAsync"/> found nothing for: what that means, and what to do.</summary>
        public (string Message, string Action) NotFound(string userId) =>
            _notFound.TryGetValue(userId, out var r) ? r : ($"WeCom has no member with userid '{userId}'.", null);

        /// <summary>
        /// Sets each user's <see cref="User.DepartmentPaths"/> from the tree: a department outside it (beyond the app's
        /// visible range) reads "#id", as a nameless one does in the paths. Left unknown when the names are.
        /// </summary>
        internal static void AttachPaths(IEnumerable<User> users, IReadOnlyList<Department> departments)
        {
            var paths = departments.Where(d => d.Path != null).ToDictionary(d => d.Key, d => d.Path, StringComparer.Ordinal);
            if (paths.Count == 0) return;
            foreach (var u in users)
                if (u.Departments != null) u.DepartmentPaths = u.Departments.Select(k => paths.TryGetValue(k, out var p) ? p : "#" + k).ToList();
        }

        private Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> body, CancellationToken ct) =>
            new AdaptiveConcurrency(Parallelism).ForEachAsync(items, body, ct);
    }
}
