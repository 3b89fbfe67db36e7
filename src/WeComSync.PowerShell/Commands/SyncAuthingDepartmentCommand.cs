using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Applies department changes to an Authing organization: parents first (children use the ids their parents got
    /// earlier in the same run), deletes children first, link fields written with every change.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "AuthingDepartment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Result))]
    public sealed class SyncAuthingDepartmentCommand : AuthingSyncCmdlet
    {
        protected override ObjectKind Kind => ObjectKind.Department;

        protected override IChangeApplier CreateApplier(AuthingConnection connection, string organizationCode) =>
            new AuthingDepartmentApplier(connection.Client, organizationCode, RootLinkId);
    }
}
