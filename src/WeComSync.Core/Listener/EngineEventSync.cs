using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.AddressBook;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.WeCom;
using WeComSync.Workflow;

namespace WeComSync.Listener
{
    /// <summary>How the engine runs the listener's batches.</summary>
    public sealed class EngineSyncOptions
    {
        public string OrganizationCode { get; set; }
        public string LogPath { get; set; }
        public bool MaskPersonalData { get; set; }
        public DeleteAction DeleteAction { get; set; } = DeleteAction.Suspend;

        /// <summary>Upstream: the organization's root stands for WeCom's top department (as Invoke-WeComUpstreamSync -IgnoreRootDepartment).</summary>
        public bool IgnoreRootDepartment { get; set; }

        /// <summary>Most calls in flight per run (0: adaptive); the calls share the connections' rate limiters with every other run.</summary>
        public int ThrottleLimit { get; set; }

        /// <summary>What the listener was started with (no secrets), written into each batch's run summary.</summary>
        public System.Collections.IDictionary Parameters { get; set; }
    }

    /// <summary>
    /// The listener's engine: each batch is an on-demand run through <see cref="Workflow"/>. WeCom events run upstream
    /// (each member read with user/get — what the API withholds stays unknown, never written as empty — into a wanted
    /// side shaped like the console export, then <see cref="UpstreamRun"/> with <c>UserIds</c>); Authing events run
    /// downstream (<see cref="DownstreamRun"/> with <c>UserIds</c>: each user read by itself on both sides). Department
    /// events sync the department tree (upstream: WeCom's tree as the wanted side, no users; downstream: a full run without
    /// deletes). Each batch writes its own run log.
    /// </summary>
    public sealed class EngineEventSync : IEventSync
    {
        private readonly AuthingConnection _authing;
        private readonly WeComConnection _wecom;
        private readonly EngineSyncOptions _options;

        public EngineEventSync(AuthingConnection authing, WeComConnection wecom, EngineSyncOptions options)
        {
            _authing = authing;
            _wecom = wecom;
            _options = options ?? new EngineSyncOptions();
            if (_authing != null && string.IsNullOrEmpty(_options.OrganizationCode)) _options.OrganizationCode = _authing.OrganizationCode;
        }

        /// <summary>Both ways need both connections: each sync reads its source and writes its target.</summary>
        public ListenerDirection Available => _authing != null && _wecom != null && !string.IsNullOrEmpty(_options.OrganizationCode) ? ListenerDirection.Both : ListenerDirection.None;

        public BatchOutcome Sync(SyncBatch batch, IOutputWriter output)
        {
            var outcome = new BatchOutcome();
            try
            {
                SyncRun run = batch.Direction == ListenerDirection.Downstream ? Downstream(batch, output) : Upstream(batch, output);
                if (run == null) return outcome;
                outcome.Run = run.Run();
                Collect(run, batch, outcome);
            }
            catch (SyncRunException e)
            {
                outcome.Run = e.Record;
                outcome.Error = Redaction.Redact(e.Message);
                output.WriteError(e.Error);
            }
            catch (ApiException e) when (!output.CancellationToken.IsCancellationRequested)
            {
                outcome.Error = Redaction.Redact(e.Message);
                output.WriteError(OutputError.FromApi(e));
            }
            return outcome;
        }

        private EngineSyncRunOptions Common<EngineSyncRunOptions>(EngineSyncRunOptions o, SyncBatch batch) where EngineSyncRunOptions : SyncRunOptions
        {
            o.LogPath = _options.LogPath;
            o.MaskPersonalData = _options.MaskPersonalData;
            o.WhatIf = batch.WhatIf;
            o.ThrottleLimit = _options.ThrottleLimit;
            o.DeleteAction = _options.DeleteAction;
            o.Parameters = _options.Parameters;
            return o;
        }

        // ------------------------------------------------------------------ downstream: Authing → WeCom

        private SyncRun Downstream(SyncBatch batch, IOutputWriter output)
        {
            var wecomMap = _wecom.Client.FieldMap;
            var options = Common(new DownstreamOptions
            {
                OrganizationCode = _options.OrganizationCode,
                FieldMap = wecomMap,
                MappedFields = (_authing.Client.Settings.FieldMap?.MappedFields ?? Enumerable.Empty<string>())
                    .Concat(wecomMap?.MappedFields ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).ToList(),
            }, batch);
            if (batch.Kind == ObjectKind.User)
            {
                options.UserIds = ResolveAuthingIds(batch.Events, output);
                options.Delete = batch.Deletes;
                if (options.UserIds.Count == 0) return null;
            }
            // A department event: the departments follow Authing through a whole run that deletes nothing.
            return new DownstreamRun(_authing, _wecom, options, output);
        }

