using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.PowerShell.Conversion;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Compares a desired side with a current side of users or departments and emits the plan: ordered Change objects.</summary>
    [Cmdlet(VerbsData.Compare, "Directory")]
    [OutputType(typeof(Change))]
    public sealed class CompareDirectoryCommand : PSCmdlet
    {
        // Lists bound to -DifferenceObject are kept, not copied; pipeline objects are gathered.
        private readonly InputObjects _difference = new InputObjects();

        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Source")]
        [AllowEmptyCollection]
        [AllowNull]
        public object ReferenceObject { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [Alias("Target")]
        [AllowEmptyCollection]
        [AllowNull]
        public object DifferenceObject { get; set; }

        /// <summary>Users of the reference side, so a renamed department is recognised by its members.</summary>
        [Parameter] public object[] ReferenceUser { get; set; }

        [Parameter] public object[] DifferenceUser { get; set; }

        [Parameter, ArgumentCompleter(typeof(UserFieldCompleter))] public string[] Property { get; set; }

        [Parameter, ArgumentCompleter(typeof(UserFieldCompleter))] public string[] ExcludeProperty { get; set; }

        [Parameter] public UpdateMode UpdateMode { get; set; } = UpdateMode.Changed;

        /// <summary>
        /// The operations to plan, any a plan holds: Create, Update, Move, Delete, Conflict. Moves come with Update (a
        /// move is an update of the parent) and conflicts with any of Create/Update/Delete, as they always have;
        /// -Operation Move and/or Conflict alone gives only those.
        /// </summary>
        [Parameter] public ChangeOperation[] Operation { get; set; } = { ChangeOperation.Create, ChangeOperation.Update };

        [Parameter] public MatchKey[] MatchBy { get; set; } = { MatchKey.LinkKey, MatchKey.Username };

        /// <summary>Only these departments (paths or ids), subtrees included: nothing outside is created, updated or deleted.</summary>
        [Parameter] public string[] Department { get; set; }

        /// <summary>Departments (paths or ids) whose subtrees are out of scope, even inside -Department.</summary>
        [Parameter] public string[] ExcludeDepartment { get; set; }

        /// <summary>In a user comparison: the departments (either side's) against which -Department and -ExcludeDepartment ids resolve into subtrees.</summary>
        [Parameter] public object[] ScopeDepartment { get; set; }

        /// <summary>What a planned user delete does: Delete, or Suspend (Authing status Suspended, WeCom enable 0).</summary>
        [Parameter] public DeleteAction DeleteAction { get; set; } = DeleteAction.Delete;

        /// <summary>
        /// Fields mapped besides the model's (@{ '工号' = 'externalId' }, or a .psd1/.json path): their sources are compared
        /// too. Default: the sources mapped on the session's Connect-Authing and Connect-WeCom connections.
        /// </summary>
        [Parameter] public object FieldMap { get; set; }

        /// <summary>
        /// User deletes and suspends are checked against WeCom's own member list (user/list_id) first: a user WeCom still
        /// lists is never deleted (each is reported); more than a few such users, or a list that could not be read, refuse
        /// every delete. Checks with -WeComConnection, else the session's Connect-WeCom; without either it says once that
        /// the deletes were not checked.
        /// </summary>
        [Parameter] public SwitchParameter CrossCheckWeCom { get; set; }

        /// <summary>The WeCom connection for -CrossCheckWeCom; default: the session's (Connect-WeCom).</summary>
        [Parameter] public WeCom.WeComConnection WeComConnection { get; set; }

        private readonly System.Threading.CancellationTokenSource _stop = new System.Threading.CancellationTokenSource();

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>What the inputs are, when it cannot be told from them (both sides empty or plain rows).</summary>
        [Parameter] public ObjectKind? ObjectType { get; set; }

        protected override void ProcessRecord()
        {
            // Typed as object, not object[]: binding a 100 000-element array to object[] copies it element by element.
            _difference.Add(DifferenceObject);
        }

        protected override void EndProcessing()
        {
            var reference = new InputObjects().Add(ReferenceObject);
            var kind = ObjectType ?? ModelConverter.KindOf(reference.FirstNonNull()) ?? ModelConverter.KindOf(_difference.FirstNonNull());
            if (kind == null)
            {
                if (reference.Count == 0 && _difference.Count == 0) { WriteNoChanges(); return; } // nothing on either side: an empty plan
                ThrowTerminatingError(Errors.Create("UnknownObjectType", ErrorCategory.InvalidType, reference.First() ?? _difference.First(),
                    "Compare-Directory cannot tell whether the inputs are users or departments.",
                    "Pass users (UserId/Username properties) or departments (Key/Path properties), or say which with -ObjectType User|Department."));
            }

            bool verbose = MyInvocation.BoundParameters.ContainsKey("Verbose") || !Equals(GetVariableValue("VerbosePreference"), ActionPreference.SilentlyContinue);
            var options = new CompareOptions
            {
                Property = Property, ExcludeProperty = ExcludeProperty, UpdateMode = UpdateMode, MatchBy = MatchBy,
                Operation = PlannerOperations(Operation), DeleteAction = DeleteAction,
                Output = verbose ? new CmdletOutputWriter(this, System.Threading.CancellationToken.None) : null,
            };

            Plan plan;
            try
            {
                options.MappedFields = FieldMap != null ? Conversion.FieldMapInput.MappedSources(FieldMap, SessionState)
                    : (AuthingSession.Current?.Client.Settings.FieldMap?.MappedFields ?? Enumerable.Empty<string>())
                        .Concat(WeComSession.Current?.Client.FieldMap?.MappedFields ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
                if (Department != null || ExcludeDepartment != null)
                {
                    options.Scope = new DepartmentScope { Include = Department ?? new string[0], Exclude = ExcludeDepartment ?? new string[0] };
                    if (ScopeDepartment != null) options.Scope.Departments = Convert(new InputObjects().Add(ScopeDepartment), ModelConverter.ToDepartment, "ScopeDepartment");
                }
                if (kind == ObjectKind.User)
                {
                    var source = Convert(reference, ModelConverter.ToUser, "ReferenceObject");
                    var target = Convert(_difference, ModelConverter.ToUser, "DifferenceObject");
                    plan = DirectoryComparer.CompareUsers(source, target, GuardDeletes(options));
                    if (CrossCheckWeCom || WeComConnection != null) plan = CrossChecked(plan);
                }
                else
                {
                    var source = Convert(reference, ModelConverter.ToDepartment, "ReferenceObject");
                    var target = Convert(_difference, ModelConverter.ToDepartment, "DifferenceObject");
                    var sourceUsers = ReferenceUser == null ? null : Convert(new InputObjects().Add(ReferenceUser), ModelConverter.ToUser, "ReferenceUser");
                    var targetUsers = DifferenceUser == null ? null : Convert(new InputObjects().Add(DifferenceUser), ModelConverter.ToUser, "DifferenceUser");
                    plan = DirectoryComparer.CompareDepartments(source, target, GuardDeletes(options), sourceUsers, targetUsers);
                }
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Errors.Create("InvalidCompareParameter", ErrorCategory.InvalidArgument, null, ex.Message, ex));
                return;
            }

            // Rows refused at comparison (a 账号 that lost its leading zeros) and a plan refused as a whole (several top departments).
            foreach (var error in plan.Errors) WriteError(CmdletOutputWriter.ToRecord(error));
            if (plan.Refusal != null) WriteError(CmdletOutputWriter.ToRecord(plan.Refusal));
            if (plan.DeleteRefusedReason != null)
            {
                WriteError(Errors.Create("DeleteRefusedIncompleteRead", ErrorCategory.InvalidData, plan.DeleteRefusedBy, plan.DeleteRefusedReason,
                    plan.DeleteRefusedAdvice));
            }
            if (plan.Context.ConflictCount > 0)
                WriteWarning($"{plan.Context.ConflictCount} {kind.ToString().ToLowerInvariant()}(s) need a human: ambiguous matches or duplicates are reported as Conflict changes and never applied.");
            if (plan.Context.KeptSuspendedCount > 0) WriteWarning(plan.Context.KeptSuspendedWarning());
            if (plan.Context.OutOfScopeMembershipCount > 0) WriteWarning(plan.Context.OutOfScopeMembershipNote());
            if (plan.Context.TooDeepCount > 0) WriteWarning(plan.Context.TooDeepWarning());
            WriteVerbose(plan.Summary);
            var changes = plan.Changes.Where(c => Wanted(c.Operation, Operation)).ToList();
            if (changes.Count == 0) WriteNoChanges();
            foreach (var change in changes) WriteObject(change);
        }

        // An empty plan prints nothing at all; say so, as the plan view's header would (shown like Write-Host: not
        // output, silenced by -InformationAction Ignore or 6>$null).
        private void WriteNoChanges() => WriteInformation(new HostInformationMessage { Message = "No changes." }, new[] { "PSHOST" });

        /// <summary>What the planner is asked for: Move rides on Update; Move or Conflict alone still needs matching (Create, Update).</summary>
        internal static PlanOperation PlannerOperations(IEnumerable<ChangeOperation> asked)
        {
            PlanOperation ops = 0;
            foreach (var op in asked)
            {
                switch (op)
                {
                    case ChangeOperation.Create: ops |= PlanOperation.Create; break;
                    case ChangeOperation.Update:
                    case ChangeOperation.Move: ops |= PlanOperation.Update; break;
                    case ChangeOperation.Delete: ops |= PlanOperation.Delete; break;
                }
            }
            return ops == 0 ? PlanOperation.Create | PlanOperation.Update : ops;
        }

        internal static bool Wanted(ChangeOperation operation, ChangeOperation[] asked)
        {
            // Any of Create/Update/Delete: the plan as the planner made it (moves with updates, conflicts, suspends).
            if (asked.Any(a => a == ChangeOperation.Create || a == ChangeOperation.Update || a == ChangeOperation.Delete)) return true;
            return asked.Contains(operation);   // -Operation Move and/or Conflict alone: only those
        }

        /// <summary>-CrossCheckWeCom: the plan's user deletes checked against WeCom's member list (Core's DeleteCrossCheck).</summary>
        private Plan CrossChecked(Plan plan)
        {
            if (plan.DeleteRefusedReason != null || !plan.Changes.Any(c => c.Operation.Removes())) return plan;
            var connection = WeComConnection ?? WeComSession.Current;
            if (connection == null)
            {
                WriteWarning(DeleteCrossCheck.NotCrossCheckedWarning);
                return plan;
            }
            var output = new CmdletOutputWriter(this, _stop.Token);
            WeCom.WeComMemberIds members;
            var trace = output.Trace(connection.Client);
            try
            {
                var task = System.Threading.Tasks.Task.Run(() => DeleteCrossCheck.ReadMembersAsync(connection.Client, output, _stop.Token));
                while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(200)) output.Flush();
                members = task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { throw new PipelineStoppedException(); }
            finally { trace.Dispose(); output.Flush(); }
            WriteVerbose($"Deletes checked against {members}.");
            var checkedPlan = DeleteCrossCheck.Apply(plan, members);
            foreach (var warning in checkedPlan.Warnings) WriteWarning(warning);
            return checkedPlan.Plan;
        }

        private bool _inputLeftOut;

        /// <summary>An input left out is a side read incompletely: no deletes from such a comparison.</summary>
        private CompareOptions GuardDeletes(CompareOptions options)
        {
            if (_inputLeftOut && (options.Operation & PlanOperation.Delete) != 0)
            {
                options.Operation &= ~PlanOperation.Delete;
                WriteError(Errors.Create("DeleteRefusedInvalidInput", ErrorCategory.InvalidData, null,
                    "Deletes were refused: some input objects could not be read and were left out, so their counterparts would look deleted.",
                    "Fix the objects named in the errors above and compare again."));
            }
            return options;
        }

        private List<T> Convert<T>(InputObjects items, Func<object, T> convert, string parameter) where T : class =>
            items.Convert(convert, (item, index, ex) =>
            {
                _inputLeftOut = true;
                WriteError(Errors.Create("InvalidDirectoryObject", ErrorCategory.InvalidData, item,
                    $"-{parameter} item {index}: {ex.Message} It was left out of the comparison.", ex));
            });
    }
}
