using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// Sync-WeComDepartment and Sync-WeComUser: <see cref="ApiSyncCmdlet{T}"/> with the WeCom connection and the
    /// write-back of new WeCom ids into Authing's link fields.
    /// </summary>
    public abstract class WeComSyncCmdlet : ApiSyncCmdlet<WeComConnection>
    {
        /// <summary>Do not write new WeCom ids back to Authing's link fields.</summary>
        [Parameter]
        public SwitchParameter NoWriteBack { get; set; }

        /// <summary>Where the write-back goes; default: the session's Connect-Authing connection.</summary>
        [Parameter]
        public WeComSync.Authing.AuthingConnection AuthingConnection { get; set; }

        protected override string Service => "WeCom";
        protected override WeComConnection SessionConnection => WeComSession.Current;
        protected override string ConnectHint => WeComCmdlet.Hint;
        protected override ITraceable ClientOf(WeComConnection connection) => connection.Client;
        protected override object ErrorTarget(WeComConnection connection) => connection;

        protected abstract IChangeApplier CreateApplier(WeComConnection connection, WeComApplyOptions options);

        protected override System.Collections.Generic.IEnumerable<ITraceable> TracedClients(WeComConnection connection) =>
            new ITraceable[] { connection.Client, NoWriteBack ? null : (AuthingConnection ?? AuthingSession.Current)?.Client };

        protected override string TargetMismatch(WeComConnection connection)
        {
            var planned = PlannedTarget;
            var actual = connection.Describe();
            string differs = DirectoryInstance.Mismatch(planned, actual);
            if (differs != null) return $"The plan was computed against {planned}; this connection is {actual} ({differs}).";
            // New WeCom ids are written back to the Authing pool the plan read its wanted side from, not to another one.
            var source = PlannedSource;
            var authing = NoWriteBack ? null : AuthingConnection ?? AuthingSession.Current;
            if (source == null || authing == null || source.Service != DirectoryInstance.AuthingService) return null;
            var writeBack = authing.Describe(OrganizationCode);
            differs = DirectoryInstance.Mismatch(source, writeBack);
            return differs == null ? null : $"The plan was computed from {source}; the write-back connection is {writeBack} ({differs}).";
        }

        protected override IChangeApplier CreateApplier(WeComConnection connection)
        {
            var options = new WeComApplyOptions { Ids = connection.DepartmentIds, LinkWriter = NoWriteBack ? null : CreateLinkWriter() };
            ConfigureOptions(options);
            return CreateApplier(connection, options);
        }

        /// <summary>The write-back target, or null when there is none (no Authing connection, -NoWriteBack).</summary>
        protected virtual IWeComLinkWriter CreateLinkWriter()
        {
            var authing = AuthingConnection ?? AuthingSession.Current;
            if (authing == null)
            {
                WriteWarning("Not connected to Authing: new WeCom ids are not written back to Authing's link fields, so the next run cannot match on them. Run Connect-Authing first, or pass -NoWriteBack to silence this.");
                return null;
            }
            AuthingCmdlet.RequireLinkFields(this, Output, authing, Cancellation);
            return new AuthingLinkWriter(authing.Client, string.IsNullOrEmpty(OrganizationCode) ? authing.OrganizationCode : OrganizationCode);
        }

        protected virtual void ConfigureOptions(WeComApplyOptions options) { }
    }
}