        /// <summary>The WeCom userid of each Authing event: its link field or username, else read by the Authing user id.</summary>
        private List<string> ResolveAuthingIds(IEnumerable<ListenerEvent> events, IOutputWriter output)
        {
            var ids = new List<string>();
            foreach (var e in events)
            {
                if (!string.IsNullOrEmpty(e.Id)) { ids.Add(e.Id); continue; }
                var dto = Task.Run(() => _authing.Client.GetUserAsync(e.AuthingUserId, "user_id", output.CancellationToken)).GetAwaiter().GetResult();
                string id = dto == null ? null : AuthingJson.Text(dto.CustomData, (_authing.Client.Settings.LinkFields ?? new LinkFieldNames()).UserId) ?? dto.Username;
                if (id != null) ids.Add(id);
                else output.WriteWarning($"Authing user {e.AuthingUserId}: no link field and no username, so no WeCom userid to sync it to; skipped.");
            }
            return ids;
        }

        // ------------------------------------------------------------------ upstream: WeCom → Authing

        private SyncRun Upstream(SyncBatch batch, IOutputWriter output)
        {
            var ct = output.CancellationToken;
            var reader = new WeComReader(_wecom.Client, output) { FieldMap = _wecom.Client.FieldMap };
            List<User> members = new List<User>();
            IReadOnlyList<Department> tree;
            if (batch.Kind == ObjectKind.User && !batch.Deletes)
            {
                foreach (var id in batch.Ids)
                {
                    var member = Task.Run(() => reader.ReadUserAsync(id, ct)).GetAwaiter().GetResult();
                    if (member == null)
                    {
                        var (message, _) = reader.NotFound(id);
                        output.WriteWarning($"{id}: {message} Nothing synced for it (a delete needs a delete event, -Delete, and proof it is gone).");
                        continue;
                    }
                    members.Add(AsExportRow(member));
                }
                if (members.Count == 0) return null;
                tree = Tree(members);
            }
            else if (batch.Kind == ObjectKind.Department)
            {
                // The department tree as WeCom has it now, as paths (what an export's 部门 column holds), no users.
                var departments = Task.Run(() => reader.ReadDepartmentsAsync(ct)).GetAwaiter().GetResult();
                var paths = new DepartmentTree();
                foreach (var d in departments.Where(d => d.Path != null)) paths.AddPath(d.Path, "WeCom department/list");
                tree = paths.Build();
            }
            else tree = new List<Department>();

            var options = Common(new UpstreamOptions
            {
                OrganizationCode = _options.OrganizationCode,
                IgnoreRootDepartment = _options.IgnoreRootDepartment,
                FieldMap = _authing.Client.Settings.FieldMap,
                Export = new AddressBookExport(members, tree, null),
                Mode = batch.Deletes ? UpstreamMode.DeleteOnly : UpstreamMode.CreateUpdate,
                MaxExportAge = TimeSpan.Zero,
                WeComConnection = _wecom,
            }, batch);
            if (batch.Kind == ObjectKind.User) options.UserIds = batch.Ids.ToList();
            return new UpstreamRun(_authing, options, output);
        }

        /// <summary>A member read from the API, shaped as an export row: its departments named by their paths, withheld fields left unknown.</summary>
        internal static User AsExportRow(User member)
        {
            if (member.DepartmentPaths != null && member.DepartmentPaths.All(p => !p.StartsWith("#", StringComparison.Ordinal)))
                member.Departments = member.DepartmentPaths.ToList();
            member.Source = DirectorySource.WeComExport;
            member.Origin = "WeCom user/get";
            return member;
        }

        private static List<Department> Tree(IEnumerable<User> members)
        {
            var tree = new DepartmentTree();
            foreach (var m in members) tree.Add(m);
            return tree.Build();
        }

