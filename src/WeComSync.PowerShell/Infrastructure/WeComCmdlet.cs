using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>The session's current WeCom connection (Connect-WeCom sets it, Disconnect-WeCom clears it).</summary>
    internal static class WeComSession
    {
        private static WeComConnection _current;
        public static WeComConnection Current { get => Volatile.Read(ref _current); set => Volatile.Write(ref _current, value); }
    }

    /// <summary>The WeCom cmdlets: the shared connection handling of <see cref="ApiCmdlet{T}"/> with WeCom's explained errors.</summary>
    public abstract class WeComCmdlet : ApiCmdlet<WeComConnection>
    {
        internal const string Hint = "Run Connect-WeCom -CorpId <corp id> -Secret <secret> first, or pass -Connection.";

        protected override string Service => "WeCom";
        protected override WeComConnection SessionConnection => WeComSession.Current;
        protected override string ConnectHint => Hint;
        protected override ITraceable ClientOf(WeComConnection connection) => connection.Client;
        protected override ErrorRecord ToError(ApiException e, WeComConnection connection) => ToError(e, (object)connection);

        internal static ErrorRecord ToError(ApiException e, object target)
        {
            string action = e.RecommendedAction;
            // A block the run did not wait out: when it lifts, unless the advice already says so.
            if (e.RetryAt.HasValue && (action == null || action.IndexOf("Run it again after", StringComparison.Ordinal) < 0))
                action = (action + $" Run it again after {e.RetryAt.Value.ToLocalTime():HH:mm:ss}.").Trim();
            return Errors.Create("WeComApi" + ErrorIdPart(e.Code), Errors.CategoryOf(e), target, e.Summary, action, e);
        }
    }
}
