using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Http;
using WeComSync.Model;

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

        protected abstract IChangeApplier CreateApplier(AuthingConnection connection, string organizationCode);

        protected override string TargetMismatch(AuthingConnection connection)
        {
            var planned = PlannedTarget;
            if (planned == null) return null;
            // The pool is known once a token was fetched; fetch one so that a plan for another pool is caught.
            if (connection.UserPoolId == null && planned.UserPoolId != null) Run(connection, ct => connection.Client.GetTokenAsync(ct));
            var actual = connection.Describe(OrganizationCode);
            string differs = Model.DirectoryInstance.Mismatch(planned, actual);
            return differs == null ? null : $"The plan was computed against {planned}; this connection is {actual} ({differs}).";
        }

        protected override IChangeApplier CreateApplier(AuthingConnection connection)
        {
            string organization = AuthingCmdlet.RequireOrganization(this, connection, OrganizationCode);
            AuthingCmdlet.RequireLinkFields(this, Output, connection, Cancellation);
            return CreateApplier(connection, organization);
        }
    }
}
