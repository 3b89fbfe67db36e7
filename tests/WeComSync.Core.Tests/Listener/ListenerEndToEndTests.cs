using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.Listener;
using WeComSync.WeCom;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Listener
{
    /// <summary>
    /// The listener end to end over real HTTP on 127.0.0.1: the emulator verifies the callback URL, sends its WeCom
    /// callbacks and Authing webhooks (encrypted, signed, retried as the services do) for API writes and console edits,
    /// and forged ones; the listener syncs each changed user through the engine, drops its own echoes and acts on no
    /// forged request. The test starts and stops both servers.
    /// </summary>
    public sealed class ListenerEndToEndTests : IAsyncLifetime
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Token = "ListenerE2eToken1";
        private const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        private const string Secret = "listener-e2e-webhook-secret";
        private EmulatorServer _server;
        private AuthingConnection _authing;
        private WeComConnection _wecom;
        private ListenerService _service;
        private Task _running;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly HttpClient _http = new HttpClient();
        private readonly RecordingHost _output = new RecordingHost();
        private string _prefix;

        public async Task InitializeAsync()
        {
            _server = await EmulatorServer.StartAsync();
            var retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(10) };
            _authing = new AuthingConnection(new AuthingSettings { ApiHost = _server.BaseUrl.ToString(), AccessKeyId = EmulatorDefaults.AccessKeyId, AccessKeySecret = EmulatorDefaults.AccessKeySecret, OrganizationCode = Org, Retry = retry });
            _wecom = new WeComConnection(new WeComConnectionSettings { CorpId = EmulatorDefaults.CorpId, Secret = EmulatorDefaults.CorpSecret, AppMode = WeComAppMode.AddressBookSync, ApiHost = _server.BaseUrl, Retry = retry });
            var client = _authing.Client;
            await client.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), default);
            string root = (await client.GetOrganizationAsync(Org, default)).DepartmentId;
            var sales = await client.CreateDepartmentAsync(Org, "销售部", root, null, default);
            var wangwu = await client.CreateUserAsync(new JObject { ["username"] = "wangwu", ["name"] = "王五", ["phone"] = "13800000003", ["phoneCountryCode"] = "+86", ["email"] = "wangwu@example.com" }, default);
            await client.SetUserDepartmentsAsync(wangwu.UserId, new[] { sales.DepartmentId }, default);
            // In sync before the listener starts (no receiver configured yet: nothing is sent).
            await Task.Run(() => new DownstreamRun(_authing, _wecom, new DownstreamOptions { OrganizationCode = Org }, new RecordingHost()).Run());

            _prefix = $"http://127.0.0.1:{ListenerHostTests.FreePort()}/";
            var engine = new EngineEventSync(_authing, _wecom, new EngineSyncOptions { OrganizationCode = Org, IgnoreRootDepartment = true, DeleteAction = WeComSync.Model.DeleteAction.Suspend });
            _service = new ListenerService(engine, new ListenerServiceOptions
            {
                Prefix = _prefix, WeComToken = Token, WeComEncodingAesKey = AesKey, CorpId = EmulatorDefaults.CorpId, AuthingWebhookSecret = Secret,
                Listener = new ListenerOptions { CoalesceWindow = TimeSpan.FromMilliseconds(200), Delete = true, DeleteAction = WeComSync.Model.DeleteAction.Suspend },
            }, _output);
            _running = Task.Run(() => _service.RunAsync(_stop.Token));
            await WaitForAsync(async () =>
            {
                if (_running.IsFaulted) await _running;   // the listener failed to start: say why
                try { return (await _http.GetAsync(_prefix + "health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            });

            // The emulator verifies the URL (GET with echostr) before it saves the callback.
            var configured = await PostAsync("_emulator/wecom/callback", new JObject { ["url"] = _prefix + "wecom", ["token"] = Token, ["encodingAesKey"] = AesKey, ["mode"] = "full" });
            Assert.True(configured.IsSuccessStatusCode, await configured.Content.ReadAsStringAsync());
            var registered = await AuthingWebhookRegistration.EnsureAsync(client, _prefix + "authing", Secret, null, false, default);
            Assert.Equal("Created", registered.Action);
        }

        public async Task DisposeAsync()
        {
            _stop.Cancel();
            if (_running != null) await _running;
            _service?.Dispose();
            _http.Dispose();
            _authing.Dispose();
            _wecom.Dispose();
            await _server.DisposeAsync();
        }

        private Task<HttpResponseMessage> PostAsync(string path, JToken body) =>
            _http.PostAsync(new Uri(_server.BaseUrl, path), new StringContent(body.ToString(), Encoding.UTF8, "application/json"));

        private static async Task WaitForAsync(Func<Task<bool>> condition, int seconds = 60)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (!await condition())
            {
                if (DateTime.UtcNow > until) throw new TimeoutException("The condition was not met within the bound.");
                await Task.Delay(50);
            }
        }

        /// <summary>Waits until the emulator has nothing to deliver and the listener nothing to sync, twice in a row (a sync's writes send new events).</summary>
        private async Task SettleAsync()
        {
            int quiet = 0;
            await WaitForAsync(async () =>
            {
                var idle = JObject.Parse(await _http.GetStringAsync(new Uri(_server.BaseUrl, "_emulator/events/idle?timeoutMs=5000")));
                bool now = (bool)idle["idle"] && _service.Listener.Outstanding == 0;
                quiet = now ? quiet + 1 : 0;
                if (quiet < 3) await Task.Delay(300);
                return quiet >= 3;
            });
        }

        private bool InWeCom(string userId)
        {
            try { return _server.State.WeCom.GetUser(userId) != null; }
            catch (WeComSync.Emulator.WeCom.WeComError) { return false; }
        }

        [Fact]
        public async Task A_user_created_in_Authing_reaches_WeCom_once_and_its_echoes_do_not_loop()
        {
            var client = _authing.Client;
            long before = _server.State.Calls.Get("/cgi-bin/user/create");
            string sales = (await client.GetAllDepartmentsAsync(Org, default)).First(d => d.Name == "销售部").DepartmentId;
            var hire = await client.CreateUserAsync(new JObject { ["username"] = "newhire", ["name"] = "新同事", ["phone"] = "13800000009", ["phoneCountryCode"] = "+86", ["email"] = "newhire@example.com" }, default);
            await client.SetUserDepartmentsAsync(hire.UserId, new[] { sales }, default);
            await WaitForAsync(() => Task.FromResult(InWeCom("newhire")));
            await SettleAsync();
            long creates = _server.State.Calls.Get("/cgi-bin/user/create");
            long updates = _server.State.Calls.Get("/cgi-bin/user/update");
            Assert.Equal(before + 1, creates);
            // Our create came back as a WeCom callback, the link write-back as an Authing webhook: neither wrote again.
            await SettleAsync();
            Assert.Equal(creates, _server.State.Calls.Get("/cgi-bin/user/create"));
            Assert.Equal(updates, _server.State.Calls.Get("/cgi-bin/user/update"));
            Assert.Equal(0, _service.Listener.Health().FailedBatches);
        }

        [Fact]
        public async Task A_member_renamed_in_the_WeCom_console_is_renamed_in_Authing()
        {
            var edit = await PostAsync("_emulator/wecom/console", new JObject { ["op"] = "update_user", ["body"] = new JObject { ["userid"] = "wangwu", ["name"] = "王五五" } });
            Assert.True(edit.IsSuccessStatusCode);
            await WaitForAsync(async () => (await _authing.Client.GetUserAsync("wangwu", "username", default))?.Name == "王五五");
            await SettleAsync();
            Assert.Equal("王五五", _server.State.WeCom.GetUser("wangwu").Name);
            Assert.Equal(0, _service.Listener.Health().FailedBatches);
        }

        [Fact]
        public async Task A_member_deleted_in_the_WeCom_console_is_suspended_in_Authing_not_deleted()
        {
            var edit = await PostAsync("_emulator/wecom/console", new JObject { ["op"] = "delete_user", ["body"] = new JObject { ["userid"] = "wangwu" } });
            Assert.True(edit.IsSuccessStatusCode);
            await WaitForAsync(async () => (await _authing.Client.GetUserAsync("wangwu", "username", default))?.Status == "Suspended");
            await SettleAsync();
            Assert.NotNull(await _authing.Client.GetUserAsync("wangwu", "username", default));
            Assert.Equal(1, _service.Listener.Health().DeleteGuard.TakenLastHour);
        }

        [Fact]
        public async Task No_forged_or_replayed_request_is_acted_on()
        {
            // One genuine event first, so a replay has something to replay.
            await PostAsync("_emulator/wecom/console", new JObject { ["op"] = "update_user", ["body"] = new JObject { ["userid"] = "wangwu", ["position"] = "经理" } });
            await SettleAsync();
            long received = _service.Listener.Health().Received;
            long writes = _server.State.Calls.Snapshot().Where(c => c.Key.Contains("create") || c.Key.Contains("update") || c.Key.Contains("delete")).Sum(c => c.Value);
            foreach (var kind in new[] { "bad-signature", "missing-signature", "old-timestamp", "replay", "wrong-corpid", "wrong-key", "oversize", "malformed-xml" })
            {
                var forged = JObject.Parse(await (await PostAsync("_emulator/events/forge", new JObject { ["source"] = "wecom", ["kind"] = kind })).Content.ReadAsStringAsync());
                int status = (int?)forged["attempts"]?.Last?["status"] ?? 0;
                Assert.True(kind == "replay" ? status == 200 || status >= 400 : status >= 400, $"{kind} answered {status}");
            }
            foreach (var kind in new[] { "wrong-token", "no-token", "malformed-json", "oversize", "replay" })
                await PostAsync("_emulator/events/forge", new JObject { ["source"] = "authing", ["kind"] = kind });
            await SettleAsync();
            var health = _service.Listener.Health();
            Assert.Equal(received, health.Received);
            Assert.True(health.Refused >= 10, $"refused {health.Refused}");
            long after = _server.State.Calls.Snapshot().Where(c => c.Key.Contains("create") || c.Key.Contains("update") || c.Key.Contains("delete")).Sum(c => c.Value);
            Assert.Equal(writes, after);
        }
    }
}
