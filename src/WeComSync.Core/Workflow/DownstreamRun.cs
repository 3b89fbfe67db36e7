using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.WeCom;

namespace WeComSync.Workflow
{
    /// <summary>What a downstream run (Authing → WeCom) is given.</summary>
    public sealed class DownstreamOptions : SyncRunOptions
    {
        public DownstreamOptions() => UpdateMode = UpdateMode.None;

        /// <summary>The Authing organization WeCom follows.</summary>
        public string OrganizationCode { get; set; }

        /// <summary>Also delete (or suspend, <see cref="SyncRunOptions.DeleteAction"/>) the WeCom users and departments not in Authing.</summary>
        public bool Delete { get; set; }

        /// <summary>Let WeCom invite the members this run creates.</summary>
        public bool InviteNewMember { get; set; }

        /// <summary>Do not associate users by unique name.</summary>
        public bool NoNameMatch { get; set; }

        /// <summary>Where WeCom keeps the user fields beyond the defaults (already merged with the connection's); null: the defaults.</summary>
        public FieldMap FieldMap { get; set; }

        /// <summary>The mapped fields compared besides the model's (both sides' field maps); null: the WeCom map's.</summary>
        public ICollection<string> MappedFields { get; set; }
    }

    /// <summary>
    /// The downstream run, Authing → WeCom (<c>Invoke-WeComDownstreamSync</c>). Its steps, in order:
    /// <list type="number">
    /// <item>before anything is read: the Authing pool's link fields (the new WeCom ids are written back there);</item>
    /// <item>"read departments" (both sides; the organization's root stands for WeCom's root, id 1), then "departments":
    /// creates, renames and moves, parents first, new ids written back to Authing; deletes wait for the users;</item>
    /// <item>"read users", after the departments so that new department links resolve, then "users": creates, updates
    /// (-UpdateMode; -ExcludeProperty fields never written to existing members) and, with -Delete, deletes or suspends,
    /// behind the delete guard;</item>
    /// <item>with -Delete (and -DeleteAction Delete): "delete departments", children first: WeCom deletes only empty ones.</item>
    /// </list>
    /// </summary>
    public sealed class DownstreamRun : SyncRun
    {
        /// <summary>WeCom's root department: the organization's root stands for it, never created, renamed or deleted.</summary>
        public const string WeComRootId = "1";

        private readonly AuthingConnection _authing;
        private readonly WeComConnection _wecom;
        private readonly DownstreamOptions _options;

        public DownstreamRun(AuthingConnection authing, WeComConnection wecom, DownstreamOptions options, IOutputWriter output) : base(output, options)
        {
            _authing = authing ?? throw new ArgumentNullException(nameof(authing));
            _wecom = wecom ?? throw new ArgumentNullException(nameof(wecom));
            _options = options;
            if (string.IsNullOrEmpty(options.OrganizationCode)) throw new ArgumentException("A downstream run needs the Authing organization code.", nameof(options));
        }

        public override string RunName => "downstream";

        protected override string Service => WeComErrors.Service;

        private PlanOperation Operations => PlanOperation.Create | PlanOperation.Update | (_options.Delete ? PlanOperation.Delete : 0);

