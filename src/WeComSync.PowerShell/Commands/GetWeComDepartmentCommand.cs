using System.Management.Automation;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>Reads WeCom's department tree: ids always (department/simplelist), names where the app may read them.</summary>
    [Cmdlet(VerbsCommon.Get, "WeComDepartment")]
    [OutputType(typeof(Department))]
    public sealed class GetWeComDepartmentCommand : WeComCmdlet
    {
        /// <summary>Leave out the root department (id 1, the company).</summary>
        [Parameter]
        public SwitchParameter IgnoreRootDepartment { get; set; }

        protected override void EndProcessing()
        {
            var connection = RequireConnection();
            var reader = new WeComReader(connection.Client, Output);
            var departments = Run(connection, reader.ReadDepartmentsAsync);
            var from = connection.Describe();   // a plan computed against these departments records it
            foreach (var d in departments)
            {
                if (IgnoreRootDepartment && d.IsRoot) continue;
                d.ReadFrom = from;
                WriteObject(d);
            }
        }
    }
}
