using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.RunLog;
using WeComSync.WeCom;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>Undo of downstream runs (Authing → WeCom), against the emulator over HTTP: WeCom members and departments written back.</summary>
    public sealed class UndoDownstreamTests : IAsyncLifetime, IDisposable
    {
        private const string Org = "emulator-org";
        private EmulatorServer _emulator;
        private AuthingConnection _authing;
        private WeComConnection _wecom;
        private readonly string _logs = Path.Combine(Path.GetTempPath(), "wecomsync-undo-down-" + Guid.NewGuid().ToString("N"));

        public async Task InitializeAsync()
        {
            _emulator = await EmulatorServer.StartAsync();
            _authing = new AuthingConnection(new AuthingSettings { ApiHost = _emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), AccessKeyId = "emulator-ak", AccessKeySecret = "emulator-sk", OrganizationCode = Org });
            _wecom = new WeComConnection(new WeComConnectionSettings
            {
                CorpId = "ww-emulator", Secret = "emulator-secret", AppMode = WeComAppMode.AddressBookSync, ApiHost = _emulator.BaseUrl,
                Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            });
            var client = _authing.Client;
            await client.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), CancellationToken.None);
            var org = await client.GetOrganizationAsync(Org, CancellationToken.None);
            var sales = await client.CreateDepartmentAsync(Org, "销售部", org.DepartmentId, null, CancellationToken.None);
            foreach (var (username, name, phone) in new[] { ("zhangsan", "张三", "13800000001"), ("lisi", "李四", "13800000002"), ("wangwu", "王五", "13800000003") })
            {
                var u = await client.CreateUserAsync(new JObject { ["username"] = username, ["name"] = name, ["phone"] = phone, ["phoneCountryCode"] = "+86" }, CancellationToken.None);
                await client.SetUserDepartmentsAsync(u.UserId, new[] { sales.DepartmentId }, CancellationToken.None);
            }
        }

        public async Task DisposeAsync()
        {
            _wecom.Dispose();
            _authing.Dispose();
            await _emulator.DisposeAsync();
        }

        public void Dispose()
        {
            if (Directory.Exists(_logs)) Directory.Delete(_logs, true);
        }

        private RunRecord Downstream() => new DownstreamRun(_authing, _wecom, new DownstreamOptions
        {
            OrganizationCode = Org, LogPath = _logs, DeleteGuard = new DeleteGuard { MaxDeletePercent = 100 },
        }, new RecordingHost()).Run();

        private RunRecord Undo(RunRecord run, RecordingHost host) => new UndoRun(new UndoOptions
        {
            Run = RunLogReader.FindRun(_logs, run.ShortId), Authing = _authing, WeCom = _wecom, LogPath = _logs, DeleteGuard = new DeleteGuard { Force = true },
        }, host).Run();

        private string WeComName(string userId) => _emulator.State.Dump().WeCom.Users.SingleOrDefault(u => u.UserId == userId)?.Name;

        [Fact]
        public void A_first_downstream_run_undone_removes_the_members_and_the_department_it_created_in_WeCom_and_a_second_undo_writes_nothing()
        {
            var first = Downstream();
            Assert.Equal(3, first.Steps.Single(s => s.Name == "users").Created);
            var host = new RecordingHost();
            var undoFirst = Undo(first, host);
            Assert.True(undoFirst.Failed + undoFirst.Stale == 0, string.Join("\n", host.Warnings.Concat(host.Errors.Select(e => e.Message))));
            Assert.True(undoFirst.Steps.Single(s => s.Name == "users").Deleted == 3, string.Join("\n", undoFirst.Steps.Select(st => $"{st.Name}: {st.Status} d{st.Deleted} a{st.AlreadyApplied} {st.Message}")));
            Assert.Empty(_emulator.State.Dump().WeCom.Users);
            Assert.DoesNotContain(_emulator.State.Dump().WeCom.Departments, d => d.Name == "销售部");
            var again = Undo(first, new RecordingHost());
            Assert.Equal(0, again.Deleted + again.Failed + again.Stale);
            Assert.Equal(4, again.AlreadyApplied);
        }
    }
}