        protected override void Execute()
        {
            if (_options.OnDemand)
            {
                ExecuteOnDemand();
                return;
            }
            // Fail fast: the write-back of new WeCom ids needs the link fields; checked before anything is read.
            var missing = Wait(ct => AuthingLinkFields.MissingAsync(_authing.Client, ct));
            if (missing.Count > 0) throw new RunFailure(AuthingLinkFields.MissingError(_authing.Client, missing, _authing));

            // 1. Departments: creates, renames and moves (parents first). Deletes wait for the users.
            var step = Log.BeginStep("read departments");
            var authingDepartments = ReadAuthingDepartments();
            var wecomDepartments = Wait(ct => new WeComReader(_wecom.Client, Output).ReadDepartmentsAsync(ct)).ToList();
            var fromWeCom = _wecom.Describe();
            foreach (var d in wecomDepartments) d.ReadFrom = fromWeCom;
            step.Count(StepCounter.Read, authingDepartments.Count + wecomDepartments.Count);
            CompleteRead(step, $"Authing {authingDepartments.Count}, WeCom {wecomDepartments.Count}.", null);

            var departmentPlan = DirectoryComparer.CompareDepartments(authingDepartments, wecomDepartments, new CompareOptions
            {
                // Departments have no withheld fields: Overwrite means Changed for them.
                UpdateMode = _options.UpdateMode == UpdateMode.Overwrite ? UpdateMode.Changed : _options.UpdateMode,
                Operation = Operations,
                Scope = _options.Scope(),
            });
            var departmentDeletes = departmentPlan.Changes.Where(c => c.Operation == ChangeOperation.Delete).ToList();
            ApplyStep("departments", departmentPlan.Changes.Where(c => c.Operation != ChangeOperation.Delete).ToList(),
                () => new WeComDepartmentApplier(_wecom.Client, ApplyOptions()), Notes(departmentPlan));

            // 2. Users, read after the departments so that new department links resolve.
            step = Log.BeginStep("read users");
            var (authingUsers, failures) = ReadAuthingUsers();
            var wecomUsers = Wait(ct => new WeComReader(_wecom.Client, Output) { Parallelism = _options.ThrottleLimit, FieldMap = _options.FieldMap }.ReadUsersAsync(ct)).ToList();
            int incomplete = 0;
            foreach (var u in wecomUsers)
            {
                u.ReadFrom = fromWeCom;
                if (u.IncompleteReason != null) incomplete++;
            }
            if (incomplete > 0) Output.WriteWarning($"{incomplete} user(s) come from an incomplete read; no comparison will plan deletes from them.");
            step.Count(StepCounter.Read, authingUsers.Count + wecomUsers.Count);
            CompleteRead(step, $"Authing {authingUsers.Count}, WeCom {wecomUsers.Count}.", failures);

            var userPlan = PlanUsers(authingUsers, wecomUsers, authingDepartments.Concat(wecomDepartments).ToList(), out var notes);
            ApplyStep("users", userPlan, UserApplier, notes);

            // 3. Department deletes last, children first: WeCom deletes only empty departments. Suspended members stay
            //    in their departments, so a Suspend run deletes no department.
            if (_options.Delete && _options.DeleteAction == DeleteAction.Delete)
                ApplyStep("delete departments", departmentDeletes, () => new WeComDepartmentApplier(_wecom.Client, ApplyOptions()));
        }

