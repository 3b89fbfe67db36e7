using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Applies user changes to WeCom: creates one call each (userid = the Authing link field, else the username; name
    /// and a department required, mobile or email as WeCom requires), updates with only the planned fields (never an
    /// excluded one), deletes through user/batchdelete (≤ 200 per call; a failing batch is split to find the bad userid).
    /// 60102 on create links to the existing member and updates it; 60104 reports the clash with the holder's userid.
    /// Every create and link is written back to Authing's link fields.
    /// </summary>
    public sealed class WeComUserApplier : IChangeApplier, IDriftReader, IUndoable
    {

        public UndoTarget UndoTarget => new UndoTarget { Service = WeComErrors.Service, Kind = ObjectKind.User };

        private static readonly Regex ValidUserId = new Regex(@"^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$", RegexOptions.CultureInvariant);

        private readonly WeComClient _client;
        private readonly WeComApplyOptions _options;
        private readonly WeComUserFields _fields;
        private readonly FieldMap _map;

        public WeComUserApplier(WeComClient client, WeComApplyOptions options = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _options = options ?? new WeComApplyOptions();
            _map = _options.FieldMap ?? client.Settings.FieldMap ?? FieldMap.Empty(FieldSide.WeCom);
            _fields = WeComUserFields.For(_map);
        }

        /// <summary>Userids per batchdelete call (WeCom allows at most 200).</summary>
        public int DeleteBatchSize { get; set; } = WeComClient.MaxBatchDelete;

        public string TargetName => "WeCom";

        public string DescribeTarget(Change change)
        {
            var u = (change.Current ?? change.Desired) as User;
            var id = change.Operation == ChangeOperation.Create ? UserIdFor(change.Desired as User) : u?.UserId;
            var name = u?.Name;
            return $"user {id ?? change.Key}{(string.IsNullOrEmpty(name) ? "" : " (" + name + ")")} in WeCom";
        }

        public string DescribeAction(Change change)
        {
            switch (change.Operation)
            {
                case ChangeOperation.Create: return "Create";
                case ChangeOperation.Delete: return "Delete";
                case ChangeOperation.Suspend: return "Suspend (enable 0)";
                default:
                    if (LinkChange.Only(change)) return "Write the link back to Authing";
                    // The fields this update writes, with their values as the plan line shows them (lists as lists).
                    return PlanText.Action("Update", change, Writes);
            }
        }

        public Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken)
        {
            _map.CheckPlaces(approved, _options.ExcludeProperty);
            return Task.CompletedTask;
        }

        public IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved)
        {
            var writes = approved.Where(c => c.Operation == ChangeOperation.Create || c.Operation == ChangeOperation.Update || c.Operation == ChangeOperation.Move).ToList();
            if (writes.Count > 0)
            {
                yield return new ApplyStage("users", writes.Select(c => new ApplyStep(c, ct => c.Operation == ChangeOperation.Create ? CreateAsync(c, ct) : UpdateAsync(c, ct))));
            }
            var suspends = approved.Where(c => c.Operation == ChangeOperation.Suspend).ToList();
            if (suspends.Count > 0) yield return new ApplyStage("user suspends", suspends.Select(c => new ApplyStep(c, ct => SuspendAsync(c, ct))));
            var deletes = approved.Where(c => c.Operation == ChangeOperation.Delete).ToList();
            if (deletes.Count > 0)
            {
                int size = Math.Max(1, Math.Min(WeComClient.MaxBatchDelete, DeleteBatchSize));
                var batches = deletes.Select((c, i) => (c, i)).GroupBy(x => x.i / size, x => x.c).Select(g => (IReadOnlyList<Change>)g.ToList());
                yield return new ApplyStage("user deletes", batches.Select(b => new ApplyStep(b, ct => DeleteBatchAsync(b, ct))));
            }
        }

        /// <summary>The userid a new member gets: Authing's link field, else the username when it is a valid WeCom userid.</summary>
        public static string UserIdFor(User source)
        {
            if (source == null) return null;
            if (!string.IsNullOrWhiteSpace(source.UserId)) return source.UserId.Trim();
            return string.IsNullOrWhiteSpace(source.Username) ? null : source.Username.Trim();
        }

        private IEnumerable<string> UpdateFields(Change change) =>
            (change.Fields ?? new List<FieldChange>()).Where(Writes).Select(f => f.Field).Distinct(StringComparer.OrdinalIgnoreCase);

        /// <summary>Whether an update writes this field to WeCom: not a link (Authing's own), not excluded.</summary>
        private bool Writes(FieldChange f) => !LinkChange.IsLink(f) && !_options.ExcludeProperty.Contains(f.Field);

        /// <summary>Resolves the member's departments to WeCom ids, main first; references not in WeCom yet are dropped and returned in <paramref name="missing"/>.</summary>
        private List<long> ResolveDepartments(IEnumerable<string> references, List<string> missing)
        {
            var ids = new List<long>();
            foreach (var r in references ?? Enumerable.Empty<string>())
            {
                var id = _options.Ids.Resolve(r);
                if (id == null) { missing.Add(r); continue; }
                long n = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
                if (!ids.Contains(n)) ids.Add(n);
            }
            return ids;
        }

        private static Result Failed(Change change, string code, string message) =>
            new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = code, Error = message };

        // Set by the first create WeCom refuses for the whole corp (the seat limit): the creates after it are not sent,
        // and say why, while updates and deletes go on.
        private string _createsStopped;

        /// <summary>
        /// The seat limit (45024) holds for every create, not this member: why, or null for any other error.
        /// </summary>
        private static string StopsCreates(ApiException e) => e.Is(WeComErrorCodes.SeatLimitReached)
            ? ApiException.Sentence("user/create answered 45024: the corp's member seat limit is reached") + " " + ApiException.Sentence(e.RecommendedAction)
            : null;

        /// <summary>
        /// user/create blocked for longer than the connection may wait stops the run (as any API does), and says that
        /// the block may be the monthly limit on new members: three times the seat limit ("每企业创建账号数不可超过
        /// 账号上限数*3/月", document/path/90454), refused with the frequency code 45009 and blocked for 30 days.
        /// </summary>
        private static Result CreatesBlocked(Change change, ApiException e)
        {
            var result = Results.Failed(change, e);
            result.Error += " WeCom also allows at most three times the seat limit of new members per month (document 90454) and then blocks user/create " +
                "for 30 days: if creates are still refused after that time, the month's limit is reached and they can be run again when it lifts.";
            return result;
        }

        private async Task<Result> CreateAsync(Change change, CancellationToken ct)
        {
            var source = change.Desired as User;
            if (source == null) return Results.Skipped(change, "The change carries no desired user.");
            var stopped = Volatile.Read(ref _createsStopped);
            if (stopped != null) return Results.Skipped(change, "Not sent: WeCom refuses every create for now. " + stopped);
            string userId = UserIdFor(source);
            if (userId == null || !ValidUserId.IsMatch(userId))
            {
                return Failed(change, "userid", $"No valid WeCom userid for this user: '{userId}' must be 1–64 letters, digits, '_', '-', '@' or '.', starting with a letter or digit. Set the Authing link field wechatwork_user_id. Nothing was sent.");
            }
            if (string.IsNullOrWhiteSpace(source.Name)) return Failed(change, "name", "The user has no name, which WeCom requires. Nothing was sent.");
            var missing = new List<string>();
            var departments = ResolveDepartments(source.Departments, missing);
            if (departments.Count == 0)
            {
                return Failed(change, "department", "The user has no department that exists in WeCom" +
                    (missing.Count > 0 ? $" ({string.Join(", ", missing)} not linked yet: sync departments first)" : "") + ". Nothing was sent.");
            }
            if (string.IsNullOrWhiteSpace(source.Mobile) && string.IsNullOrWhiteSpace(source.Email))
            {
                return Failed(change, WeComErrorCodes.MobileAndEmailEmpty.ToString(CultureInfo.InvariantCulture), "WeCom needs a mobile or an email for a new member, and Authing has neither. Nothing was sent.");
            }

            var body = new JObject { ["userid"] = userId };
            foreach (var field in _fields.Writable)
            {
                var value = field.Get(source);
                if (value == null || (value is string s && s.Length == 0)) continue;
                _fields.Write(body, field.Name, source);
            }
            body["department"] = new JArray(departments);
            body["main_department"] = departments[0];
            body["to_invite"] = _options.InviteNewMember; // WeCom invites unless told not to

            string note = null;
            try
            {
                await _client.CreateUserAsync(body, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Is(WeComErrorCodes.UserIdExists) || e.OutcomeUnknown)
            {
                // The userid exists (an interrupted earlier run, or made by hand): link to that member and bring it up to date.
                var (exists, why) = e.OutcomeUnknown ? await ExistsAsync(userId, ct).ConfigureAwait(false) : (true, null);
                if (exists == null)
                {
                    return Failed(change, "outcome-unknown", $"The create's answer was lost and whether it was applied cannot be read ({why}). " +
                        "Nothing more was sent: the next run's read decides.");
                }
                if (exists == false)
                {
                    // The lost create was not applied (no such member): sending it again is safe now. Once: a second
                    // lost answer is reported, and the next run's read decides.
                    try { await _client.CreateUserAsync(body, ct).ConfigureAwait(false); }
                    catch (ApiException again) { return Results.Failed(change, again); }
                    note = "the first create was lost before it arrived: created on the second attempt";
                }
                else
                {
                    try { await UpdateAsync(body, userId, ct).ConfigureAwait(false); }
                    catch (ApiException update) { return Results.Failed(change, update); }
                    note = e.OutcomeUnknown ? "the create's answer was lost but the member exists: linked" : "userid already existed in WeCom (60102): linked to the existing member and updated";
                }
            }
            catch (ApiException e) when (e.StopsRun) { return CreatesBlocked(change, e); }
            catch (ApiException e) when (StopsCreates(e) is string reason)
            {
                // One failure with the reason, not one per member: the creates after it are skipped (see CreateAsync's start).
                if (Interlocked.CompareExchange(ref _createsStopped, reason, null) != null) return Results.Skipped(change, "Not sent: WeCom refuses every create for now. " + reason);
                return Failed(change, e.Code, "The create step stops here: " + reason);
            }
            catch (ApiException e) when (e.Is(WeComErrorCodes.MobileExists))
            {
                var holder = WeComErrors.HolderOf(e.ApiMessage);
                return Failed(change, WeComErrorCodes.MobileExists.ToString(CultureInfo.InvariantCulture), $"The mobile {source.Mobile} already belongs to WeCom member '{holder ?? "(unknown)"}'. " +
                    $"If that is the same person, set this Authing user's wechatwork_user_id to '{holder ?? "<userid>"}' so the next run links them; otherwise correct the mobile. Nothing was created.");
            }
            catch (ApiException e) { return Results.Failed(change, e); }

            var result = Results.Succeeded(change, userId);
            if (note != null) result.Error = note;
            await WriteBackAsync(result, source, userId, departments, ct).ConfigureAwait(false);
            return result;
        }

        /// <summary>
        /// Whether the member exists now: true, false, or null when the answer proves neither (a 60111 to an app that does
        /// not see the whole corp, or any other failure): a lost create is then not sent again.
        /// </summary>
        private async Task<(bool? Exists, string Why)> ExistsAsync(string userId, CancellationToken ct)
        {
            ApiException failure;
            try { await _client.GetUserAsync(userId, ct).ConfigureAwait(false); return (true, null); }
            catch (ApiException e) { failure = e; }
            if (await _client.ProvesAbsentAsync(failure, ct).ConfigureAwait(false)) return (false, null);
            return (null, failure.Is(WeComErrorCodes.UserNotFound) || failure.Is(WeComErrorCodes.UserNotExist)
                ? WeComClient.AmbiguousAbsence(userId, failure) : $"user/get answered {failure.Code}: {failure.ApiMessage}");
        }

        private async Task<Result> UpdateAsync(Change change, CancellationToken ct)
        {
            var source = change.Desired as User;
            var current = change.Current as User;
            var userId = current?.UserId ?? UserIdFor(source);
            if (source == null || string.IsNullOrEmpty(userId)) return Results.Skipped(change, "The change carries no desired user or no WeCom userid.");
            var body = new JObject { ["userid"] = userId };
            List<long> departments = null;
            foreach (var field in UpdateFields(change))
            {
                if (string.Equals(field, "Departments", StringComparison.OrdinalIgnoreCase))
                {
                    var missing = new List<string>();
                    departments = ResolveDepartments(source.Departments, missing);
                    if (departments.Count == 0)
                    {
                        return Failed(change, "department", "None of the user's departments exists in WeCom (" + string.Join(", ", missing) + "): nothing was sent.");
                    }
                    body["department"] = new JArray(departments);
                    body["main_department"] = departments[0];
                }
                else if (string.Equals(field, "Name", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(source.Name))
                {
                    continue; // WeCom requires a name: never blank it
                }
                else
                {
                    _fields.Write(body, field, source);
                }
            }
            bool linkBack = LinkChange.Carries(change);
            if (body.Count == 1 && !linkBack) return Results.Skipped(change, "No field to send (all planned fields are excluded or not stored by WeCom).");
            if (body.Count == 1 && (_options.LinkWriter == null || source.Source != DirectorySource.Authing))
            {
                return Results.Skipped(change, "Only the link to Authing is missing, and there is no Authing connection to write it to: nothing was sent.");
            }
            // Nothing for WeCom when only the link is missing (a lost write-back): just the Authing write below.
            if (body.Count > 1)
            {
                try { await UpdateAsync(body, userId, ct).ConfigureAwait(false); }
                catch (ApiException e) { return Results.Failed(change, e); }
            }
            var result = Results.Succeeded(change);
            // An Authing user matched by username or name (not by its link field) is linked now, so the next run matches on the link.
            if (string.IsNullOrEmpty(source.UserId) || !string.Equals(source.UserId, userId, StringComparison.OrdinalIgnoreCase))
            {
                await WriteBackAsync(result, source, userId, departments ?? ResolveDepartments(current?.Departments, new List<string>()), ct).ConfigureAwait(false);
            }
            return result;
        }

        /// <summary>
        /// user/update with the member's body. One that writes custom attributes first reads the member (user/get) and
        /// sends its other attributes along (<see cref="WeComUserFields.KeepOtherAttrs"/>): one more call for such an
        /// update, none for the others. A read that fails fails the change before anything is sent.
        /// </summary>
        private async Task UpdateAsync(JObject body, string userId, CancellationToken ct)
        {
            if (body["extattr"] != null && !_client.Settings.AllAttributesMapped)
            {
                JObject member;
                try { member = await _client.GetUserAsync(userId, ct).ConfigureAwait(false); }
                catch (ApiException e) when (e.Is(WeComErrorCodes.DetailReadBanned))
                {
                    throw new ApiException(e.Service, e.Endpoint, e.Code,
                        "the update writes custom attributes (extattr), and the member's other attributes could not be read first (user/get answered 48009 from this IP): the update was not sent, so none is lost",
                        e.Class, AttributeReadAdvice, e).WithError(e.Error);
                }
                WeComUserFields.KeepOtherAttrs(body, member);
            }
            await _client.UpdateUserAsync(body, ct).ConfigureAwait(false);
        }

        /// <summary>What to do when an attribute update cannot read the member first (48009).</summary>
        public const string AttributeReadAdvice =
            "If the field map names every custom attribute the members have, connect with Connect-WeCom -AllAttributesMapped: updates then send the mapped attributes without the read. " +
            "Otherwise run from an IP trusted before 2022-08-15, or leave the attributes out (-ExcludeProperty).";

        /// <summary>user/update with enable 0 (WeCom 更新成员: "enable 启用/禁用成员。1表示启用成员，0表示禁用成员").</summary>
        private async Task<Result> SuspendAsync(Change change, CancellationToken ct)
        {
            var userId = (change.Current as User)?.UserId;
            if (string.IsNullOrEmpty(userId)) return Results.Skipped(change, "The WeCom userid of this user is unknown.");
            try { await _client.UpdateUserAsync(new JObject { ["userid"] = userId, ["enable"] = 0 }, ct).ConfigureAwait(false); }
            catch (ApiException e) { return Results.Failed(change, e); }
            return Results.Succeeded(change);
        }

        private async Task<IReadOnlyList<Result>> DeleteBatchAsync(IReadOnlyList<Change> batch, CancellationToken ct)
        {
            var results = new List<Result>();
            var valid = new List<Change>();
            foreach (var c in batch)
            {
                if (string.IsNullOrEmpty((c.Current as User)?.UserId)) results.Add(Results.Skipped(c, "The WeCom userid of this user is unknown."));
                else valid.Add(c);
            }
            await DeleteSplittingAsync(valid, results, ct).ConfigureAwait(false);
            return results;
        }

        /// <summary>One bad userid fails a whole batchdelete: halve the batch until the bad one stands alone.</summary>
        private async Task DeleteSplittingAsync(List<Change> batch, List<Result> results, CancellationToken ct)
        {
            if (batch.Count == 0) return;
            try
            {
                await _client.DeleteUsersAsync(batch.Select(c => ((User)c.Current).UserId).ToList(), ct).ConfigureAwait(false);
                results.AddRange(batch.Select(c => Results.Succeeded(c)));
            }
            catch (ApiException e) when (batch.Count > 1 && !e.IsTransient && !e.IsFatal)
            {
                int half = batch.Count / 2;
                await DeleteSplittingAsync(batch.Take(half).ToList(), results, ct).ConfigureAwait(false);
                await DeleteSplittingAsync(batch.Skip(half).ToList(), results, ct).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                results.AddRange(batch.Select(c => Results.Failed(c, e)));
            }
        }

        private async Task WriteBackAsync(Result result, User source, string userId, IReadOnlyList<long> departments, CancellationToken ct)
        {
            if (_options.LinkWriter == null || source.Source != DirectorySource.Authing) return;
            try
            {
                var ids = departments.Select(WeComMapping.Id).ToList();
                await _options.LinkWriter.WriteUserLinkAsync(source, userId, ids, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                result.Error = WeComDepartmentApplier.AppendNote(result.Error, "written to WeCom, but writing the link back to Authing failed: " + Redaction.Redact(e.Message));
                result.ErrorCode = "writeback";
            }
        }

        // ---------------------------------------------------------------- drift

        /// <summary>
        /// The members as WeCom holds them now: one user/list per department the plan saw them in (a batch of details), then
        /// user/get for those not found there and for the userids creates would take. What the app may not see is withheld
        /// as the reader withholds it, so it is never taken for a change.
        /// </summary>
        public async Task<IReadOnlyDictionary<Change, DirectoryObject>> ReadNowAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
        {
            var withheld = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (_client.AppMode != WeComAppMode.AddressBookSync) foreach (var f in _fields.SensitiveFields) withheld.Add(f);
            var wanted = new List<(Change Change, string UserId)>();
            foreach (var c in changes)
            {
                string id = c.Operation == ChangeOperation.Create ? UserIdFor(c.Desired as User) : (c.Current as User)?.UserId;
                if (!string.IsNullOrEmpty(id)) wanted.Add((c, id));
            }
            var found = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
            var departments = changes.Where(c => c.Operation != ChangeOperation.Create).Select(c => (c.Current as User)?.Departments?.FirstOrDefault())
                .Where(d => d != null && long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out _)).Distinct().ToList();
            foreach (var department in departments)
            {
                try
                {
                    foreach (JObject m in await _client.ListUsersDetailedAsync(long.Parse(department, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false))
                        if ((string)m["userid"] is string id) found[id] = m;
                }
                catch (ApiException e) when (!e.IsFatal) { /* not readable as a list (48009, 45029 …): read its members one by one below */ }
            }
            var now = new Dictionary<Change, DirectoryObject>();
            foreach (var (change, userId) in wanted)
            {
                if (!found.TryGetValue(userId, out var m))
                {
                    // 60111 / 46004: no such userid, when the app sees the whole corp; else it may be a member outside the
                    // visible range: a create goes on (WeCom refuses a taken userid with 60102), anything else is not
                    // applied as "gone" but as unreadable. Any other failure stops the check and is reported.
                    try { m = await _client.GetUserAsync(userId, cancellationToken).ConfigureAwait(false); }
                    catch (ApiException e) when (e.Is(WeComErrorCodes.UserNotFound) || e.Is(WeComErrorCodes.UserNotExist))
                    {
                        m = null;
                        if (change.Operation != ChangeOperation.Create && !await _client.ProvesAbsentAsync(e, cancellationToken).ConfigureAwait(false))
                        {
                            now[change] = new User { Source = DirectorySource.WeComApi, UserId = userId, SourceId = userId, IncompleteReason = WeComClient.AmbiguousAbsence(userId, e) };
                            continue;
                        }
                    }
                }
                if (m == null) { now[change] = null; continue; }
                var user = new User { Source = DirectorySource.WeComApi, UserId = userId, SourceId = userId };
                _fields.ApplyDetails(user, m, withheld);
                foreach (var f in withheld) user.WithheldFields.Add(f);
                now[change] = user;
            }
            return now;
        }
    }
}
