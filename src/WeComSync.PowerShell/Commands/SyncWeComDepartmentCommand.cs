using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Applies department changes to WeCom: parents first (children created in the same run get their parent's new
    /// id), deletes children first and only when empty. New ids are written back to Authing's link fields.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "WeComDepartment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Result))]
    public sealed class SyncWeComDepartmentCommand : WeComSyncCmdlet
    {
        protected override ObjectKind Kind => ObjectKind.Department;

        protected override IChangeApplier CreateApplier(WeComConnection connection, WeComApplyOptions options) =>
            new WeComDepartmentApplier(connection.Client, options);
    }
}
