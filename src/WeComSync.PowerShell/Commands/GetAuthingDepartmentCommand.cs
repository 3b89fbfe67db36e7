using System.Management.Automation;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Reads an Authing organization's whole department tree (parents before children) as Department objects for
    /// Compare-Directory: Key = Authing departmentId, LinkId = the WeCom identity from the link field.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AuthingDepartment")]
    [OutputType(typeof(Department))]
    public sealed class GetAuthingDepartmentCommand : AuthingCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(OrganizationCodeCompleter))]
        public string OrganizationCode { get; set; }

        /// <summary>Leave the organization's root department out of the output.</summary>
        [Parameter]
        public SwitchParameter IgnoreRootDepartment { get; set; }

        /// <summary>The WeCom identity the root stands for (the export's top department path when it is mapped onto the root).</summary>
        [Parameter]
        public string RootLinkId { get; set; }

        protected override void ProcessRecord()
        {
            var connection = RequireConnection();
            var organization = RequireOrganization(connection, OrganizationCode);
            var map = Run(connection, ct => new AuthingDirectoryReader(connection.Client, Output).ReadDepartmentsAsync(organization, RootLinkId, ct));
            var from = connection.Describe(organization);   // a plan computed against these departments records it
            foreach (var department in map.ToDepartments(!IgnoreRootDepartment))
            {
                department.ReadFrom = from;
                if (department.IncompleteReason != null) WriteWarning(department.IncompleteReason);
                WriteObject(department);
            }
        }
    }
}
