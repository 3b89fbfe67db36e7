using System;
using System.Collections.Generic;
using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Applies user changes to WeCom: creates (userid = Authing's link field, else the username), updates with only
    /// the planned fields and never an excluded one, deletes through user/batchdelete. New userids are written back
    /// to Authing's link fields.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "WeComUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Result))]
    public sealed class SyncWeComUserCommand : WeComSyncCmdlet
    {
        /// <summary>Fields an update never writes (e.g. Mobile, Email), whatever the plan says.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(UserFieldCompleter))]
        public string[] ExcludeProperty { get; set; }

        /// <summary>Let WeCom invite the members this creates (WeChat notice, SMS or email). Off by default: a sync invites no one.</summary>
        [Parameter]
        public SwitchParameter InviteNewMember { get; set; }

        protected override ObjectKind Kind => ObjectKind.User;

        /// <summary>Where WeCom keeps the user fields for this call, on top of the connection's (Connect-WeCom -FieldMap).</summary>
        [Parameter]
        public object FieldMap { get; set; }

        protected override void ConfigureOptions(WeComApplyOptions options)
        {
            options.ExcludeProperty = new HashSet<string>(ExcludeProperty ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            options.InviteNewMember = InviteNewMember.IsPresent;
        }

        protected override IChangeApplier CreateApplier(WeComConnection connection, WeComApplyOptions options)
        {
            options.FieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, FieldSide.WeCom, connection.Client.FieldMap);
            return new WeComUserApplier(connection.Client, options);
        }
    }
}
