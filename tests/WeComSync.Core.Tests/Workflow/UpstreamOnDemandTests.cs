using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using WeComSync.AddressBook;
using WeComSync.Authing;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.Tests.AddressBook;
using WeComSync.WeCom;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>
    /// An upstream run of named users (<see cref="SyncRunOptions.UserIds"/>, Invoke-WeComUpstreamSync -UserId) against
    /// the emulator over HTTP on 127.0.0.1: the file read once and its rows filtered, the Authing side read user by user
    /// (no listing of the pool), a given Export, and a userid not in the file (an error; deleted only by DeleteOnly,
    /// under a delete-only run's rules).
    /// </summary>
    public sealed class UpstreamOnDemandTests : IAsyncLifetime, IDisposable
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Top = "按需科技";
        private EmulatorServer _server;
        private AuthingConnection _connection;
        private readonly ExportFixture _files = new ExportFixture();
        private static readonly string[] Departments = { Top + "/研发部/后端组", Top + "/销售部" };

        public async Task InitializeAsync()
        {
            _server = await EmulatorServer.StartAsync();
            _connection = new AuthingConnection(new AuthingSettings
            {
                ApiHost = _server.BaseUrl.ToString(), AccessKeyId = EmulatorDefaults.AccessKeyId, AccessKeySecret = EmulatorDefaults.AccessKeySecret, OrganizationCode = Org,
                Retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(10) },
            });
            await _connection.Client.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(_connection.Client, default), default);
        }

        public async Task DisposeAsync()
        {
            _connection.Dispose();
            await _server.DisposeAsync();
        }

        public void Dispose() => _files.Dispose();

        private static Dictionary<string, object>[] Members(int count, string renamed = null) => Enumerable.Range(1, count)
            .Select(i => ExportFixture.Member(i == 1 && renamed != null ? renamed : $"成员{i}", $"od{i:00}", Departments[i % Departments.Length], $"1390000{i:0000}")).ToArray();

        private Task<RunRecord> Run(UpstreamOptions options, RecordingHost host = null)
        {
            options.OrganizationCode = Org;
            options.IgnoreRootDepartment = true;
            return Task.Run(() => new UpstreamRun(_connection, options, host ?? new RecordingHost()).Run());
        }

        private List<string> Usernames() => _server.State.Dump().Authing.Users.Select(u => u.Username).OrderBy(u => u, StringComparer.Ordinal).ToList();

        private string NameOf(string username) => _server.State.Dump().Authing.Users.Single(u => u.Username == username).Name;

        /// <summary>Authing synced with a file of six members by a full run; then the file changes: od01 renamed, a new hire in a new group.</summary>
        private async Task<string> ChangedFileAsync()
        {
            await Run(new UpstreamOptions { Path = _files.Write("all.xlsx", ExportFixture.Sheet(Members(6))) });
            var members = Members(6, renamed: "改名了").Concat(new[] { ExportFixture.Member("新同事", "newhire", Top + "/研发部/新组", "13911110000") }).ToArray();
            return _files.Write("today.xlsx", ExportFixture.Sheet(members));
        }

        [Fact]
        public async Task Only_the_named_rows_are_planned_their_new_department_created_and_Authing_is_read_user_by_user()
        {
            string file = await ChangedFileAsync();
            _server.State.Calls.Clear();
            var host = new RecordingHost();

            var record = await Run(new UpstreamOptions { Path = file, UserIds = new[] { "newhire" } }, host);

            Assert.Empty(host.Errors);
            Assert.Equal(RunStatus.Succeeded, record.Status);
            Assert.Equal(new[] { "read export", "read Authing", "departments", "users" }, record.Steps.Select(s => s.Name));
            Assert.Equal(1, record.Steps.Single(s => s.Name == "departments").Created);   // 新组, under the existing 研发部
            Assert.Equal(1, record.Steps.Single(s => s.Name == "users").Created);
            Assert.Contains("newhire", Usernames());
            Assert.Equal("成员1", NameOf("od01"));   // the other changed row waits for the scheduled run
            // No listing of the pool: no department tree, one filtered list-users (the link search) for the one user.
            Assert.Equal(0, _server.State.Calls.Get("/api/v3/get-all-departments"));
            Assert.Equal(0, _server.State.Calls.Get("/api/v3/list-organizations"));
            Assert.Equal(1, _server.State.Calls.Get("/api/v3/list-users"));

            var again = await Run(new UpstreamOptions { Path = file, UserIds = new[] { "newhire" } });
            Assert.Equal(0, again.Created + again.Updated + again.Deleted + again.Failed);
        }

        [Fact]
        public async Task A_given_export_with_named_users_plans_only_them()
        {
            string file = await ChangedFileAsync();
            // What the listener passes: a wanted side already built (here read from the file), not a path.
            var export = new AddressBookReader(new AddressBookReadOptions(), NullOutputWriter.Instance).ReadExport(file);

            var record = await Run(new UpstreamOptions { Export = export, UserIds = new[] { "od01" } });

            Assert.Equal(RunStatus.Succeeded, record.Status);
            Assert.Equal(1, record.Updated);
            Assert.Equal("改名了", NameOf("od01"));
            Assert.DoesNotContain("newhire", Usernames());
        }

        [Fact]
        public async Task A_given_wanted_side_with_no_member_and_no_named_users_refuses_a_delete_only_run_and_deletes_nobody()
        {
            await ChangedFileAsync();
            int before = Usernames().Count;
            // A caller's wanted side that came out empty (a read that found nobody): deleting "everyone absent" from it
            // would empty the pool, as a delete-only run on an empty file would.
            var empty = new AddressBookExport(new List<User>(), new List<Department>(), null);

            var e = await Assert.ThrowsAsync<SyncRunException>(() => Run(new UpstreamOptions { Export = empty, Mode = UpstreamMode.DeleteOnly }));

            Assert.Equal("UpstreamExportEmpty", e.Error.ErrorId);
            Assert.Equal(before, Usernames().Count);
        }

        [Fact]
        public async Task A_userid_not_in_the_file_is_an_error_and_only_DeleteOnly_removes_it_alone()
        {
            string file = await ChangedFileAsync();
            string fewer = _files.Write("fewer.xlsx", ExportFixture.Sheet(Members(6).Where(m => !Equals(m["账号"], "od02")).ToArray()));
            var host = new RecordingHost();

            var record = await Run(new UpstreamOptions { Path = fewer, UserIds = new[] { "od02" } }, host);

            var error = Assert.Single(host.Errors);
            Assert.Equal("UpstreamUserNotInExport", error.ErrorId);
            Assert.Equal($"od02 is not in the export '{fewer}': nothing to sync; to remove it from Authing use -Mode DeleteOnly.", error.Message);
            Assert.Equal(ExitCodes.PartiallyFailed, record.ExitCode);
            Assert.Contains("od02", Usernames());

            // DeleteOnly: od02 alone, whatever else the file lacks (od01 is in it; newhire was never synced); the
            // percentage guard is of a pool this run did not read.
            int before = Usernames().Count;
            record = await Run(new UpstreamOptions { Path = fewer, UserIds = new[] { "od02", "od01" }, Mode = UpstreamMode.DeleteOnly }, host = new RecordingHost());
            Assert.Empty(host.Errors);
            Assert.Equal(1, record.Deleted);
            Assert.DoesNotContain("od02", Usernames());
            Assert.Equal(before - 1, Usernames().Count);
            Assert.Contains(host.Warnings, w => w.Contains("od01 is in the export"));
        }

        [Fact]
        public async Task DeleteOnly_of_a_named_user_keeps_the_delete_rules_an_incomplete_file_refuses_and_WeCom_is_asked_first()
        {
            await ChangedFileAsync();
            // A row whose 账号 cannot be read: the file cannot show who is gone.
            var bad = Members(6).Where(m => !Equals(m["账号"], "od02")).Concat(new[] { ExportFixture.Member("无账号", "", Top + "/销售部", "13911112222") }).ToArray();
            string incomplete = _files.Write("incomplete.xlsx", ExportFixture.Sheet(bad));
            var e = await Assert.ThrowsAsync<SyncRunException>(() => Run(new UpstreamOptions { Path = incomplete, UserIds = new[] { "od02" }, Mode = UpstreamMode.DeleteOnly }));
            Assert.Equal("DeleteRefusedIncompleteRead", e.Error.ErrorId);
            Assert.Contains("od02", Usernames());

            // With a WeCom connection the user is looked up there first (user/get): still a member, so not deleted.
            _server.State.WeCom.CreateUser(new System.Text.Json.Nodes.JsonObject { ["userid"] = "od02", ["name"] = "成员2", ["mobile"] = "13900000002", ["department"] = System.Text.Json.Nodes.JsonNode.Parse("[1]") });
            string fewer = _files.Write("fewer.xlsx", ExportFixture.Sheet(Members(6).Where(m => !Equals(m["账号"], "od02")).ToArray()));
            using var wecom = new WeComConnection(new WeComConnectionSettings { CorpId = EmulatorDefaults.CorpId, Secret = EmulatorDefaults.CorpSecret, AppMode = WeComAppMode.AddressBookSync, ApiHost = _server.BaseUrl });
            var host = new RecordingHost();
            var record = await Run(new UpstreamOptions { Path = fewer, UserIds = new[] { "od02" }, Mode = UpstreamMode.DeleteOnly, WeComConnection = wecom }, host);
            Assert.Equal(0, record.Deleted);
            Assert.Contains("od02", Usernames());
            Assert.Contains(host.Warnings, w => w.Contains("od02"));
            Assert.Equal(0, _server.State.Calls.Get("/cgi-bin/user/list_id"));
        }
    }
}
