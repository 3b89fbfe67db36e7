using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.RunLog;
using WeComSync.Workflow;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Undoes a run from its log: the inverse plan of what it applied, applied like a forward run (ShouldProcess, the
    /// delete guard, the run log, exit codes) and logged as a run that names the run it undoes. The engine is
    /// <see cref="UndoRun"/>; this cmdlet finds the run and turns its parameters into options. -PlanOnly writes the
    /// inverse plan's changes instead (to review, Export-Clixml, or pipe to Sync-AuthingUser / Sync-WeComUser).
    /// </summary>
    [Cmdlet(VerbsCommon.Undo, "WeComSyncRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RunRecord), typeof(Change))]
    public sealed class UndoWeComSyncRunCommand : SyncRunCmdlet
    {
        private readonly List<(string Path, string Run)> _runs = new List<(string, string)>();

        /// <summary>The run to undo: its id, short id or a unique prefix; also from the pipeline (Get-WeComSyncLog's objects carry RunId).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RunIdCompleter))]
        public string Run { get; set; }

        /// <summary>The log folder (or the run folder). Defaults to $env:WECOMSYNC_LOG_PATH, else the current folder.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Path { get; set; }

        /// <summary>Only the run's changes of these operations (Create, Update, Move, Suspend, Delete).</summary>
        [Parameter]
        public ChangeOperation[] Operation { get; set; }

        /// <summary>Only the run's changes made in these steps ("users", "departments", "delete users" …, as Get-WeComSyncLog -Run lists them).</summary>
        [Parameter]
        public string[] Step { get; set; }

        /// <summary>Write the inverse plan's changes and apply nothing (no run is logged).</summary>
        [Parameter]
        public SwitchParameter PlanOnly { get; set; }

        /// <summary>The Authing connection; default: the session's (Connect-Authing).</summary>
        [Parameter]
        public AuthingConnection Connection { get; set; }

        /// <summary>The WeCom connection, for a downstream run; default: the session's (Connect-WeCom).</summary>
        [Parameter]
        public WeCom.WeComConnection WeComConnection { get; set; }

        protected override void ProcessRecord()
        {
            base.ProcessRecord();
            string path = Path ?? Environment.GetEnvironmentVariable("WECOMSYNC_LOG_PATH") ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            var entry = (SessionState.Path.GetUnresolvedProviderPathFromPSPath(path), Run);
            if (!_runs.Contains(entry)) _runs.Add(entry);   // Get-WeComSyncLog -Run x pipes each of its steps: one undo
        }

        protected override void EndProcessing()
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Department)) || MyInvocation.BoundParameters.ContainsKey(nameof(ExcludeDepartment)) || MyInvocation.BoundParameters.ContainsKey(nameof(OrganizationCode)))
            {
                ThrowTerminatingError(Errors.Create("UndoScopeNotSupported", ErrorCategory.InvalidArgument, null,
                    "An undo takes the organization and departments from the run's log: -Department, -ExcludeDepartment and -OrganizationCode do not apply.",
                    "Choose the part to undo with -UserId, -Operation or -Step."));
            }
            // Newest first: a later run's changes are undone before the earlier ones they built on.
            var runs = _runs.Select(r => Find(r.Path, r.Run)).Where(r => r != null).GroupBy(r => r.RunId).Select(g => g.First())
                .OrderByDescending(r => r.StartTime).ToList();
            foreach (var run in runs) Undo(run);
        }

        private RunRecord Find(string path, string id)
        {
            if (!Directory.Exists(path))
            {
                WriteError(Errors.Create("LogFolderNotFound", ErrorCategory.ObjectNotFound, path, $"The log folder '{path}' does not exist.",
                    "Give -Path the folder the sync wrote its logs to (its -LogPath)."));
                return null;
            }
            try
            {
                var run = RunLogReader.FindRun(path, id);
                if (run == null) WriteError(Errors.Create("RunNotFound", ErrorCategory.ObjectNotFound, id, $"No run '{id}' in '{path}'.", $"List the runs with: Get-WeComSyncLog -Path '{path}'"));
                return run;
            }
            catch (ArgumentException e)
            {
                WriteError(Errors.Create("AmbiguousRunId", ErrorCategory.InvalidArgument, id, e.Message, "Give the full run id, as Get-WeComSyncLog lists it."));
                return null;
            }
        }

        private void Undo(RunRecord run)
        {
            var options = Common(new UndoOptions
            {
                Run = run,
                Operations = Operation,
                Steps = Step,
                Force = Force,
                Authing = Connection ?? AuthingSession.Current,
                WeCom = WeComConnection ?? WeComSession.Current,
            });
            // The undo is logged beside the run it undoes unless told otherwise.
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(LogPath)) && run.Path != null) options.LogPath = System.IO.Path.GetDirectoryName(run.Path);
            var client = options.Authing?.Client;
            options.FieldMap = client == null ? null : Conversion.FieldMapInput.Resolve(this, FieldMap, FieldSide.Authing, client.Settings.FieldMap);
            var traced = new Http.ITraceable[] { options.Authing?.Client, options.WeCom?.Client };
            if (PlanOnly)
            {
                var output = new CmdletOutputWriter(this, default);
                try
                {
                    foreach (var step in UndoRun.Plan(options, output)) foreach (var change in step.Changes) WriteObject(change);
                }
                catch (SyncRunException e)
                {
                    ThrowTerminatingError(CmdletOutputWriter.ToRecord(e.Error));
                }
                finally
                {
                    output.Flush();
                }
                return;
            }
            Invoke(o => new UndoRun(options, o), traced);
        }
    }
}
