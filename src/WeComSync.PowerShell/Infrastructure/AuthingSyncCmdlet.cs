using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>Sync-AuthingDepartment and Sync-AuthingUser: <see cref="ApiSyncCmdlet{T}"/> with the Authing connection and organization.</summary>
    public abstract class AuthingSyncCmdlet : ApiSyncCmdlet<AuthingConnection>
    {
        /// <summary>The WeCom identity the organization's root stands for (the export's top department, when it is mapped onto the root).</summary>
        [Parameter]
        public string RootLinkId { get; set; }

        protected override string Service => "Authing";
        protected override AuthingConnection SessionConnection => AuthingSession.Current;
        protected override string ConnectHint => AuthingCmdlet.Hint;
        protected override ITraceable ClientOf(AuthingConnection connection) => connection.Client;
        protected override ErrorRecord ToError(ApiException e, AuthingConnection connection) => AuthingCmdlet.ToError(e);

        protected abstract IChangeApplier CreateApplier(AuthingConnection connection, string organizationCode);

        protected override IChangeApplier CreateApplier(AuthingConnection connection)
        {
            string organization = AuthingCmdlet.RequireOrganization(this, connection, OrganizationCode);
            AuthingCmdlet.RequireLinkFields(this, connection, Cancellation);
            return CreateApplier(connection, organization);
        }
    }
}
