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

        protected override ObjectKind Kind => ObjectKind.User;

        protected override void ConfigureOptions(WeComApplyOptions options)
        {
            options.ExcludeProperty = new HashSet<string>(ExcludeProperty ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
        }

        protected override IChangeApplier CreateApplier(WeComConnection connection, WeComApplyOptions options) =>
            new WeComUserApplier(connection.Client, options);
    }
}
