using System;
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
        protected override ErrorRecord ToError(ApiException e, AuthingConnection connection) => ToError(e);

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

        /// <summary>Runs core work with a one-line status for the progress bar.</summary>
        protected T Run<T>(AuthingConnection connection, Func<CancellationToken, Task<T>> work, string activity, Func<string> status) =>
            Run(connection, work, activity, status == null ? null : (Func<(string, int)>)(() => (status(), -1)));

        internal static ErrorRecord ToError(ApiException e)
        {
            return Errors.Create("Authing" + ErrorIdPart(e.Code), Errors.CategoryOf(e), e.Endpoint, Redaction.Redact(e.Message), e.RecommendedAction, e);
        }
    }
}
