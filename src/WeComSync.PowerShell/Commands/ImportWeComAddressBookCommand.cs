using System.Collections.Generic;
using System.Management.Automation;
using WeComSync.AddressBook;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Reads the member export of the WeCom admin console: users, or with -Department the department tree.</summary>
    [Cmdlet(VerbsData.Import, "WeComAddressBook", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(User), typeof(Department))]
    public sealed class ImportWeComAddressBookCommand : PSCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int BatchSize = 256;

        // Bad rows (errors with the row as target), warnings, progress and the closing summary (Verbose), from the reader.
        private readonly CmdletOutputWriter _output;

        public ImportWeComAddressBookCommand()
        {
            _output = new CmdletOutputWriter(this, System.Threading.CancellationToken.None);
        }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        [Parameter]
        public SwitchParameter Department { get; set; }

        [Parameter]
        [AllowEmptyCollection]
        [ArgumentCompleter(typeof(SheetCompleter))]
        public string[] Sheet { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int StartRow { get; set; }

        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int EndRow { get; set; } = -1;

        [Parameter]
        public SwitchParameter Strict { get; set; }

        /// <summary>
        /// A file older than this by its own timestamp (docProps/core.xml, else the file's write time) gets a warning:
        /// its members are not current. Default: the upstream cadence, two days; 0 turns the check off.
        /// </summary>
        [Parameter]
        public System.TimeSpan MaxAge { get; set; } = ExportTimestamp.RecommendedCadence;

        protected override void ProcessRecord()
        {
            foreach (string file in ResolveFiles())
            {
                var options = new AddressBookReadOptions
                {
                    Sheets = Sheet,
                    StartRow = MyInvocation.BoundParameters.ContainsKey(nameof(StartRow)) ? StartRow : (int?)null,
                    EndRow = EndRow,
                    Strict = Strict,
                };
                var reader = new AddressBookReader(options, _output);
                var stale = ExportTimestamp.StaleWarning(file, MaxAge, System.DateTimeOffset.Now);
                if (stale != null) WriteWarning(stale);
                try
                {
                    if (Department) WriteObject(reader.ReadDepartments(file), enumerateCollection: true);
                    else
                    {
                        // Small batches: one WriteObject call per user costs PowerShell more than reading the row did.
                        var batch = new List<User>(BatchSize);
                        foreach (var user in reader.ReadUsers(file))
                        {
                            batch.Add(user);
                            if (batch.Count == BatchSize) { WriteObject(batch, enumerateCollection: true); batch.Clear(); }
                        }
                        WriteObject(batch, enumerateCollection: true);
                    }
                }
                catch (AddressBookException ex)
                {
                    var p = ex.Problem;
                    ThrowTerminatingError(Errors.Create(p.Code, Errors.CategoryOf(p.Kind), (object)p.Row ?? file, ex.Message, ex.InnerException));
                }
            }
        }

        private IEnumerable<string> ResolveFiles()
        {
            foreach (string p in ParameterSetName == LiteralPathSet ? LiteralPath : Path)
            {
                var resolved = new List<string>();
                try
                {
                    if (ParameterSetName == LiteralPathSet) resolved.Add(GetUnresolvedProviderPathFromPSPath(p));
                    else resolved.AddRange(GetResolvedProviderPathFromPSPath(p, out _));
                }
                catch (ItemNotFoundException) { }
                resolved.RemoveAll(r => !System.IO.File.Exists(r));
                if (resolved.Count == 0)
                    WriteError(Errors.Create(ProblemCodes.FileNotFound, ErrorCategory.ObjectNotFound, p, $"Cannot find the export file '{p}'. Check the path (a folder is not a file), or use -LiteralPath for names with [ ] characters."));
                foreach (string r in resolved) yield return r;
            }
        }

    }
}
