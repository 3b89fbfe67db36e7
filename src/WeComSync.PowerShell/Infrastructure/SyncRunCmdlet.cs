using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using System.Threading;
using WeComSync.Apply;
using WeComSync.Http;
using WeComSync.RunLog;
using WeComSync.Workflow;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// Invoke-WeComUpstreamSync and Invoke-WeComDownstreamSync: the parameters both share, and running an engine
    /// <see cref="SyncRun"/> the way a scheduled script relies on: per-object errors are written and never stop the run
    /// (whatever the caller's error preference, which only decides whether they are shown); a run-level failure is the
    /// cmdlet's one terminating error, after the run's one summary; -FailOnError ends the calling script too.
    /// </summary>
    public abstract class SyncRunCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private bool _yesToAll, _noToAll;

        [Parameter]
        [ArgumentCompleter(typeof(OrganizationCodeCompleter))]
        public string OrganizationCode { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(UserFieldCompleter))]
        public string[] ExcludeProperty { get; set; }

        [Parameter]
        public object FieldMap { get; set; }

        [Parameter]
        public string[] Department { get; set; }

        [Parameter]
        public string[] ExcludeDepartment { get; set; }

        [Parameter]
        public Model.DeleteAction DeleteAction { get; set; } = Model.DeleteAction.Delete;

        [Parameter]
        public string LogPath { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxDelete { get; set; } = DeleteGuard.DefaultMaxDelete;

        [Parameter]
        [ValidateRange(0, 100)]
        public double MaxDeletePercent { get; set; } = DeleteGuard.DefaultMaxDeletePercent;

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter MaskPersonalData { get; set; }

        [Parameter]
        public SwitchParameter FailOnError { get; set; }

        /// <summary>
        /// Only these users (WeCom userids), each read by itself, with the departments it needs; also from the pipeline:
        /// objects with a UserId property (Get-AuthingUser, Get-WeComUser, Import-WeComAddressBook), run once at the end.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull, AllowEmptyCollection]
        public string[] UserId { get; set; }

        private readonly List<string> _userIds = new List<string>();
        private bool _onDemand;

        /// <summary>Collects the userids given and piped; the run itself happens once, in EndProcessing.</summary>
        protected override void ProcessRecord()
        {
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(UserId))) return;
            _onDemand = true;
            // A piped user without a userid (an Authing user not linked yet has none): nothing to sync; counted and said
            // once, so that "3 piped, 2 synced" is never a silent gap.
            var ids = (UserId ?? Array.Empty<string>()).Where(u => !string.IsNullOrWhiteSpace(u)).ToList();
            if (ids.Count == 0) _withoutUserId++;
            _userIds.AddRange(ids);
        }

        private int _withoutUserId;

        /// <summary>The warning for piped objects that carried no userid, or null.</summary>
        private string WithoutUserIdWarning() => _withoutUserId == 0 ? null
            : $"{_withoutUserId} piped object(s) had no UserId (an Authing user not linked to WeCom yet has none): not synced. Name them with -UserId <their WeCom userid>.";

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>-WhatIf, given or inherited from the caller's $WhatIfPreference.</summary>
        protected bool WhatIfRun
        {
            get
            {
                if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)) return given is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(given);
                return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            }
        }

        /// <summary>The options both runs share, from the parameters.</summary>
        protected T Common<T>(T options) where T : SyncRunOptions
        {
            options.LogPath = string.IsNullOrEmpty(LogPath) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath);
            options.Parameters = LoggedParameters();
            options.MaskPersonalData = MaskPersonalData;
            options.WhatIf = WhatIfRun;
            options.ThrottleLimit = ThrottleLimit;
            options.DeleteGuard = new DeleteGuard { MaxDelete = MaxDelete, MaxDeletePercent = MaxDeletePercent, Force = Force };
            options.Department = Department;
            options.ExcludeDepartment = ExcludeDepartment;
            options.ExcludeProperty = ExcludeProperty;
            options.DeleteAction = DeleteAction;
            options.UserIds = _onDemand ? _userIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList() : null;
            if (_onDemand) options.Parameters[nameof(UserId)] = string.Join(", ", options.UserIds);
            string withoutId = WithoutUserIdWarning();
            if (withoutId != null) WriteWarning(withoutId);
            return options;
        }

        /// <summary>
        /// Runs the engine here, on the pipeline thread, and writes its one summary; a run-level failure becomes this
        /// cmdlet's terminating error (its ErrorId the cause's), Ctrl+C a stopped pipeline after saying so.
        /// </summary>
        /// <param name="confirmEachDelete">Ask before each delete unless -Confirm was given (a delete-only run, as Sync-*User's High impact did).</param>
        protected void Invoke(Func<IOutputWriter, SyncRun> create, IEnumerable<ITraceable> clients, bool confirmEachDelete = false)
        {
            KeepObjectErrorsFromStopping();
            bool confirm = confirmEachDelete && !MyInvocation.BoundParameters.ContainsKey("Confirm")
                && !Equals(GetVariableValue("ConfirmPreference"), ConfirmImpact.None);
            var output = new CmdletOutputWriter(this, _stop.Token, 1, confirm ? ConfirmEach : (Func<string, string, bool>)null);
            var traces = clients.Where(c => c != null).Distinct().Select(output.Trace).ToList();
            RunRecord record;
            try
            {
                record = create(output).Run();
            }
            catch (SyncRunException e)
            {
                output.Flush();
                if (Stopping) throw new PipelineStoppedException();
                WriteSummary(e.Record);
                ThrowTerminatingError(CmdletOutputWriter.ToRecord(e.Error));
                return;
            }
            finally
            {
                foreach (var trace in traces) trace.Dispose();
            }
            if (record.Status == RunStatus.Interrupted)
            {
                // Nothing can be written to a stopped pipeline; the host can still be told.
                try { Host.UI.WriteWarningLine($"{MyInvocation.MyCommand.Name} interrupted: {record.Message} Run {record.ShortId}: {record.Created} created, {record.Updated} updated, {record.Deleted} deleted, {record.Unknown} unknown."); }
                catch (Exception) { /* a host that cannot write any more */ }
                throw new PipelineStoppedException();
            }
            WriteSummary(record);
            if (FailOnError && record.ExitCode != ExitCodes.Success) ThrowScriptTerminating(record);
        }

        private bool ConfirmEach(string target, string action)
        {
            if (!ShouldProcess(target, action)) return false;
            return ShouldContinue($"{action} {target}?", "Confirm", ref _yesToAll, ref _noToAll);
        }

        private void WriteSummary(RunRecord record)
        {
            var summary = PSObject.AsPSObject(record);
            // A dry run's summary has a view of its own: what would be done, not "Created 0".
            if (record.WhatIf) summary.TypeNames.Insert(0, typeof(RunRecord).FullName + "#WhatIf");
            WriteObject(summary);
        }

        /// <summary>
        /// -FailOnError: an error that ends the calling script too (a statement-terminating one would let
        /// 'pwsh -File sync.ps1' carry on and exit 0), its TargetObject the summary.
        /// </summary>
        private static void ThrowScriptTerminating(RunRecord record)
        {
            var error = SyncRun.NotSucceeded(record);
            var category = record.Status == RunStatus.Stopped ? ErrorCategory.OperationStopped : ErrorCategory.InvalidResult;
            var errorRecord = Errors.Create(error.ErrorId, category, record, error.Message, error.RecommendedAction);
            throw new RuntimeException(error.Message, null, errorRecord) { WasThrownFromThrowStatement = true };
        }

        /// <summary>
        /// Per-object errors (bad rows, failed objects) never stop a run, whatever the caller's preference
        /// ($ErrorActionPreference = 'Stop' in a scheduled script, -ErrorAction Stop): they are counted in the summary and
        /// the run log, and the run goes on. The preference only decides whether they are shown: SilentlyContinue and
        /// Ignore hide them, anything else shows them. A run-level failure is a terminating error either way.
        /// </summary>
        private void KeepObjectErrorsFromStopping()
        {
            object given = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var bound) ? bound : GetVariableValue("ErrorActionPreference");
            ActionPreference preference = given is ActionPreference p ? p
                : Enum.TryParse(Convert.ToString(given), true, out ActionPreference parsed) ? parsed : ActionPreference.Continue;
            if (preference == ActionPreference.SilentlyContinue || preference == ActionPreference.Ignore || preference == ActionPreference.Continue) return;
            // The command runtime's error action is what WriteError consults; PowerShell offers no public setter.
            var property = CommandRuntime?.GetType().GetProperty("ErrorAction", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            try { property?.SetValue(CommandRuntime, ActionPreference.Continue); }
            catch (TargetInvocationException) { }
        }

        /// <summary>The parameters as text for the run's summary: no secrets, credentials, script blocks or connections.</summary>
        private IDictionary LoggedParameters()
        {
            var parameters = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in MyInvocation.BoundParameters)
            {
                var value = pair.Value is PSObject pso ? pso.BaseObject : pair.Value;
                if (value is SecureString || value is PSCredential || value is ScriptBlock || value is Authing.AuthingConnection || value is WeCom.WeComConnection) continue;
                if (value is SwitchParameter s) value = s.IsPresent;
                parameters[pair.Key] = value;
            }
            return parameters;
        }
    }
}
