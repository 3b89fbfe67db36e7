using System.Linq;
using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Checks a connection: token, reading users, reading the organization, write permission, the four link fields.
    /// One row per check, each failed one saying what to do; -Quiet returns only whether all passed.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "AuthingConnection")]
    [OutputType(typeof(AuthingCheck), typeof(bool))]
    public sealed class TestAuthingConnectionCommand : AuthingCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(OrganizationCodeCompleter))]
        public string OrganizationCode { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            var connection = RequireConnection();
            var organization = string.IsNullOrEmpty(OrganizationCode) ? connection.OrganizationCode : OrganizationCode;
            var checks = Run(connection, ct => AuthingConnectionTest.RunAsync(connection.Client, organization, ct));
            if (Quiet)
            {
                WriteObject(checks.All(c => c.Passed));
                return;
            }
            foreach (var check in checks)
            {
                WriteObject(check);
                if (!check.Passed) WriteWarning($"{check.Check}: {check.Message} {check.RecommendedAction}");
            }
        }
    }
}
