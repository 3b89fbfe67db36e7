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
        protected override object ErrorTarget(WeComConnection connection) => connection;
    }
}