        /// <summary>What a run wrote, for the echo check: every user change that succeeded, into the run's target.</summary>
        private static void Collect(SyncRun run, SyncBatch batch, BatchOutcome outcome)
        {
            if (batch.WhatIf) return;
            var target = batch.Direction == ListenerDirection.Downstream ? EventSource.WeCom : EventSource.Authing;
            foreach (var r in run.Results.Where(r => r.Outcome == Outcome.Succeeded && r.Change != null && r.Change.Kind == ObjectKind.User))
            {
                var desired = r.Change.Desired as User;
                var current = r.Change.Current as User;
                string id = desired?.UserId ?? current?.UserId ?? r.Change.Key;
                if (id == null) continue;
                IReadOnlyList<string> fields = r.Change.Operation == ChangeOperation.Create && desired != null
                    ? UserFields.All.Where(f => f.IsKnown(desired)).Select(f => f.Name).ToList()
                    : r.Change.Fields.Select(f => f.Field).ToList();
                outcome.Written.Add(new WrittenObject { Service = target, Kind = ObjectKind.User, Id = id, Operation = r.Change.Operation, Written = desired, Fields = fields });
            }
        }

        // ------------------------------------------------------------------ reads for the listener

        public async Task<User> ReadCurrentAsync(ListenerEvent e, CancellationToken ct)
        {
            if (e.Kind != ObjectKind.User) return null;
            if (e.Source == EventSource.WeCom)
                return await new WeComReader(_wecom.Client) { FieldMap = _wecom.Client.FieldMap }.ReadUserOnlyAsync(e.Id, ct).ConfigureAwait(false);
            var found = await FindAuthingAsync(e, ct).ConfigureAwait(false);
            if (found == null) return null;
            var map = await OnDemand.ReadAuthingDepartmentsAsync(_authing.Client, _options.OrganizationCode, _authing.Client.GetDepartmentAsync(_options.OrganizationCode, "root", ct),
                found.DepartmentIds ?? new List<string>(), DownstreamRun.WeComRootId, ct).ConfigureAwait(false);
            return new AuthingUserMapper(_authing.Client.Settings, _authing.Client.Settings.FieldMap).ToModel(found, map);
        }

        public async Task<bool> ExistsInSourceAsync(ListenerEvent e, CancellationToken ct)
        {
            if (e.Source == EventSource.Authing) return await FindAuthingAsync(e, ct).ConfigureAwait(false) != null;
            try
            {
                await _wecom.Client.GetUserAsync(e.Id, ct).ConfigureAwait(false);
                return true;
            }
            catch (ApiException ex) when (ex.Is(WeComErrorCodes.UserNotFound) || ex.Is(WeComErrorCodes.UserNotExist))
            {
                // 60111 proves absence only for an app that sees the whole corp; otherwise it may be a rename or the visible range.
                if (await _wecom.Client.ProvesAbsentAsync(ex, ct).ConfigureAwait(false)) return false;
                throw new InvalidOperationException(WeComClient.AmbiguousAbsence(e.Id, ex));
            }
        }

        /// <summary>The target's record of a user about to be deleted, as department paths (the guard's subtrees).</summary>
        public async Task<IReadOnlyList<string>> DepartmentsOfAsync(ListenerEvent e, CancellationToken ct)
        {
            if (e.Source == EventSource.Authing)
            {
                // Deleted in Authing: WeCom still has the member, with its departments.
                var member = await new WeComReader(_wecom.Client).ReadUserAsync(e.Id, ct).ConfigureAwait(false);
                return member?.DepartmentPaths ?? e.Departments;
            }
            var user = await OnDemand.FindAuthingUserAsync(_authing.Client, e.Id, ct).ConfigureAwait(false);
            if (user.Authing?.DepartmentIds == null) return e.Departments;
            var map = await OnDemand.ReadAuthingDepartmentsAsync(_authing.Client, _options.OrganizationCode, _authing.Client.GetDepartmentAsync(_options.OrganizationCode, "root", ct),
                user.Authing.DepartmentIds, null, ct).ConfigureAwait(false);
            var model = new AuthingUserMapper(_authing.Client.Settings, _authing.Client.Settings.FieldMap).ToModel(user.Authing, map);
            return model.DepartmentPaths ?? model.Departments;
        }

        private async Task<AuthingUserDto> FindAuthingAsync(ListenerEvent e, CancellationToken ct)
        {
            if (string.IsNullOrEmpty(e.Id)) return await _authing.Client.GetUserAsync(e.AuthingUserId, "user_id", ct).ConfigureAwait(false);
            var found = await OnDemand.FindAuthingUserAsync(_authing.Client, e.Id, ct).ConfigureAwait(false);
            if (found.Failure != null) throw found.Failure;
            return found.Authing;
        }
    }
}
