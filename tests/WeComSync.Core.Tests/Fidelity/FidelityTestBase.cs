using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Authing;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>
    /// End-to-end tests of live-service behaviours (issue 11) over real HTTP against the in-process emulator: each
    /// models one documented behaviour of WeCom or Authing that the clients must handle. docs/ServiceFacts.md lists
    /// the behaviours with their sources.
    /// </summary>
    public abstract class FidelityTestBase : IAsyncLifetime
    {
        protected EmulatorServer Emulator { get; private set; }
        private readonly HttpClient _control = new HttpClient();

        public virtual async Task InitializeAsync() => Emulator = await EmulatorServer.StartAsync();

        public virtual async Task DisposeAsync()
        {
            _control.Dispose();
            await Emulator.DisposeAsync();
        }

        protected async Task ControlAsync(string path, string json)
        {
            var r = await _control.PostAsync(new Uri(Emulator.BaseUrl, "_emulator/" + path), new StringContent(json, Encoding.UTF8, "application/json"));
            var body = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, body);
        }

        protected static RetryOptions FastRetry() => new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) };

        protected WeComClient WeCom(RetryOptions retry = null, string secret = "emulator-secret", WeComAppMode mode = WeComAppMode.AddressBookSync, string corpId = "ww-emulator")
        {
            var client = new WeComClient(new WeComConnectionSettings { CorpId = corpId, Secret = secret, AppMode = mode, ApiHost = Emulator.BaseUrl, Retry = retry ?? FastRetry() });
            // The token cache is process-wide and keyed by host: an earlier test's emulator on the same reused port left
            // a token this emulator refuses, and the refused call plus its retry would skew the call counts asserted here.
            client.ForgetToken();
            return client;
        }

        protected AuthingClient Authing(RetryOptions retry = null) =>
            new AuthingClient(new AuthingSettings
            {
                ApiHost = Emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), AccessKeyId = "emulator-ak", AccessKeySecret = "emulator-sk",
                OrganizationCode = "emulator-org", Retry = retry ?? FastRetry(),
            });

        protected long Calls(string path) => Emulator.State.Calls.Get(path);

        protected static CancellationToken None => CancellationToken.None;
    }
}
