using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Applies user changes to Authing: creates in batches of up to 50 (username = WeCom userid, link fields, departments
    /// with the main one first), updates with only the changed fields, deletes in batches; a create that meets an
    /// existing unlinked user links and updates it.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "AuthingUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Result))]
    public sealed class SyncAuthingUserCommand : AuthingSyncCmdlet
    {
        protected override ObjectKind Kind => ObjectKind.User;

        /// <summary>Where Authing keeps the user fields for this call, on top of the connection's (Connect-Authing -FieldMap).</summary>
        [Parameter]
        public object FieldMap { get; set; }

        protected override IChangeApplier CreateApplier(AuthingConnection connection, string organizationCode) =>
            new AuthingUserApplier(connection.Client, organizationCode, RootLinkId)
            {
                FieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, FieldSide.Authing, connection.Client.Settings.FieldMap),
            };
    }
}
