using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.Authing
{
    /// <summary>
    /// Applies user changes to an Authing pool and one organization's departments:
    /// creates in batches of up to 50 (create-users-batch; when a batch is refused, each of its users is created alone so
    /// one bad user fails alone), with username = WeCom userid, the link fields, and membership (set-user-departments,
    /// main department first, where the create did not already give it); updates with only the changed fields;
    /// deletes in batches of up to 50. A create answered 409 (the user exists but is not linked, e.g. after an
    /// interrupted run) finds that user by username, mobile or email, links it and updates it instead.
    /// </summary>
    public sealed class AuthingUserApplier : IChangeApplier, IDriftReader, IUndoable
    {
        private readonly AuthingClient _client;
        private readonly string _organizationCode;
        private readonly string _rootLinkId;
        private AuthingUserMapper _mapper;

        public AuthingUserApplier(AuthingClient client, string organizationCode, string rootLinkId = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _organizationCode = organizationCode;
            _rootLinkId = rootLinkId;
        }

        /// <summary>Where Authing keeps the user fields for these writes; null: the connection's field map.</summary>
        public FieldMap FieldMap { get; set; }

        private AuthingUserMapper Mapper => _mapper ?? (_mapper = new AuthingUserMapper(_client.Settings, FieldMap));

        /// <summary>Users per create/delete call (Authing's limit is 50).</summary>
        public int BatchSize { get; set; } = AuthingClient.PageSize;

        /// <summary>The organization's departments (link id → Authing id), read by <see cref="PrepareAsync"/> unless given.</summary>
        public AuthingDepartmentMap Map { get; set; }

        public string TargetName => "Authing";

        public UndoTarget UndoTarget => new UndoTarget { Service = AuthingClient.ServiceName, Kind = ObjectKind.User, OrganizationCode = _organizationCode, RootLinkId = _rootLinkId };

        public string DescribeTarget(Change change)
        {
            var u = (change.Desired ?? change.Current) as User;
            return $"user {(u?.ToString() ?? change.Key)} in Authing";
        }

        public string DescribeAction(Change change)
        {
            switch (change.Operation)
            {
                case ChangeOperation.Create: return "Create user";
                case ChangeOperation.Delete: return "Delete user";
                case ChangeOperation.Suspend: return "Suspend user (status Suspended)";
                default:
                    return change.Fields == null || change.Fields.Count == 0 ? "Update user (link)" : PlanText.Action("Update user", change);
            }
        }

        public async Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken)
        {
            (FieldMap ?? _client.Settings.FieldMap ?? FieldMap.Empty(FieldSide.Authing)).CheckPlaces(approved);
            bool needsDepartments = approved.Any(c => !c.Operation.Removes());
            if (Map == null && needsDepartments)
                Map = await new AuthingDirectoryReader(_client).ReadDepartmentsAsync(_organizationCode, _rootLinkId, cancellationToken).ConfigureAwait(false);
        }

        public IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved)
        {
            var creates = approved.Where(c => c.Operation == ChangeOperation.Create).ToList();
            yield return new ApplyStage("creating users", Batches(creates).Select(b => new ApplyStep(b, ct => CreateBatchAsync(b, ct))));
            var updates = approved.Where(c => c.Operation == ChangeOperation.Update || c.Operation == ChangeOperation.Move).ToList();
            yield return new ApplyStage("updating users", updates.Select(c => new ApplyStep(c, ct => UpdateAsync(c, ct))));
            var suspends = approved.Where(c => c.Operation == ChangeOperation.Suspend).ToList();
            yield return new ApplyStage("suspending users", suspends.Select(c => new ApplyStep(c, ct => SuspendAsync(c, ct))));
            var deletes = approved.Where(c => c.Operation == ChangeOperation.Delete).ToList();
            yield return new ApplyStage("deleting users", Batches(deletes).Select(b => new ApplyStep(b, ct => DeleteBatchAsync(b, ct))));
        }

        private IEnumerable<List<Change>> Batches(List<Change> changes)
        {
            int size = Math.Max(1, Math.Min(BatchSize, AuthingClient.PageSize));
            for (int i = 0; i < changes.Count; i += size) yield return changes.GetRange(i, Math.Min(size, changes.Count - i));
        }

        // ---------------------------------------------------------------- create

        private sealed class Pending
        {
            public Change Change;
            public User User;
            public JObject Body;
            public List<string> DepartmentIds;
            public List<string> NotSet; // departments beyond Authing's cap, reported on the result
        }

        private async Task<IReadOnlyList<Result>> CreateBatchAsync(List<Change> batch, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var results = new List<Result>();
            var pending = new List<Pending>();
            foreach (var change in batch)
            {
                var user = change.Desired as User;
                if (user == null || string.IsNullOrEmpty(user.UserId)) { results.Add(Results.Failed(change, new InvalidOperationException("The create change carries no user with a userid."))); continue; }
                var (ids, missing, notSet) = ResolveDepartments(user);
                if (missing != null) { results.Add(new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "department", Error = missing }); continue; }
                pending.Add(new Pending { Change = change, User = user, DepartmentIds = ids, NotSet = notSet, Body = Mapper.ToCreateBody(user, ids, LinksOf(user, ids)) });
            }
            if (pending.Count == 0) return results;

            List<AuthingUserDto> created = null;
            ApiException batchError = null;
            try
            {
                if (pending.Count > 1) created = await _client.CreateUsersBatchAsync(pending.Select(p => p.Body).ToList(), ct).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                batchError = e;
            }

            if (created != null)
            {
                var byUsername = new Dictionary<string, AuthingUserDto>(StringComparer.OrdinalIgnoreCase);
                foreach (var dto in created.Where(d => d?.Username != null)) byUsername[dto.Username] = dto;
                foreach (var p in pending)
                {
                    if (byUsername.TryGetValue(p.User.UserId, out var dto) && dto.UserId != null)
                        results.Add(await FinishCreateAsync(p, dto, watch.Elapsed, ct).ConfigureAwait(false));
                    else
                        results.Add(await CreateOneAsync(p, ct, checkFirst: true).ConfigureAwait(false)); // missing from the answer: look before creating
                }
                return results;
            }

            // The API is blocked beyond the wait allowed: one call per user would only hammer it (and the run stops anyway).
            if (batchError?.StopsRun == true)
            {
                results.AddRange(pending.Select(p => Results.Failed(p.Change, batchError, watch.Elapsed)));
                return results;
            }

            // One call per user: a single user (no batch needed), or a refused batch where one bad user must not fail the others.
            foreach (var p in pending)
                results.Add(await CreateOneAsync(p, ct, checkFirst: batchError?.OutcomeUnknown == true).ConfigureAwait(false));
            return results;
        }

        private async Task<Result> CreateOneAsync(Pending p, CancellationToken ct, bool checkFirst)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                if (checkFirst)
                {
                    // The batch may have been applied before its answer was lost: never create a twin.
                    var existing = await _client.GetUserAsync(p.User.UserId, "username", ct).ConfigureAwait(false);
                    if (existing != null) return await LinkExistingAsync(p, existing, watch, ct).ConfigureAwait(false);
                }
                var dto = await _client.CreateUserAsync(p.Body, ct).ConfigureAwait(false);
                return await FinishCreateAsync(p, dto, watch.Elapsed, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.Conflict) || e.OutcomeUnknown)
            {
                try
                {
                    var existing = await FindExistingAsync(p.User, ct).ConfigureAwait(false);
                    if (existing != null) return await LinkExistingAsync(p, existing, watch, ct).ConfigureAwait(false);
                    if (!e.OutcomeUnknown) return Results.Failed(p.Change, e, watch.Elapsed);
                    // The lost create was not applied (the user is not there): now sending it again is safe. Once: a
                    // second lost answer is reported, and the next run's read decides.
                    var dto = await _client.CreateUserAsync(p.Body, ct).ConfigureAwait(false);
                    return await FinishCreateAsync(p, dto, watch.Elapsed, ct).ConfigureAwait(false);
                }
                catch (ApiException inner)
                {
                    return Results.Failed(p.Change, inner, watch.Elapsed);
                }
            }
            catch (ApiException e)
            {
                return Results.Failed(p.Change, e, watch.Elapsed);
            }
        }

        /// <summary>The unlinked Authing user the 409 was about: same username (= userid), else same mobile, else same email.</summary>
        private async Task<AuthingUserDto> FindExistingAsync(User user, CancellationToken ct)
        {
            var found = await _client.GetUserAsync(user.UserId, "username", ct).ConfigureAwait(false);
            if (found == null && !string.IsNullOrEmpty(user.Mobile))
            {
                var (_, number) = Normalization.MobileNumber.Split(Normalization.MobileNumber.Normalize(user.Mobile));
                found = await _client.GetUserAsync(number, "phone", ct).ConfigureAwait(false);
            }
            if (found == null && !string.IsNullOrEmpty(user.Email)) found = await _client.GetUserAsync(user.Email, "email", ct).ConfigureAwait(false);
            return found;
        }

        private async Task<Result> LinkExistingAsync(Pending p, AuthingUserDto existing, Stopwatch watch, CancellationToken ct)
        {
            var linked = AuthingJson.Text(existing.CustomData, _client.Settings.LinkFields.UserId);
            if (!string.IsNullOrEmpty(linked) && !string.Equals(linked, p.User.UserId, StringComparison.OrdinalIgnoreCase))
            {
                return new Result
                {
                    Change = p.Change, Outcome = Outcome.Failed, ErrorCode = "409", Duration = watch.Elapsed,
                    Error = $"Authing user {existing.UserId} ({existing.Username}) already holds this user's username, mobile or email but is linked to WeCom user '{linked}'. Resolve the duplicate by hand.",
                };
            }
            var body = (JObject)p.Body.DeepClone();
            body.Remove("username"); // keep the existing login name
            body.Remove("departmentIds");
            AuthingClient.KeepUnchanged(body, existing.Status, existing.Gender);
            await _client.UpdateUserAsync(existing.UserId, body, ct).ConfigureAwait(false);
            if (p.DepartmentIds != null) await _client.SetUserDepartmentsAsync(existing.UserId, p.DepartmentIds, ct).ConfigureAwait(false);
            return WithNotSet(new Result { Change = p.Change, Outcome = Outcome.Succeeded, NewId = existing.UserId, Duration = watch.Elapsed, Error = null, ErrorCode = null }, p.User, p.NotSet, "linked");
        }

        private async Task<Result> FinishCreateAsync(Pending p, AuthingUserDto dto, TimeSpan elapsed, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                if (p.DepartmentIds != null && p.DepartmentIds.Count > 0)
                {
                    bool sameSet = dto?.DepartmentIds != null && new HashSet<string>(dto.DepartmentIds).SetEquals(p.DepartmentIds);
                    // Several departments: unless the create already made the first one the main one, set-user-departments says so.
                    bool mainKnown = p.DepartmentIds.Count == 1 || dto?.MainDepartmentId == p.DepartmentIds[0];
                    if (!sameSet || !mainKnown) await _client.SetUserDepartmentsAsync(dto.UserId, p.DepartmentIds, ct).ConfigureAwait(false);
                }
                return WithNotSet(Results.Succeeded(p.Change, dto?.UserId, elapsed + watch.Elapsed), p.User, p.NotSet, "created");
            }
            catch (ApiException e)
            {
                var result = Results.Failed(p.Change, e, elapsed + watch.Elapsed);
                result.NewId = dto?.UserId;
                result.Error = "The user was created but its departments could not be set: " + result.Error;
                return result;
            }
        }

        /// <summary>
        /// Authing ids of the user's departments (main first), capped at <see cref="AuthingClient.MaxDepartmentsPerUser"/>
        /// with the departments beyond it (as the file names them) in NotSet; or a message naming the first one Authing
        /// does not have.
        /// </summary>
        private (List<string> Ids, string Missing, List<string> NotSet) ResolveDepartments(User user)
        {
            if (user.Departments == null) return (null, null, null);
            var ids = new List<string>();
            List<string> notSet = null;
            for (int i = 0; i < user.Departments.Count; i++)
            {
                var link = user.Departments[i];
                var id = Map?.IdOf(link);
                if (id == null) return (null, $"Department '{link}' does not exist in Authing organization {_organizationCode}: sync departments first (Sync-AuthingDepartment).", null);
                if (ids.Contains(id)) continue;
                if (ids.Count < AuthingClient.MaxDepartmentsPerUser) ids.Add(id);
                else (notSet ?? (notSet = new List<string>())).Add(user.DepartmentPaths != null && i < user.DepartmentPaths.Count ? user.DepartmentPaths[i] : link);
            }
            return (ids, null, notSet);
        }

        /// <summary>
        /// A WeCom member may be in up to 100 departments, an Authing user in at most 50 per set-user-departments call: the
        /// user was written with the first 50 (main first) and the result fails, naming the departments that were not set.
        /// </summary>
        private static Result WithNotSet(Result result, User user, List<string> notSet, string done)
        {
            if (notSet == null || notSet.Count == 0 || result.Outcome != Outcome.Succeeded) return result;
            result.Outcome = Outcome.Failed;
            result.ErrorCode = "departments";
            int total = AuthingClient.MaxDepartmentsPerUser + notSet.Count;
            result.Error = $"The user was {done} in Authing with its first {AuthingClient.MaxDepartmentsPerUser} of {total} departments (main department first): " +
                $"Authing's set-user-departments takes at most {AuthingClient.MaxDepartmentsPerUser}. Not set ({notSet.Count}): {string.Join("; ", notSet)}. " +
                $"Keep the member in at most {AuthingClient.MaxDepartmentsPerUser} departments in WeCom, or add these memberships in Authing by hand.";
            return result;
        }

        /// <summary>
        /// What the user's wechatwork_department_ids holds for the resolved departments: each one's WeCom id where the
        /// department holds one, else the user's own reference (the export's path). A known id is never replaced by a path.
        /// </summary>
        private List<string> LinksOf(User user, List<string> ids)
        {
            if (ids == null || Map == null || user.Departments == null) return null;
            var links = new List<string>(ids.Count);
            foreach (var reference in user.Departments)
            {
                var id = Map.IdOf(reference);
                var link = (id == null ? null : Map.WeComIdOf(id)) ?? reference;
                if (!links.Contains(link)) links.Add(link);
            }
            return links;
        }

        // ---------------------------------------------------------------- update

        private async Task<Result> UpdateAsync(Change change, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var desired = change.Desired as User;
            var current = change.Current as User;
            string userId = current?.SourceId;
            if (desired == null || string.IsNullOrEmpty(userId))
                return Results.Failed(change, new InvalidOperationException("The update change needs the desired user and the current Authing user (with its Authing id)."));

            var fields = (change.Fields ?? new List<FieldChange>()).Select(f => f.Field).Where(f => f != null).ToList();
            bool writeLink = !string.Equals(current.UserId, desired.UserId, StringComparison.Ordinal);
            bool departments = fields.Contains(nameof(User.Departments), StringComparer.OrdinalIgnoreCase) && desired.Departments != null;
            List<string> ids = null, notSet = null;
            if (departments)
            {
                var (resolved, missing, capped) = ResolveDepartments(desired);
                if (missing != null) return new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "department", Error = missing, Duration = watch.Elapsed };
                ids = resolved;
                notSet = capped;
            }
            var body = Mapper.ToUpdateBody(desired, fields, writeLink, LinksOf(desired, ids));
            if (body != null) await _client.UpdateUserAsync(userId, AuthingClient.KeepUnchanged(body, current), ct).ConfigureAwait(false);
            if (ids != null) await _client.SetUserDepartmentsAsync(userId, ids, ct).ConfigureAwait(false);
            return WithNotSet(Results.Succeeded(change, userId, watch.Elapsed), desired, notSet, "updated");
        }

        // ---------------------------------------------------------------- suspend

        /// <summary>update-user with status Suspended (Authing v3 UpdateUserReqDto.status: Suspended, Activated …).</summary>
        private async Task<Result> SuspendAsync(Change change, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var id = (change.Current as User)?.SourceId;
            if (string.IsNullOrEmpty(id)) return Results.Failed(change, new InvalidOperationException("The suspend change carries no Authing user id."));
            try
            {
                await _client.UpdateUserAsync(id, AuthingUserMapper.StatusBody(false), ct).ConfigureAwait(false);
                return Results.Succeeded(change, id, watch.Elapsed);
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.NotFound))
            {
                return Results.Skipped(change, "The user no longer exists.", watch.Elapsed);
            }
        }

        // ---------------------------------------------------------------- delete

        private async Task<IReadOnlyList<Result>> DeleteBatchAsync(List<Change> batch, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var results = new List<Result>();
            var targets = new List<(Change Change, string Id)>();
            foreach (var change in batch)
            {
                var id = (change.Current as User)?.SourceId;
                if (string.IsNullOrEmpty(id)) results.Add(Results.Failed(change, new InvalidOperationException("The delete change carries no Authing user id.")));
                else targets.Add((change, id));
            }
            if (targets.Count == 0) return results;
            try
            {
                await _client.DeleteUsersBatchAsync(targets.Select(t => t.Id).ToList(), ct).ConfigureAwait(false);
                results.AddRange(targets.Select(t => Results.Succeeded(t.Change, t.Id, watch.Elapsed)));
            }
            catch (ApiException e) when (targets.Count > 1 && !e.IsTransient)
            {
                // One bad id refused the whole batch: delete one by one so the others still go.
                foreach (var t in targets)
                {
                    var one = Stopwatch.StartNew();
                    try
                    {
                        await _client.DeleteUsersBatchAsync(new[] { t.Id }, ct).ConfigureAwait(false);
                        results.Add(Results.Succeeded(t.Change, t.Id, one.Elapsed));
                    }
                    catch (ApiException single) when (single.Is(AuthingErrorCodes.NotFound))
                    {
                        results.Add(Results.Skipped(t.Change, "The user was already deleted.", one.Elapsed));
                    }
                    catch (ApiException single)
                    {
                        results.Add(Results.Failed(t.Change, single, one.Elapsed));
                    }
                }
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.NotFound))
            {
                results.AddRange(targets.Select(t => Results.Skipped(t.Change, "The user was already deleted.", watch.Elapsed)));
            }
            return results;
        }

        // ---------------------------------------------------------------- drift

        /// <summary>
        /// The users as Authing holds them now, 50 per get-user-batch call: updates and deletes by the Authing user id
        /// the plan saw, creates by the username they would take (the WeCom userid). Departments map through the map
        /// <see cref="PrepareAsync"/> just read, as the plan's did.
        /// </summary>
        public async Task<IReadOnlyDictionary<Change, DirectoryObject>> ReadNowAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
        {
            var now = new Dictionary<Change, DirectoryObject>();
            async Task Read(List<(Change Change, string Id)> wanted, string idType)
            {
                var found = new Dictionary<string, AuthingUserDto>(StringComparer.OrdinalIgnoreCase);
                var ids = wanted.Select(w => w.Id).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                for (int i = 0; i < ids.Count; i += AuthingClient.PageSize)
                {
                    foreach (var dto in await _client.GetUsersBatchAsync(ids.GetRange(i, Math.Min(AuthingClient.PageSize, ids.Count - i)), idType, cancellationToken).ConfigureAwait(false))
                    {
                        string key = idType == "username" ? dto.Username : dto.UserId;
                        if (key != null) found[key] = dto;
                    }
                }
                foreach (var (change, id) in wanted)
                {
                    if (!found.TryGetValue(id, out var dto)) { now[change] = null; continue; }
                    var user = Mapper.ToModel(dto, Map);
                    if (Map == null) user.Departments = null;   // not read for a deletes-only plan: unknown, not compared
                    now[change] = user;
                }
            }
            await Read(changes.Where(c => c.Operation != ChangeOperation.Create && !string.IsNullOrEmpty(c.Current?.SourceId))
                .Select(c => (c, c.Current.SourceId)).ToList(), "user_id").ConfigureAwait(false);
            await Read(changes.Where(c => c.Operation == ChangeOperation.Create && !string.IsNullOrEmpty((c.Desired as User)?.UserId))
                .Select(c => (c, ((User)c.Desired).UserId)).ToList(), "username").ConfigureAwait(false);
            return now;
        }
    }
}
