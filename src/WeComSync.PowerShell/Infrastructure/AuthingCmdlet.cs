using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Authing;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>The session's current Authing connection (Connect-Authing sets it, Disconnect-Authing clears it).</summary>
    internal static class AuthingSession
    {
        private static AuthingConnection _current;
        public static AuthingConnection Current { get => Volatile.Read(ref _current); set => Volatile.Write(ref _current, value); }
    }

    /// <summary>The Authing cmdlets: the shared connection handling of <see cref="ApiCmdlet{T}"/> plus the default organization.</summary>
    public abstract class AuthingCmdlet : ApiCmdlet<AuthingConnection>
    {
        protected override string Service => "Authing";
        protected override AuthingConnection SessionConnection => AuthingSession.Current;
        internal const string Hint = "Run Connect-Authing -Credential <access key id and secret> first, or pass -Connection.";

        protected override string ConnectHint => Hint;
        protected override ITraceable ClientOf(AuthingConnection connection) => connection.Client;

        /// <summary>The organization to work on: the parameter, else the connection's default; stops with a clear error when neither.</summary>
        protected string RequireOrganization(AuthingConnection connection, string organizationCode) => RequireOrganization(this, connection, organizationCode);

        internal static string RequireOrganization(Cmdlet cmdlet, AuthingConnection connection, string organizationCode)
        {
            var code = string.IsNullOrEmpty(organizationCode) ? connection.OrganizationCode : organizationCode;
            if (string.IsNullOrEmpty(code))
            {
                cmdlet.ThrowTerminatingError(Errors.Create("AuthingNoOrganization", ErrorCategory.InvalidArgument, null,
                    "No Authing organization given.", "Pass -OrganizationCode, or set a default with Connect-Authing -OrganizationCode."));
            }
            return code;
        }

        // Pools already found to have the link fields (one read per connection and session, not per Sync-* call).
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AuthingClient, object> LinkFieldsFound =
            new System.Runtime.CompilerServices.ConditionalWeakTable<AuthingClient, object>();

        /// <summary>
        /// Stops <paramref name="cmdlet"/> before any write when the pool lacks the link fields (Initialize-AuthingLinkField
        /// not run): without them every department would fail with a 400 and then every user with "department does not exist".
        /// </summary>
        internal static void RequireLinkFields(Cmdlet cmdlet, CmdletOutputWriter output, AuthingConnection connection, CancellationToken ct)
        {
            if (LinkFieldsFound.TryGetValue(connection.Client, out _)) return;
            System.Collections.Generic.List<AuthingCustomFieldDto> missing;
            var trace = output.Trace(connection.Client);
            try
            {
                missing = Task.Run(() => AuthingLinkFields.MissingAsync(connection.Client, ct), ct).GetAwaiter().GetResult();
            }
            catch (ApiException e)
            {
                cmdlet.ThrowTerminatingError(Errors.FromApi(e));
                return;
            }
            finally
            {
                trace.Dispose();
                output.Flush();
            }
            if (missing.Count == 0)
            {
                LinkFieldsFound.GetValue(connection.Client, _ => new object());
                return;
            }
            cmdlet.ThrowTerminatingError(CmdletOutputWriter.ToRecord(AuthingLinkFields.MissingError(connection.Client, missing, connection)));
        }
    }
}
