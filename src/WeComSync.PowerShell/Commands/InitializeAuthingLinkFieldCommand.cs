using System.Linq;
using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Creates the extension fields that hold the WeCom identity (wechatwork_user_id and wechatwork_department_ids on
    /// users, wechatwork_department_id and wechatwork_parent_department_id on departments) where they are missing.
    /// </summary>
    [Cmdlet(VerbsData.Initialize, "AuthingLinkField", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AuthingCustomFieldDto))]
    public sealed class InitializeAuthingLinkFieldCommand : AuthingCmdlet
    {
        protected override void EndProcessing()
        {
            var connection = RequireConnection();
            var missing = Run(connection, ct => AuthingLinkFields.MissingAsync(connection.Client, ct), "Reading Authing custom fields");
            if (missing.Count == 0)
            {
                WriteVerbose("All four link fields exist; nothing to create.");
                return;
            }
            var approved = missing.Where(f => ShouldProcess($"{f.TargetType.ToLowerInvariant()} field {f.Key} in Authing pool {connection.UserPoolId}", "Create extension field")).ToList();
            if (approved.Count == 0) return;
            Run(connection, async ct => { await connection.Client.SetCustomFieldsAsync(approved, ct).ConfigureAwait(false); return true; }, "Creating Authing link fields");
            foreach (var field in approved) WriteObject(field);
        }
    }
}
