using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WeComSync.Model;
using WeComSync.PowerShell.Conversion;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.Report;
using WeComSync.RunLog;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Writes one self-contained HTML report of a plan (changes from Compare-Directory, saved or not, and the results of
    /// Sync-*) or of runs (Get-WeComSyncLog, or -Path a run or log folder): summary, searchable table, department tree, history.
    /// </summary>
    [Cmdlet(VerbsData.Export, "WeComSyncReport", SupportsShouldProcess = true, DefaultParameterSetName = InputSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportWeComSyncReportCommand : PSCmdlet
    {
        private const string InputSet = "Input", PathSet = "Path";
        private const string DeserializedPrefix = "Deserialized.";

        private readonly List<Change> _changes = new List<Change>();
        private readonly List<Result> _results = new List<Result>();
        private readonly List<RunRecord> _runs = new List<RunRecord>();
        private int _leftOut;

        /// <summary>Plan changes, Sync-* results, or runs from Get-WeComSyncLog; live or read back with Import-Clixml.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        [AllowNull]
        [AllowEmptyCollection]
        public object InputObject { get; set; }

        /// <summary>A run folder, or a log folder whose every run goes in the report.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Alias("LogPath")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>The HTML file to write.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("OutputPath")]
        [ValidateNotNullOrEmpty]
        public string OutFile { get; set; }

        /// <summary>Hide most of every mobile number and email address (a run log written masked is masked anyway).</summary>
        [Parameter]
        public SwitchParameter MaskPersonalData { get; set; }

        [Parameter]
        public string Title { get; set; }

        /// <summary>Do not overwrite an existing file.</summary>
        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        /// <summary>Output the report file.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                foreach (var path in Path) AddRunsFrom(path);
                return;
            }
            var raw = ModelConverter.Unwrap(InputObject, out _);
            if (raw is IEnumerable items && !(raw is string) && !(raw is IDictionary) && !(raw is PSObject))
                foreach (var item in items) Add(item);
            else Add(InputObject);
        }

        private void Add(object item)
        {
            if (item == null) return;
            var raw = ModelConverter.Unwrap(item, out var pso);
            try
            {
                switch (raw)
                {
                    case Change change: _changes.Add(change); return;
                    case Result result: _results.Add(result); return;
                    case RunRecord run: AddRun(run.Path, run); return;
                    case ResultRecord _:
                    case StepRecord _:
                        throw new ArgumentException($"A {raw.GetType().Name} is one line of a run, not the run.");
                }
                string type = pso?.TypeNames.FirstOrDefault(t => t.StartsWith(DeserializedPrefix, StringComparison.Ordinal));
                if (type == DeserializedPrefix + typeof(RunRecord).FullName) { AddRun(ModelConverter.Str(pso.Properties["Path"]?.Value), item); return; }
                if (type == DeserializedPrefix + typeof(Result).FullName || (pso?.Properties["Outcome"] != null && pso.Properties["Change"] != null))
                {
                    _results.Add(ModelConverter.ToResult(item));
                    return;
                }
                _changes.Add(ModelConverter.ToChange(item));
            }
            catch (ArgumentException e)
            {
                _leftOut++;
                WriteError(Errors.Create("InvalidReportInput", ErrorCategory.InvalidArgument, item, e.Message + " It was left out of the report.",
                    "Pipe plan changes (Compare-Directory, or Import-Clixml of a saved plan), Sync-* results, or the runs Get-WeComSyncLog lists (without -Run, -Failed or -UserId)."));
            }
        }

        private void AddRunsFrom(string path)
        {
            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!Directory.Exists(full))
            {
                WriteError(Errors.Create("LogFolderNotFound", ErrorCategory.ObjectNotFound, path, $"The log folder '{full}' does not exist.",
                    "Give -Path a run folder or the folder the sync wrote its logs to (its -LogPath)."));
                return;
            }
            var runs = RunLogReader.GetRuns(full).ToList();
            if (runs.Count == 0)
                WriteError(Errors.Create("NoRunsFound", ErrorCategory.ObjectNotFound, path, $"'{full}' holds no run folders.",
                    "Give -Path a run folder (it holds summary.json and results.jsonl) or the folder the sync wrote its logs to."));
            _runs.AddRange(runs);
        }

        private void AddRun(string path, object item)
        {
            if (string.IsNullOrEmpty(path) || !RunLogReader.IsRunFolder(path))
            {
                _leftOut++;
                WriteError(Errors.Create("RunFolderNotFound", ErrorCategory.ObjectNotFound, item,
                    $"The run's folder '{path}' is missing (a run kept in memory only has none), so its results cannot be read. It was left out of the report.",
                    "Run the sync with -LogPath, then read its runs with Get-WeComSyncLog."));
                return;
            }
            _runs.Add(RunLogReader.ReadRun(path));
        }

        protected override void EndProcessing()
        {
            if (_runs.Count > 0 && (_changes.Count > 0 || _results.Count > 0))
            {
                ThrowTerminatingError(Errors.Create("MixedReportInput", ErrorCategory.InvalidArgument, null,
                    "The input mixes runs with plan changes or results; a report is of a plan or of runs.",
                    "Export a report of the plan and another of the runs."));
            }
            // Nothing usable came (the errors said why): no report rather than one that says the sides agree.
            if (_runs.Count + _changes.Count + _results.Count == 0 && (ParameterSetName == PathSet || _leftOut > 0)) return;

            string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
            string folder = System.IO.Path.GetDirectoryName(file);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                ThrowTerminatingError(Errors.Create("OutFileFolderNotFound", ErrorCategory.ObjectNotFound, OutFile,
                    $"The folder '{folder}' does not exist.", "Create the folder first, or give -OutFile a path in an existing folder."));
            }
            if (NoClobber && File.Exists(file))
            {
                ThrowTerminatingError(Errors.Create("OutFileExists", ErrorCategory.ResourceExists, OutFile,
                    $"'{file}' exists and -NoClobber was given.", "Give another -OutFile, or leave out -NoClobber to overwrite it."));
            }

            string what = _runs.Count > 0 ? $"report of {_runs.Count} run(s)" : $"report of {_changes.Count + _results.Count} change(s)";
            if (!ShouldProcess(file, "Write " + what)) return;

            var options = new ReportOptions { MaskPersonalData = MaskPersonalData, Title = Title };
            var report = _runs.Count > 0 ? SyncReportBuilder.FromRuns(_runs, options) : SyncReportBuilder.FromPlan(_changes, _results, options);
            try
            {
                SyncReportHtml.Write(report, file);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(Errors.Create("OutFileNotWritten", ErrorCategory.WriteError, OutFile, $"The report could not be written to '{file}': {e.Message}",
                    "Check that the folder is writable and the file is not open elsewhere."));
            }
            WriteVerbose($"Wrote {what} to {file}.");
            if (PassThru) WriteObject(new FileInfo(file));
        }
    }
}
