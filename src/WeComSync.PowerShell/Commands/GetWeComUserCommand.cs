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
    [Cmdlet(VerbsCommon.Get, "WeComUser")]
    [OutputType(typeof(User))]
    public sealed class GetWeComUserCommand : WeComCmdlet
    {
        /// <summary>Most detail reads at once (user/list per department): an optional ceiling; without it the number adapts to the service.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        /// <summary>Where WeCom keeps the user fields for this call, on top of the connection's (Connect-WeCom -FieldMap).</summary>
        [Parameter]
        public object FieldMap { get; set; }

        protected override void EndProcessing()
        {
            var connection = RequireConnection();
            var fieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, FieldSide.WeCom, connection.Client.FieldMap);
            var reader = new WeComReader(connection.Client) { Parallelism = ThrottleLimit, FieldMap = fieldMap };
            var users = Run(connection, ct => reader.ReadUsersAsync(ct), "Reading WeCom users", reader.Progress);
            while (reader.Notes.TryDequeue(out var note)) WriteWarning(note);
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
