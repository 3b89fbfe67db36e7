using System.Management.Automation;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.PowerShell.Infrastructure;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Reads the users of an Authing pool (all pages of 50, with custom data and departments), or only the members of one
    /// organization, as User objects for Compare-Directory. A failed page is an error and marks every user incomplete,
    /// so no comparison plans deletes from the partial list.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AuthingUser", DefaultParameterSetName = "Organization")]
    [OutputType(typeof(User))]
    public sealed class GetAuthingUserCommand : AuthingCmdlet
    {
        /// <summary>Only members of this organization (default: the connection's organization).</summary>
        [Parameter(Position = 0, ParameterSetName = "Organization", ValueFromPipelineByPropertyName = true)]
        public string OrganizationCode { get; set; }

        /// <summary>Every user of the pool, in any organization or none.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Pool")]
        public SwitchParameter AllUsers { get; set; }

        /// <summary>Only users whose custom field has this value: @{ wechatwork_user_id = 'zhangsan' }.</summary>
        [Parameter]
        public System.Collections.Hashtable Filter { get; set; }

        /// <summary>The WeCom identity the organization's root stands for (see Get-AuthingDepartment).</summary>
        [Parameter]
        public string RootLinkId { get; set; }

        /// <summary>Where Authing keeps the user fields for this call, on top of the connection's (Connect-Authing -FieldMap).</summary>
        [Parameter]
        public object FieldMap { get; set; }

        /// <summary>Most pages read at once: an optional ceiling; without it the number adapts to the service.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        protected override void ProcessRecord()
        {
            var connection = RequireConnection();
            string organization = AllUsers ? null : connection.OrganizationCode == null && string.IsNullOrEmpty(OrganizationCode) ? null : RequireOrganization(connection, OrganizationCode);
            JArray filter = null;
            if (Filter != null && Filter.Count > 0)
            {
                filter = new JArray();
                foreach (System.Collections.DictionaryEntry e in Filter)
                    filter.Add(new JObject { ["field"] = e.Key.ToString(), ["operator"] = "EQUAL", ["value"] = e.Value?.ToString() });
            }
            var fieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, Model.FieldSide.Authing, connection.Client.Settings.FieldMap);
            int done = 0, total = 0;
            var read = Run(connection, async ct =>
            {
                var reader = new AuthingDirectoryReader(connection.Client) { Parallelism = ThrottleLimit, FieldMap = fieldMap };
                var map = organization == null ? null : await reader.ReadDepartmentsAsync(organization, RootLinkId, ct).ConfigureAwait(false);
                return await reader.ReadUsersAsync(map, filter, ct, (d, t) => { done = d; total = t; }).ConfigureAwait(false);
            }, "Reading Authing users", () => total == 0 ? "first page" : $"page {done} of {total}");
            foreach (var failure in read.FailedPages)
                WriteError(AuthingCmdlet.ToError(failure));
            var from = connection.Describe(organization);   // a plan computed against these users records it
            foreach (var u in read.Users) u.ReadFrom = from;
            WriteObject(read.Users, true);
        }
    }
}