        /// <summary>
        /// The named users only (<see cref="SyncRunOptions.UserIds"/>): each read by itself from Authing (its link field,
        /// else its username) and WeCom (user/get), with only the departments it needs (its departments and their
        /// ancestors, by id on both sides), planned and applied through the same steps as a full run: "read users",
        /// "departments" (creates, renames, moves; parents first; never a delete), "users". A user absent from Authing is
        /// an error saying so; with -Delete it is deleted (or suspended) in WeCom, and nobody else is.
        /// </summary>
        private void ExecuteOnDemand()
        {
            var ids = OnDemand.Requested(_options.UserIds);
            if (ids.Count == 0) Output.WriteWarning(OnDemand.NoUserIdWarning);
            var client = _authing.Client;
            string org = _options.OrganizationCode;
            var wecomReader = new WeComReader(_wecom.Client, Output) { FieldMap = _options.FieldMap };
            var step = Log.BeginStep("read users");
            var read = Wait(async ct =>
            {
                // The link-field check and the reads go at once (reads change nothing); the check is judged first.
                var missingRead = OnDemand.MissingLinkFieldsAsync(client, null, ct);
                var root = OnDemand.RootAsync(client, org, ct);
                var wecomRead = OnDemand.EachAsync(ids, async id =>
                {
                    try { return (User: await wecomReader.ReadUserOnlyAsync(id, ct).ConfigureAwait(false), Failure: (Http.ApiException)null); }
                    catch (Http.ApiException e) when (!e.IsFatal) { return (User: (User)null, Failure: e.At($"user/get {id}")); }
                }, _options.ThrottleLimit, ct);
                var found = await OnDemand.EachAsync(ids, id => OnDemand.FindAuthingUserAsync(client, id, ct), _options.ThrottleLimit, ct).ConfigureAwait(false);
                var map = await OnDemand.ReadAuthingDepartmentsAsync(client, org, root,
                    found.Where(f => f.Authing?.DepartmentIds != null).SelectMany(f => f.Authing.DepartmentIds), WeComRootId, ct).ConfigureAwait(false);
                var linked = map.ById.Keys.Select(map.WeComIdOf).Where(id => id != null);
                var wecomDepartments = await OnDemand.ReadWeComDepartmentsAsync(_wecom.Client, linked, ct).ConfigureAwait(false);
                var wecom = await wecomRead.ConfigureAwait(false);
                var missing = await missingRead.ConfigureAwait(false);
                return (Missing: missing, Found: found, WeCom: wecom, Map: map, WeComDepartments: wecomDepartments);
            });
            if (read.Missing.Count > 0) throw new RunFailure(AuthingLinkFields.MissingError(client, read.Missing, _authing));

            var from = _authing.Describe(org);
            var fromWeCom = _wecom.Describe();
            var mapper = new AuthingUserMapper(client.Settings, client.Settings.FieldMap);
            var authingDepartments = read.Map.ToDepartments(true);
            foreach (var d in authingDepartments) d.ReadFrom = from;
            foreach (var d in read.WeComDepartments) d.ReadFrom = fromWeCom;

            // Each user on each side, or why it is on neither: a failed read leaves the user out of the plan (it is
            // not absent), a user absent from Authing is planned for a delete only with -Delete.
            var sources = new List<AuthingUserDto>();
            var wecomUsers = new List<User>();
            var failures = new List<Http.ApiException>();
            var absent = new List<string>();
            for (int i = 0; i < ids.Count; i++)
            {
                var (authing, (member, wecomFailure)) = (read.Found[i], read.WeCom[i]);
                var failure = authing.Failure ?? wecomFailure;
                if (failure != null)
                {
                    failures.Add(failure);
                    Output.WriteError(ServiceError(failure));
                    continue;
                }
                if (authing.Ambiguous != null)
                {
                    absent.Add(ids[i]);
                    Output.WriteError(new OutputError("DownstreamUserAmbiguous", ProblemKind.InvalidData, ids[i],
                        $"{ids[i]}: {authing.Ambiguous.Count} Authing users hold it in their link field ({string.Join(", ", authing.Ambiguous.Select(u => u.Username ?? u.UserId))}): nothing was synced.",
                        "Keep the link field on one of them (Get-AuthingUser shows both), then run again."));
                    continue;
                }
                bool inOrganization = authing.Authing != null && mapper.ToModel(authing.Authing, read.Map).Departments.Count > 0;
                if (member != null)
                {
                    member.ReadFrom = fromWeCom;
                    wecomUsers.Add(member);
                }
                if (inOrganization)
                {
                    sources.Add(authing.Authing);
                    continue;
                }
                absent.Add(ids[i]);
                string where = authing.Authing == null ? "is not in Authing" : $"is in Authing but in no department of organization {org}";
                if (member == null)
                {
                    Output.WriteError(new OutputError("DownstreamUserNotFound", ProblemKind.NotFound, ids[i],
                        $"{ids[i]} {where}, nor in WeCom: nothing to sync.", "Check the userid (the WeCom 账号; in Authing the link field or the username)."));
                }
                else if (!_options.Delete)
                {
                    Output.WriteError(new OutputError("DownstreamUserNotInAuthing", ProblemKind.NotFound, ids[i],
                        $"{ids[i]} {where}: nothing to sync; to remove it from WeCom use -Delete.",
                        $"Run again with -Delete to {(_options.DeleteAction == DeleteAction.Suspend ? "suspend" : "delete")} it in WeCom (-DeleteAction says which), or add it to Authing."));
                }
            }
            step.Count(StepCounter.Read, sources.Count + wecomUsers.Count + authingDepartments.Count + read.WeComDepartments.Count);
            string counts = $"{ids.Count} user(s) asked: Authing {sources.Count}, WeCom {wecomUsers.Count}; departments they need: Authing {authingDepartments.Count}, WeCom {read.WeComDepartments.Count}.";
            if (absent.Count > 0 && !(_options.Delete && absent.All(a => wecomUsers.Any(w => string.Equals(w.UserId, a, StringComparison.OrdinalIgnoreCase)))))
            {
                // Not in Authing (and not deleted): one object that could not be synced, like a failed read.
                step.Complete(RunStatus.PartiallyFailed, $"{counts} Not in Authing: {string.Join(", ", absent)}.");
            }
            else CompleteRead(step, counts, failures);

            // Departments: only those the users need; never a delete (the other users of a department were not read).
            var departmentPlan = DirectoryComparer.CompareDepartments(authingDepartments, read.WeComDepartments, new CompareOptions
            {
                UpdateMode = _options.UpdateMode == UpdateMode.Overwrite ? UpdateMode.Changed : _options.UpdateMode,
                Operation = PlanOperation.Create | PlanOperation.Update,
                Scope = _options.Scope(),
            });
            ApplyStep("departments", departmentPlan.Changes, () => new WeComDepartmentApplier(_wecom.Client, ApplyOptions()), Notes(departmentPlan));
            // The WeCom ids just created: the users' departments name them (a full run reads the map again instead).
            foreach (var r in Results.Where(r => r.Outcome == Outcome.Succeeded && r.Change?.Kind == ObjectKind.Department && r.NewId != null))
                if (r.Change.Desired is Department d && d.SourceId != null) read.Map.Add(r.NewId, d.SourceId);

            var authingUsers = sources.Select(dto => mapper.ToModel(dto, read.Map)).ToList();
            foreach (var u in authingUsers) u.ReadFrom = from;
            var userPlan = PlanUsers(authingUsers, wecomUsers, authingDepartments.Concat(read.WeComDepartments).ToList(), out var notes, onDemand: true);
            // The delete guard as a full run's, but its percentage is of a pool this run did not read: the named users
            // are the ones asked for, so only -MaxDelete (and -Force) apply.
            var guard = _options.DeleteGuard ?? new DeleteGuard();
            ApplyStep("users", userPlan, UserApplier, notes, new DeleteGuard { MaxDelete = guard.MaxDelete, MaxDeletePercent = 100, Force = guard.Force });
        }

