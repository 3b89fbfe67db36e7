using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.WeCom;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>
    /// A downstream run of named users (<see cref="SyncRunOptions.UserIds"/>, Invoke-WeComDownstreamSync -UserId)
    /// against the emulator over HTTP on 127.0.0.1: each user and the departments it needs are read one by one, never a
    /// listing of either pool; the same steps, guard and dry run as a full run; a user absent from Authing is an error,
    /// and is deleted or suspended only with -Delete, alone.
    /// </summary>
    public sealed class DownstreamOnDemandTests : IAsyncLifetime
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private EmulatorServer _server;
        private AuthingConnection _authing;
        private WeComConnection _wecom;
        private string _root;

        /// <summary>Every endpoint that lists a pool or a tree: an on-demand run calls none of them.</summary>
        internal static readonly string[] ListEndpoints =
        {
            "/api/v3/get-all-departments", "/api/v3/list-organizations", "/api/v3/list-children-departments", "/api/v3/list-department-members",
            "/cgi-bin/department/list", "/cgi-bin/department/simplelist", "/cgi-bin/user/list_id", "/cgi-bin/user/simplelist", "/cgi-bin/user/list",
        };

        public async Task InitializeAsync()
        {
            _server = await EmulatorServer.StartAsync();
            var retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(10) };
            _authing = new AuthingConnection(new AuthingSettings
            {
                ApiHost = _server.BaseUrl.ToString(), AccessKeyId = EmulatorDefaults.AccessKeyId, AccessKeySecret = EmulatorDefaults.AccessKeySecret, OrganizationCode = Org, Retry = retry,
            });
            _wecom = new WeComConnection(new WeComConnectionSettings
            {
                CorpId = EmulatorDefaults.CorpId, Secret = EmulatorDefaults.CorpSecret, AppMode = WeComAppMode.AddressBookSync, ApiHost = _server.BaseUrl, Retry = retry,
            });
            var client = _authing.Client;
            await client.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), default);
            _root = (await client.GetOrganizationAsync(Org, default)).DepartmentId;
            // A pool already in sync: 销售部 with two members, synced by a full run.
            var sales = await client.CreateDepartmentAsync(Org, "销售部", _root, null, default);
            await UserAsync("wangwu", "王五", "13800000003", sales.DepartmentId);
            await UserAsync("zhaoliu", "赵六", "13800000004", sales.DepartmentId);
            await Run(new DownstreamOptions());
        }

        public async Task DisposeAsync()
        {
            _authing.Dispose();
            _wecom.Dispose();
            await _server.DisposeAsync();
        }

        private async Task<AuthingUserDto> UserAsync(string username, string name, string phone, params string[] departments)
        {
            var u = await _authing.Client.CreateUserAsync(new JObject
            {
                ["username"] = username, ["name"] = name, ["phone"] = phone, ["phoneCountryCode"] = "+86", ["email"] = username + "@example.com",
            }, default);
            await _authing.Client.SetUserDepartmentsAsync(u.UserId, departments, default);
            return u;
        }

        /// <summary>A new hire in a department (and its parent) that WeCom does not have yet.</summary>
        private async Task NewHireAsync()
        {
            var rd = await _authing.Client.CreateDepartmentAsync(Org, "研发部", _root, null, default);
            var backend = await _authing.Client.CreateDepartmentAsync(Org, "后端组", rd.DepartmentId, null, default);
            await UserAsync("newhire", "新同事", "13800000009", backend.DepartmentId);
        }

        private Task<RunRecord> Run(DownstreamOptions options, RecordingHost host = null, DownstreamRun[] run = null)
        {
            options.OrganizationCode = Org;
            var r = new DownstreamRun(_authing, _wecom, options, host ?? new RecordingHost());
            if (run != null) run[0] = r;
            return Task.Run(() => r.Run());
        }

        private bool InWeCom(string userId)
        {
            try { return _server.State.WeCom.GetUser(userId) != null; }
            catch (WeComSync.Emulator.WeCom.WeComError) { return false; }
        }

        private long Calls() => _server.State.Calls.Snapshot().Values.Sum();

        private long WeComWrites() => new[] { "department/create", "department/update", "department/delete", "user/create", "user/update", "user/delete", "user/batchdelete" }
            .Sum(a => _server.State.Calls.Get("/cgi-bin/" + a));

        [Fact]
        public async Task One_new_hire_whose_department_and_its_parent_are_missing_creates_them_parents_first_then_the_user_and_lists_nothing()
        {
            await NewHireAsync();
            _server.State.Calls.Clear();
            var host = new RecordingHost();

            var record = await Run(new DownstreamOptions { UserIds = new[] { "newhire" } }, host);

            Assert.Empty(host.Errors);
            Assert.Equal(RunStatus.Succeeded, record.Status);
            Assert.Equal(new[] { "read users", "departments", "users" }, record.Steps.Select(s => s.Name));
            Assert.Equal(2, record.Steps.Single(s => s.Name == "departments").Created);
            Assert.Equal(1, record.Steps.Single(s => s.Name == "users").Created);
            // Parents first: 后端组 sits under 研发部, which was created before it (WeCom refuses an unknown parent).
            var member = _server.State.WeCom.GetUser("newhire");
            var backend = _server.State.WeCom.GetDepartment(member.Department.Single());
            Assert.Equal("后端组", backend.Name);
            var rd = _server.State.WeCom.GetDepartment(backend.ParentId);
            Assert.Equal("研发部", rd.Name);
            Assert.Equal(1, rd.ParentId);
            Assert.True(rd.Id < backend.Id);
            // Read one by one: no listing of either pool, the one filtered list-users a search for the link field.
            var calls = _server.State.Calls.Snapshot();
            foreach (var list in ListEndpoints) Assert.False(calls.ContainsKey(list), $"{list} was called: {string.Join(", ", calls.Select(c => c.Key + "=" + c.Value))}");
            Assert.Equal(1, _server.State.Calls.Get("/api/v3/list-users"));
            Assert.Equal(1, _server.State.Calls.Get("/cgi-bin/user/get"));
            // The others were not touched.
            Assert.Equal(3, _server.State.WeCom.UserCount);

            // Again: the links written back make it plan nothing, and write nothing.
            long writes = WeComWrites();
            var again = await Run(new DownstreamOptions { UserIds = new[] { "newhire" } });
            Assert.Equal(0, again.Created + again.Updated + again.Deleted + again.Failed);
            Assert.Equal(writes, WeComWrites());
        }

        [Fact]
        public async Task A_dry_run_plans_only_the_named_user_and_its_departments_and_writes_nothing()
        {
            await NewHireAsync();
            // 王五 changed in Authing too: a full run would update him; this run is only about newhire.
            var wangwu = await _authing.Client.GetUserAsync("wangwu", "username", default);
            await _authing.Client.UpdateUserAsync(wangwu.UserId, new JObject { ["name"] = "王五五" }, default);
            _server.State.Calls.Clear();
            var host = new RecordingHost();
            var run = new DownstreamRun[1];

            var record = await Run(new DownstreamOptions { UserIds = new[] { "newhire" }, UpdateMode = UpdateMode.Changed, WhatIf = true }, host, run);

            Assert.True(record.WhatIf);
            Assert.Empty(host.Prompts);
            Assert.Equal(0, WeComWrites());
            Assert.Equal(new[] { "newhire" }, run[0].Plans["users"].Select(c => c.Key));
            Assert.Equal(new[] { ChangeOperation.Create, ChangeOperation.Create }, run[0].Plans["departments"].Select(c => c.Operation));
            Assert.Contains(host.Information, i => i.Contains("newhire"));
            Assert.DoesNotContain(host.Information, i => i.Contains("wangwu") || i.Contains("王五"));
            Assert.StartsWith("What if:", record.Message);
            Assert.False(InWeCom("newhire"));
        }

        [Fact]
        public async Task A_user_absent_from_Authing_is_an_error_and_is_removed_from_WeCom_only_with_Delete_and_alone()
        {
            // zhaoliu leaves Authing; wangwu would be deleted by nobody (still in Authing); lisi is only in WeCom too.
            var zhaoliu = await _authing.Client.GetUserAsync("zhaoliu", "username", default);
            await _authing.Client.DeleteUsersBatchAsync(new[] { zhaoliu.UserId }, default);
            var host = new RecordingHost();

            var record = await Run(new DownstreamOptions { UserIds = new[] { "zhaoliu" } }, host);

            var error = Assert.Single(host.Errors);
            Assert.Equal("DownstreamUserNotInAuthing", error.ErrorId);
            Assert.Equal("zhaoliu is not in Authing: nothing to sync; to remove it from WeCom use -Delete.", error.Message);
            Assert.Equal(RunStatus.PartiallyFailed, record.Status);
            Assert.Equal(ExitCodes.PartiallyFailed, record.ExitCode);
            Assert.True(InWeCom("zhaoliu"));

            // -Delete -DeleteAction Suspend: only that user, suspended (the guard's percentage is of a pool not read).
            host = new RecordingHost();
            record = await Run(new DownstreamOptions { UserIds = new[] { "zhaoliu" }, Delete = true, DeleteAction = DeleteAction.Suspend }, host);
            Assert.Empty(host.Errors);
            Assert.Equal(RunStatus.Succeeded, record.Status);
            Assert.Equal(0, _server.State.WeCom.GetUser("zhaoliu").Enable);
            Assert.Equal(1, _server.State.WeCom.GetUser("wangwu").Enable);

            // -Delete: deleted, and nobody else.
            record = await Run(new DownstreamOptions { UserIds = new[] { "zhaoliu" }, Delete = true }, new RecordingHost());
            Assert.Equal(1, record.Deleted);
            Assert.False(InWeCom("zhaoliu"));
            Assert.True(InWeCom("wangwu"));
            Assert.Equal(1, _server.State.WeCom.UserCount);
        }

        [Fact]
        public async Task A_userid_on_neither_side_is_an_error_that_says_so_and_nothing_is_written()
        {
            var host = new RecordingHost();
            long writes = WeComWrites();

            var record = await Run(new DownstreamOptions { UserIds = new[] { "nobody" }, Delete = true }, host);

            var error = Assert.Single(host.Errors);
            Assert.Equal("DownstreamUserNotFound", error.ErrorId);
            Assert.Contains("nobody is not in Authing, nor in WeCom", error.Message);
            Assert.Equal(ExitCodes.PartiallyFailed, record.ExitCode);
            Assert.Equal(writes, WeComWrites());
        }
    }
}
