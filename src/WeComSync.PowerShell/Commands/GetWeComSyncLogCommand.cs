using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.RunLog;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Reads run logs back: the runs (newest first), one run's steps and the objects it left for a person (conflicts:
    /// a duplicate 账号, an ambiguous match; in a dry run and a real one alike), the failed objects, one user's history.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WeComSyncLog", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(RunRecord), ParameterSetName = new[] { ListSet })]
    [OutputType(typeof(StepRecord), typeof(NeedHumanRecord), ParameterSetName = new[] { RunSet })]
    [OutputType(typeof(ResultRecord), ParameterSetName = new[] { FailedSet, UserSet })]
    public sealed class GetWeComSyncLogCommand : PSCmdlet
    {
        private const string ListSet = "List", RunSet = "Run", FailedSet = "Failed", UserSet = "User";

        /// <summary>The log folder (the runs' parent) or one run folder. Defaults to $env:WECOMSYNC_LOG_PATH, else the current folder.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("LogPath", "FullName")]
        public string Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RunSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = FailedSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = UserSet, ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RunIdCompleter))]
        public string Run { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = FailedSet)]
        public SwitchParameter Failed { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UserSet)]
        [ValidateNotNullOrEmpty]
        public string UserId { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = FailedSet)]
        [Parameter(ParameterSetName = UserSet)]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = FailedSet)]
        [Parameter(ParameterSetName = UserSet)]
        [SupportsWildcards]
        public string Name { get; set; }

        protected override void ProcessRecord()
        {
            string path = Path ?? Environment.GetEnvironmentVariable("WECOMSYNC_LOG_PATH") ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!Directory.Exists(path))
            {
                WriteError(Errors.Create("LogFolderNotFound", ErrorCategory.ObjectNotFound, path,
                    $"The log folder '{path}' does not exist.", "Give -Path the folder the sync wrote its logs to (the -LogPath of Invoke-WeComUpstreamSync or Invoke-WeComDownstreamSync)."));
                return;
            }

            var runs = RunLogReader.GetRuns(path).AsEnumerable();
            if (Run != null)
            {
                RunRecord run;
                try { run = RunLogReader.FindRun(path, Run); }
                catch (ArgumentException e)
                {
                    WriteError(Errors.Create("AmbiguousRunId", ErrorCategory.InvalidArgument, Run, e.Message, "Give the full run id, as Get-WeComSyncLog lists it."));
                    return;
                }
                if (run == null)
                {
                    WriteError(Errors.Create("RunNotFound", ErrorCategory.ObjectNotFound, Run,
                        $"No run '{Run}' in '{path}'.", $"List the runs with: Get-WeComSyncLog -Path '{path}'"));
                    return;
                }
                runs = new[] { run };
            }
            if (Name != null)
            {
                var pattern = new WildcardPattern(Name, WildcardOptions.IgnoreCase);
                runs = runs.Where(r => pattern.IsMatch(r.Name ?? ""));
            }
            if (Last > 0) runs = runs.Take(Last);

            switch (ParameterSetName)
            {
                case RunSet:
                    var one = runs.Single();
                    WriteEach(one.Steps);
                    // What "N user(s) need a human" named: each object, who and why, after the steps.
                    WriteEach(RunLogReader.GetNeedHuman(one));
                    break;
                case FailedSet: WriteEach(RunLogReader.GetFailed(runs)); break;
                case UserSet: WriteEach(RunLogReader.GetUserHistory(runs, UserId)); break;
                default: WriteEach(runs); break;
            }
        }

        private void WriteEach<T>(System.Collections.Generic.IEnumerable<T> items)
        {
            foreach (var item in items) WriteObject(item);
        }
    }
}
