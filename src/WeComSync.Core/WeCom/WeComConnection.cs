using System;
using System.Net.Http;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// A session's link to one WeCom corp: the client (token cache, transport) and the department ids created in this
    /// session. What Connect-WeCom keeps and -Connection takes; it shows the corp, mode and host, never the secret.
    /// </summary>
    public sealed class WeComConnection : IDisposable
    {
        public WeComConnection(WeComConnectionSettings settings, HttpMessageHandler handler = null)
        {
            Client = new WeComClient(settings, handler);
            ConnectedAt = DateTimeOffset.Now;
        }

        public string CorpId => Client.CorpId;
        public WeComAppMode AppMode => Client.AppMode;
        public Uri ApiHost => Client.ApiHost;
        public DateTimeOffset ConnectedAt { get; }

        public WeComClient Client { get; }

        /// <summary>WeCom ids of departments created in this session, by source key (see <see cref="WeComIdMap"/>).</summary>
        public WeComIdMap DepartmentIds { get; } = new WeComIdMap();

        /// <summary>This connection's directory, as plans record it.</summary>
        public DirectoryInstance Describe() => new DirectoryInstance
        {
            Service = DirectoryInstance.WeComService, Host = ApiHost?.ToString(), CorpId = CorpId, ReadAt = DateTimeOffset.Now,
        };

        public override string ToString() => $"WeCom {CorpId} ({AppMode}) at {ApiHost}";

        public void Dispose() => Client.Dispose();
    }
}
