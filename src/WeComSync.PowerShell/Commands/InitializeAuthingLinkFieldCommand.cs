using System.Linq;
using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Creates the extension fields that hold the WeCom identity (wechatwork_user_id and wechatwork_department_ids on
    /// users, wechatwork_department_id and wechatwork_parent_department_id on departments) and the custom data keys the
    /// field map writes (customData.position …) where they are missing.
    /// </summary>
    [Cmdlet(VerbsData.Initialize, "AuthingLinkField", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AuthingCustomFieldDto))]
    public sealed class InitializeAuthingLinkFieldCommand : AuthingCmdlet
    {
        /// <summary>A field map whose custom data keys are created too, on top of the connection's (Connect-Authing -FieldMap).</summary>
        [Parameter]
        public object FieldMap { get; set; }

        protected override void EndProcessing()
        {
            var connection = RequireConnection();
            var fieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, Model.FieldSide.Authing, connection.Client.Settings.FieldMap);
            var missing = Run(connection, ct => AuthingLinkFields.MissingAsync(connection.Client, ct, fieldMap));
            if (missing.Count == 0)
            {
                WriteVerbose("All link fields and the field map's custom data keys exist; nothing to create.");
                return;
            }
            var approved = missing.Where(f => ShouldProcess($"{f.TargetType.ToLowerInvariant()} field {f.Key} in Authing pool {connection.UserPoolId}", "Create extension field")).ToList();
            if (approved.Count == 0) return;
            Run(connection, async ct => { await connection.Client.SetCustomFieldsAsync(approved, ct).ConfigureAwait(false); return true; });
            foreach (var field in approved) WriteObject(field);
        }
    }
}