        /// <summary>The users' applier: -ExcludeProperty fields never written to existing members, invitations, the field map.</summary>
        private IChangeApplier UserApplier()
        {
            var options = ApplyOptions();
            options.ExcludeProperty = new HashSet<string>(_options.ExcludeProperty ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            options.InviteNewMember = _options.InviteNewMember;
            options.FieldMap = _options.FieldMap;
            return new WeComUserApplier(_wecom.Client, options);
        }

        /// <summary>The WeCom ids the connection learnt, and the write-back of new ones into Authing's link fields.</summary>
        private WeComApplyOptions ApplyOptions() => new WeComApplyOptions
        {
            Ids = _wecom.DepartmentIds,
            LinkWriter = new AuthingLinkWriter(_authing.Client, _options.OrganizationCode),
        };

        private List<Department> ReadAuthingDepartments()
        {
            var reader = new AuthingDirectoryReader(_authing.Client, Output);
            var read = Wait(ct => reader.ReadDepartmentsAsync(_options.OrganizationCode, WeComRootId, ct));
            var from = _authing.Describe(_options.OrganizationCode);
            var departments = read.ToDepartments(true);
            foreach (var d in departments)
            {
                d.ReadFrom = from;
                if (d.IncompleteReason != null) Output.WriteWarning(d.IncompleteReason);
            }
            return departments;
        }

        private (List<User> Users, List<Http.ApiException> Failures) ReadAuthingUsers()
        {
            var reader = new AuthingDirectoryReader(_authing.Client, Output) { Parallelism = _options.ThrottleLimit, FieldMap = _authing.Client.Settings.FieldMap };
            // The department map again: the departments step wrote new WeCom ids into its link fields.
            var read = Wait(async ct =>
            {
                var map = await reader.ReadDepartmentsAsync(_options.OrganizationCode, WeComRootId, ct).ConfigureAwait(false);
                return await reader.ReadUsersAsync(map, null, ct).ConfigureAwait(false);
            });
            foreach (var failure in read.FailedPages) Output.WriteError(ServiceError(failure));
            var from = _authing.Describe(_options.OrganizationCode);
            foreach (var u in read.Users) u.ReadFrom = from;
            return (read.Users, read.FailedPages);
        }

        /// <summary>
        /// The users' plan. Matched by the link field, then username = userid, then (unless -NoNameMatch) a name unique
        /// among the unmatched users of both sides; a shared name is a conflict, never guessed. -ExcludeProperty protects
        /// what existing members keep up themselves from the update, while a new member still gets every known field
        /// (WeCom will not create one without a mobile or email): the updates are compared without those fields, the
        /// rest with all of them.
        /// </summary>
        private List<Change> PlanUsers(List<User> authingUsers, List<User> wecomUsers, List<Department> departments, out List<string> notes, bool onDemand = false)
        {
            // On demand both sides hold only the named users, so a "name unique among the unmatched" would be unique by
            // construction: never matched by name there.
            var matchBy = _options.NoNameMatch || onDemand ? new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username } : new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username, MatchKey.Name };
            CompareOptions Options(PlanOperation operations, ICollection<string> exclude) => new CompareOptions
            {
                UpdateMode = _options.UpdateMode,
                MatchBy = matchBy,
                Operation = operations,
                ExcludeProperty = exclude,
                DeleteAction = _options.DeleteAction,
                MappedFields = _options.MappedFields ?? _options.FieldMap?.MappedFields.ToList(),
                Scope = _options.Scope(departments),
            };
            bool excluding = _options.ExcludeProperty != null && _options.ExcludeProperty.Count > 0;
            if (!excluding)
            {
                var plan = DirectoryComparer.CompareUsers(authingUsers, wecomUsers, Options(Operations, null));
                notes = Notes(plan);
                return plan.Changes;
            }
            var rest = DirectoryComparer.CompareUsers(authingUsers, wecomUsers, Options(Operations & ~PlanOperation.Update, null));
            var updates = DirectoryComparer.CompareUsers(authingUsers, wecomUsers, Options(PlanOperation.Update, _options.ExcludeProperty));
            notes = Notes(rest);   // conflicts are already in the first plan
            return rest.Changes.Concat(updates.Changes.Where(c => c.Operation == ChangeOperation.Update)).ToList();
        }
    }
}
