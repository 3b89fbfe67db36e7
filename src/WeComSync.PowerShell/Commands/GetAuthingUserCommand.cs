using System;
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
        /// <summary>
        /// Only the users with these WeCom userids (the link field wechatwork_user_id): Get-AuthingUser lisi. The identity
        /// is the first positional parameter, as in Get-ADUser and Get-MgUser.
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "UserId", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] UserId { get; set; }

        /// <summary>Only the users with these Authing usernames (one get-user each).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Username")]
        [ValidateNotNullOrEmpty]
        public string[] Username { get; set; }

        /// <summary>Only members of this organization (default: the connection's organization); departments are shown as its link ids.</summary>
        [Parameter(ParameterSetName = "Organization", ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = "UserId")]
        [Parameter(ParameterSetName = "Username")]
        [ArgumentCompleter(typeof(OrganizationCodeCompleter))]
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
            if (ParameterSetName == "Username")
            {
                var mapper = new AuthingUserMapper(connection.Client.Settings, Conversion.FieldMapInput.Resolve(this, FieldMap, Model.FieldSide.Authing, connection.Client.Settings.FieldMap));
                foreach (string name in Username)
                {
                    var user = Run(connection, async ct =>
                    {
                        var dto = await connection.Client.GetUserAsync(name, "username", ct).ConfigureAwait(false);
                        if (dto == null) return null;
                        var map = organization == null ? null : await new AuthingDirectoryReader(connection.Client, Output).ReadDepartmentsAsync(organization, RootLinkId, ct).ConfigureAwait(false);
                        return mapper.ToModel(dto, map);
                    });
                    if (user != null) { user.ReadFrom = connection.Describe(organization); WriteObject(user); }
                    else WriteError(NotFound(name, "username"));
                }
                return;
            }
            if (ParameterSetName == "UserId")
            {
                foreach (string id in UserId)
                {
                    var found = Read(connection, organization, Where(new System.Collections.Hashtable { [connection.Client.Settings.LinkFields.UserId] = id }));
                    if (found.Count == 0) WriteError(NotFound(id, "WeCom userid (" + connection.Client.Settings.LinkFields.UserId + ")"));
                    WriteObject(found, true);
                }
                return;
            }
            var users = Read(connection, organization, Where(Filter));
            WriteObject(users, true);
        }

        private static JArray Where(System.Collections.Hashtable fields)
        {
            if (fields == null || fields.Count == 0) return null;
            var filter = new JArray();
            foreach (System.Collections.DictionaryEntry e in fields)
                filter.Add(new JObject { ["field"] = e.Key.ToString(), ["operator"] = "EQUAL", ["value"] = e.Value?.ToString() });
            return filter;
        }

        private ErrorRecord NotFound(string value, string what) => Errors.Create("AuthingUserNotFound", ErrorCategory.ObjectNotFound, value,
            $"Authing has no user with {what} '{value}'" + (OrganizationCode != null ? $" in organization {OrganizationCode}." : "."),
            "Check the value, or list the users with Get-AuthingUser.");

        private System.Collections.Generic.List<User> Read(WeComSync.Authing.AuthingConnection connection, string organization, JArray filter)
        {
            var fieldMap = Conversion.FieldMapInput.Resolve(this, FieldMap, Model.FieldSide.Authing, connection.Client.Settings.FieldMap);
            var reader = new AuthingDirectoryReader(connection.Client, Output) { Parallelism = ThrottleLimit, FieldMap = fieldMap };
            var read = Run(connection, async ct =>
            {
                var map = organization == null ? null : await reader.ReadDepartmentsAsync(organization, RootLinkId, ct).ConfigureAwait(false);
                return await reader.ReadUsersAsync(map, filter, ct).ConfigureAwait(false);
            });
            foreach (var failure in read.FailedPages)
                WriteError(Errors.FromApi(failure));
            var from = connection.Describe(organization);   // a plan computed against these users records it
            foreach (var u in read.Users) u.ReadFrom = from;
            return read.Users;
        }
    }
}
