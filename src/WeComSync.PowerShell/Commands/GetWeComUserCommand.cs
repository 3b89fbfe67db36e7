using System.Management.Automation;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Reads WeCom's members: user/list_id (cursor paging, one user with all departments) or user/simplelist, then
    /// details per department where the app may read them. Fields WeCom withholds are unknown ($null), never empty.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WeComUser", DefaultParameterSetName = "All")]
    [OutputType(typeof(User))]
    public sealed class GetWeComUserCommand : WeComCmdlet
    {
        /// <summary>Only these members, each with one user/get (the identity first, as in Get-ADUser): Get-WeComUser lisi.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Identity", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] UserId { get; set; }

        /// <summary>Most detail reads at once (user/list per department): an optional ceiling; without it the number adapts to the service.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        /// <summary>Where WeCom keeps the user fields for this call, on top of the connection's (Connect-WeCom -FieldMap).</summary>
        [Parameter]
        public object FieldMap { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != "Identity") return;
            var connection = RequireConnection();
            var reader = new WeComReader(connection.Client, Output) { FieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, FieldSide.WeCom, connection.Client.FieldMap) };
            foreach (string id in UserId)
            {
                var user = Run(connection, ct => reader.ReadUserAsync(id, ct));
                if (user != null) { WriteObject(user); continue; }
                var (message, action) = reader.NotFound(id); // 60111 proves absence only to an app that sees the whole corp
                WriteError(Errors.Create("WeComUserNotFound", ErrorCategory.ObjectNotFound, id, message, action));
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == "Identity") return;
            var connection = RequireConnection();
            var fieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, FieldSide.WeCom, connection.Client.FieldMap);
            var reader = new WeComReader(connection.Client, Output) { Parallelism = ThrottleLimit, FieldMap = fieldMap };
            var users = Run(connection, ct => reader.ReadUsersAsync(ct));
            int incomplete = 0;
            var from = connection.Describe();   // a plan computed against these users records it
            foreach (var u in users)
            {
                u.ReadFrom = from;
                if (u.IncompleteReason != null) incomplete++;
                WriteObject(u);
            }
            if (incomplete > 0) WriteWarning($"{incomplete} user(s) come from an incomplete read; no comparison will plan deletes from them.");
        }
    }
}
