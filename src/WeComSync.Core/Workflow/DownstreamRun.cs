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
            ApplyStep("users", userPlan, () =>
            {
                var options = ApplyOptions();
                options.ExcludeProperty = new HashSet<string>(_options.ExcludeProperty ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
                options.InviteNewMember = _options.InviteNewMember;
                options.FieldMap = _options.FieldMap;
                return new WeComUserApplier(_wecom.Client, options);
            }, notes);

            // 3. Department deletes last, children first: WeCom deletes only empty departments. Suspended members stay
            //    in their departments, so a Suspend run deletes no department.
            if (_options.Delete && _options.DeleteAction == DeleteAction.Delete)
                ApplyStep("delete departments", departmentDeletes, () => new WeComDepartmentApplier(_wecom.Client, ApplyOptions()));
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
        private List<Change> PlanUsers(List<User> authingUsers, List<User> wecomUsers, List<Department> departments, out List<string> notes)
        {
            var matchBy = _options.NoNameMatch ? new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username } : new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username, MatchKey.Name };
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
