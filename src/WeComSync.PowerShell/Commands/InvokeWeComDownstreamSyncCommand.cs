using System.Linq;
using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.RunLog;
using WeComSync.WeCom;
using WeComSync.Workflow;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Makes WeCom follow an Authing organization: departments (parents first), then users; new WeCom ids written back
    /// to Authing. The workflow is <see cref="DownstreamRun"/>; this cmdlet turns its parameters into options and its
    /// outcome into the summary and errors.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "WeComDownstreamSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RunRecord))]
    public sealed class InvokeWeComDownstreamSyncCommand : SyncRunCmdlet
    {
        [Parameter]
        public UpdateMode UpdateMode { get; set; } = UpdateMode.None;

        [Parameter]
        public SwitchParameter InviteNewMember { get; set; }

        [Parameter]
        public SwitchParameter Delete { get; set; }

        [Parameter]
        public SwitchParameter NoNameMatch { get; set; }

        /// <summary>The Authing connection; default: the session's (Connect-Authing).</summary>
        [Parameter]
        public AuthingConnection AuthingConnection { get; set; }

        /// <summary>The WeCom connection; default: the session's (Connect-WeCom).</summary>
        [Parameter]
        public WeComConnection WeComConnection { get; set; }

        protected override void EndProcessing()
        {
            var authing = AuthingConnection ?? AuthingSession.Current;
            if (authing == null)
                ThrowTerminatingError(Errors.Create("AuthingNotConnected", ErrorCategory.ConnectionError, null, "Not connected to Authing.", AuthingCmdlet.Hint));
            var wecom = WeComConnection ?? WeComSession.Current;
            if (wecom == null)
                ThrowTerminatingError(Errors.Create("WeComNotConnected", ErrorCategory.ConnectionError, null, "Not connected to WeCom.", WeComCmdlet.Hint));
            var fieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, Model.FieldSide.WeCom, wecom.Client.FieldMap);
            var options = Common(new DownstreamOptions
            {
                OrganizationCode = AuthingCmdlet.RequireOrganization(this, authing, OrganizationCode),
                UpdateMode = UpdateMode,
                Delete = Delete,
                InviteNewMember = InviteNewMember,
                NoNameMatch = NoNameMatch,
                FieldMap = fieldMap,
                // What is compared besides the model's fields: the given map's sources, else both connections' (as Compare-Directory).
                MappedFields = FieldMap != null ? Conversion.FieldMapInput.MappedSources(FieldMap, SessionState)
                    : (authing.Client.Settings.FieldMap?.MappedFields ?? Enumerable.Empty<string>())
                        .Concat(wecom.Client.FieldMap?.MappedFields ?? Enumerable.Empty<string>()).Distinct(System.StringComparer.Ordinal).ToList(),
            });
            Invoke(output => new DownstreamRun(authing, wecom, options, output), new Http.ITraceable[] { wecom.Client, authing.Client });
        }
    }
}
