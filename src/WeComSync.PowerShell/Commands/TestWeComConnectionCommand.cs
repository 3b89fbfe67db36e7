using System.Linq;
using System.Management.Automation;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Checks token, id lists, detail reads and write permission; each failed check says what to fix.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "WeComConnection")]
    [OutputType(typeof(WeComConnectionCheck), typeof(bool))]
    public sealed class TestWeComConnectionCommand : WeComCmdlet
    {
        /// <summary>Return only $true when every check passed, else $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            var connection = RequireConnection();
            var checks = Run(connection, ct => WeComConnectionTest.RunAsync(connection.Client, ct));
            if (Quiet) { WriteObject(checks.All(c => c.Passed)); return; }
            foreach (var check in checks)
            {
                WriteObject(check);
                if (!check.Passed) WriteWarning($"{check.Check}: {check.Code} {check.Message} {check.RecommendedAction}".TrimEnd());
            }
        }
    }
}
