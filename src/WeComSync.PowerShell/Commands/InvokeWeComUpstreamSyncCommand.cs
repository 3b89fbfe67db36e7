using System.Management.Automation;
using WeComSync.AddressBook;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.RunLog;
using WeComSync.Workflow;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Makes Authing match the address book exported from the WeCom admin console: departments, then users; or, with
    /// -Mode DeleteOnly, removes the users absent from the file. The workflow is <see cref="UpstreamRun"/>; this cmdlet
    /// turns its parameters into options and its outcome into the summary and errors.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "WeComUpstreamSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RunRecord))]
    public sealed class InvokeWeComUpstreamSyncCommand : SyncRunCmdlet
    {
        /// <summary>The export file (.xlsx as exported, also .xls and .csv), or a folder: its newest export.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("LiteralPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        public UpstreamMode Mode { get; set; } = UpstreamMode.CreateUpdate;

        [Parameter]
        [ArgumentCompleter(typeof(SheetCompleter))]
        public string[] Sheet { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int StartRow { get; set; }

        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int EndRow { get; set; } = -1;

        [Parameter]
        public SwitchParameter IgnoreRootDepartment { get; set; }

        [Parameter]
        public UpdateMode UpdateMode { get; set; } = UpdateMode.Changed;

        /// <summary>The Authing connection; default: the session's (Connect-Authing).</summary>
        [Parameter]
        public AuthingConnection Connection { get; set; }

        /// <summary>DeleteOnly: the WeCom connection whose member list the deletes are checked against; default: the session's (Connect-WeCom).</summary>
        [Parameter]
        public WeCom.WeComConnection WeComConnection { get; set; }

        /// <summary>A file older than this by its own timestamp gets one warning (as Import-WeComAddressBook -MaxAge); 0: no check.</summary>
        [Parameter]
        public System.TimeSpan MaxExportAge { get; set; } = ExportTimestamp.RecommendedCadence;

        protected override void EndProcessing()
        {
            var connection = Connection ?? AuthingSession.Current;
            if (connection == null)
            {
                ThrowTerminatingError(Errors.Create("AuthingNotConnected", ErrorCategory.ConnectionError, null, "Not connected to Authing.", AuthingCmdlet.Hint));
            }
            var options = Common(new UpstreamOptions
            {
                Path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path),
                OrganizationCode = AuthingCmdlet.RequireOrganization(this, connection, OrganizationCode),
                Mode = Mode,
                IgnoreRootDepartment = IgnoreRootDepartment,
                UpdateMode = UpdateMode,
                MaxExportAge = MaxExportAge,
                WeComConnection = Mode == UpstreamMode.DeleteOnly ? WeComConnection ?? WeComSession.Current : null,
                FieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, Model.FieldSide.Authing, connection.Client.Settings.FieldMap),
                Read = new AddressBookReadOptions
                {
                    Sheets = Sheet,
                    StartRow = MyInvocation.BoundParameters.ContainsKey(nameof(StartRow)) ? StartRow : (int?)null,
                    EndRow = EndRow,
                },
            });
            var traced = options.WeComConnection == null ? new Http.ITraceable[] { connection.Client } : new Http.ITraceable[] { connection.Client, options.WeComConnection.Client };
            Invoke(output => new UpstreamRun(connection, options, output), traced, confirmEachDelete: Mode == UpstreamMode.DeleteOnly);
        }
    }
}
