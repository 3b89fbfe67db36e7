using System.Management.Automation;
using WeComSync.Model;
using WeComSync.PowerShell.Conversion;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Shows the effective field mapping, defaults included: every built-in field and every mapped one, with the export
    /// columns that hold it and where Authing and WeCom keep it. The maps are the session's connections' (Connect-Authing
    /// -FieldMap, Connect-WeCom -FieldMap) with -AuthingFieldMap / -WeComFieldMap on top, as the sync cmdlets would use them.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WeComSyncFieldMap")]
    [OutputType(typeof(FieldMapRow))]
    public sealed class GetWeComSyncFieldMapCommand : PSCmdlet
    {
        /// <summary>An Authing field map (hashtable or .psd1/.json path) on top of the session connection's.</summary>
        [Parameter(Position = 0)]
        public object AuthingFieldMap { get; set; }

        /// <summary>A WeCom field map (hashtable or .psd1/.json path) on top of the session connection's.</summary>
        [Parameter(Position = 1)]
        public object WeComFieldMap { get; set; }

        /// <summary>Only this field (model name, export header or mapped source).</summary>
        [Parameter]
        public string Field { get; set; }

        protected override void EndProcessing()
        {
            var authing = FieldMapInput.Resolve(this, AuthingFieldMap, FieldSide.Authing, AuthingSession.Current?.Client.Settings.FieldMap);
            var weCom = FieldMapInput.Resolve(this, WeComFieldMap, FieldSide.WeCom, WeComSession.Current?.Client.FieldMap);
            var name = Field == null ? null : UserFieldRegistry.FindByHeader(Field)?.Name ?? Field;
            foreach (var row in FieldMapRow.Of(authing, weCom))
                if (name == null || string.Equals(row.Field, name, System.StringComparison.OrdinalIgnoreCase)) WriteObject(row);
        }
    }
}
