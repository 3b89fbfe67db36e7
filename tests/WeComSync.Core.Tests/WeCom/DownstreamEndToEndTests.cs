using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.Tests.Apply;
using WeComSync.WeCom;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.WeCom
{
    /// <summary>Downstream, Authing → WeCom, end to end over HTTP against the in-process emulator (127.0.0.1).</summary>
    public sealed class DownstreamEndToEndTests : IAsyncLifetime
    {
        private EmulatorServer _emulator;
        private AuthingConnection _connection;
        private AuthingClient _authing;
        private readonly HttpClient _control = new HttpClient();
        private const string Org = "emulator-org";
        private string _salesDepartmentId;

        public async Task InitializeAsync()
        {
            _emulator = await EmulatorServer.StartAsync();
            _connection = new AuthingConnection(new AuthingSettings { ApiHost = _emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), AccessKeyId = "emulator-ak", AccessKeySecret = "emulator-sk", OrganizationCode = Org });
            _authing = _connection.Client;
            await _authing.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), CancellationToken.None);
            await SeedAuthingAsync();
        }

        public async Task DisposeAsync()
        {
            _connection.Dispose();
            _control.Dispose();
            await _emulator.DisposeAsync();
        }

        private async Task ControlAsync(string path, string json)
        {
            var r = await _control.PostAsync(new Uri(_emulator.BaseUrl, "_emulator/" + path), new StringContent(json, Encoding.UTF8, "application/json"));
            r.EnsureSuccessStatusCode();
        }

        /// <summary>A three-level tree (研发部/微信事业群/广州研发部) plus 销售部, and four users.</summary>
        private async Task SeedAuthingAsync()
        {
            var org = await _authing.GetOrganizationAsync(Org, CancellationToken.None);
            string root = org.DepartmentId;
            var rd = await _authing.CreateDepartmentAsync(Org, "研发部", root, null, CancellationToken.None);
            var wx = await _authing.CreateDepartmentAsync(Org, "微信事业群", rd.DepartmentId, null, CancellationToken.None);
            var gz = await _authing.CreateDepartmentAsync(Org, "广州研发部", wx.DepartmentId, null, CancellationToken.None);
            var sales = await _authing.CreateDepartmentAsync(Org, "销售部", root, null, CancellationToken.None);
            _salesDepartmentId = sales.DepartmentId;
            async Task User(string username, string name, string phone, params string[] depts)
            {
                var u = await _authing.CreateUserAsync(new Newtonsoft.Json.Linq.JObject
                {
                    ["username"] = username, ["name"] = name, ["phone"] = phone, ["phoneCountryCode"] = "+86", ["email"] = username + "@example.com",
                }, CancellationToken.None);
                await _authing.SetUserDepartmentsAsync(u.UserId, depts, CancellationToken.None);
            }
            await User("zhangsan", "张三", "13800000001", gz.DepartmentId, sales.DepartmentId);
            await User("lisi", "李四", "13800000002", wx.DepartmentId);
            await User("wangwu", "王五", "13800000003", sales.DepartmentId);
            await User("zhaoliu", "赵六", "13800000004", rd.DepartmentId);
        }

        private WeComConnection Connect(WeComAppMode mode = WeComAppMode.AddressBookSync, string secret = "emulator-secret") =>
            new WeComConnection(new WeComConnectionSettings
            {
                CorpId = "ww-emulator", Secret = secret, AppMode = mode, ApiHost = _emulator.BaseUrl,
                Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            });

        private async Task<(List<Department> Authing, List<Department> WeCom)> ReadDepartmentsAsync(WeComConnection wecom)
        {
            var map = await new AuthingDirectoryReader(_authing).ReadDepartmentsAsync(Org, "1", CancellationToken.None);
            var w = await new WeComReader(wecom.Client).ReadDepartmentsAsync(CancellationToken.None);
            return (map.ToDepartments(true), w.ToList());
        }

        private async Task<(List<User> Authing, List<User> WeCom)> ReadUsersAsync(WeComConnection wecom)
        {
            var map = await new AuthingDirectoryReader(_authing).ReadDepartmentsAsync(Org, "1", CancellationToken.None);
            var a = await new AuthingDirectoryReader(_authing).ReadUsersAsync(map, null, CancellationToken.None);
            var w = await new WeComReader(wecom.Client).ReadUsersAsync(CancellationToken.None);
            return (a.Users, w.ToList());
        }

        /// <summary>A step's plan as the run applied it.</summary>
        private sealed class StepPlan
        {
            public StepPlan(IEnumerable<Change> changes) => Changes = changes.ToList();
            public List<Change> Changes { get; }
        }

        /// <summary>
        /// One downstream run, the engine's own (<see cref="DownstreamRun"/>, what Invoke-WeComDownstreamSync runs):
        /// departments, then users; returns the results, the WeCom write calls it made and the plans it applied.
        /// <paramref name="options"/> says the update mode, the excluded fields and whether deletes are planned.
        /// </summary>
        private async Task<(IReadOnlyList<Result> Results, int Writes, StepPlan DepartmentPlan, StepPlan UserPlan)> RunAsync(WeComConnection wecom, CompareOptions options, RecordingHost host = null, DeleteGuard guard = null, bool invite = false)
        {
            host = host ?? new RecordingHost();
            int before = WriteCalls(wecom);
            var run = new DownstreamRun(_connection, wecom, new DownstreamOptions
            {
                OrganizationCode = Org,
                UpdateMode = options.UpdateMode,
                ExcludeProperty = options.ExcludeProperty,
                Delete = (options.Operation & PlanOperation.Delete) != 0,
                DeleteAction = options.DeleteAction,
                InviteNewMember = invite,
                DeleteGuard = guard ?? new DeleteGuard { MaxDelete = 10, MaxDeletePercent = 50 },
            }, host);
            await Task.Run(() => run.Run());
            IEnumerable<Change> Plan(string step) => run.Plans.TryGetValue(step, out var changes) ? changes : Enumerable.Empty<Change>();
            return (run.Results, WriteCalls(wecom) - before, new StepPlan(Plan("departments").Concat(Plan("delete departments"))), new StepPlan(Plan("users")));
        }

        private bool Exists(string userId)
        {
            try { return _emulator.State.WeCom.GetUser(userId) != null; }
            catch (WeComSync.Emulator.WeCom.WeComError) { return false; }
        }

        private static readonly string[] WriteApis = { "department/create", "department/update", "department/delete", "user/create", "user/update", "user/batchdelete" };
        private static int WriteCalls(WeComConnection c) => WriteApis.Sum(a => c.Client.CallCounts.TryGetValue(a, out var n) ? n : 0);

        [Fact]
        public async Task The_run_reads_and_applies_departments_before_users_and_deletes_departments_last_exit_code_0()
        {
            using var wecom = Connect();
            var run = new DownstreamRun(_connection, wecom, new DownstreamOptions { OrganizationCode = Org, Delete = true }, new RecordingHost());

            var record = await Task.Run(() => run.Run());

            Assert.Equal(new[] { "read departments", "departments", "read users", "users", "delete departments" }, record.Steps.Select(s => s.Name));
            Assert.Equal(RunLog.RunStatus.Succeeded, record.Status);
            Assert.Equal(RunLog.ExitCodes.Success, record.ExitCode);
            // Parents first: each created department's parent was created (or was the root) before it.
            var created = run.Results.Where(r => r.Change.Kind == ObjectKind.Department).Select(r => ((Department)r.Change.Desired).Name).ToList();
            Assert.Equal(4, created.Count);
            Assert.InRange(created.IndexOf("研发部"), 0, created.IndexOf("微信事业群") - 1);
            Assert.InRange(created.IndexOf("微信事业群"), 0, created.IndexOf("广州研发部") - 1);
            Assert.Equal(4, record.Steps.Single(s => s.Name == "users").Created);
        }

        [Fact]
        public async Task A_dry_run_makes_no_write_call_asks_nothing_and_shows_each_steps_plan_once()
        {
            using var wecom = Connect();
            var host = new RecordingHost();
            var run = new DownstreamRun(_connection, wecom, new DownstreamOptions { OrganizationCode = Org, WhatIf = true }, host);

            var record = await Task.Run(() => run.Run());

            Assert.Equal(0, WriteCalls(wecom));
            Assert.Empty(host.Prompts);
            Assert.True(record.WhatIf);
            Assert.Equal("What if: departments: 4 to create; users: 4 to create. Nothing was written.", record.Message);
            Assert.Equal(new[] { "departments: 4 to create", "users: 4 to create" }, host.Information.Select(i => i.Split('\n')[0].Trim()));
            Assert.All(record.Steps.Where(s => s.Name == "departments" || s.Name == "users"), s => Assert.Equal(RunLog.RunStatus.Skipped, s.Status));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task New_members_get_no_invitation_unless_the_admin_asks(bool invite)
        {
            // user/create invites by default ("to_invite … 默认值为true", developer.work.weixin.qq.com/document/path/90195).
            using var wecom = Connect();
            var run = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None }, invite: invite);
            Assert.Equal(4, run.Results.Count(r => r.Change.Kind == ObjectKind.User && r.Change.Operation == ChangeOperation.Create && r.Outcome == Outcome.Succeeded));
            var invited = _emulator.State.WeCom.Invitations;
            if (invite) Assert.Equal(new[] { "lisi", "wangwu", "zhangsan", "zhaoliu" }, invited.OrderBy(x => x, StringComparer.Ordinal).ToArray());
            else Assert.Empty(invited);
        }

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        public async Task First_sync_into_an_empty_WeCom_creates_the_three_level_tree_and_users_and_the_rerun_plans_zero_changes(UpdateMode mode)
        {
            using var wecom = Connect();
            var first = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.All(first.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(4, first.Results.Count(r => r.Change.Kind == ObjectKind.Department && r.Change.Operation == ChangeOperation.Create));
            Assert.Equal(4, first.Results.Count(r => r.Change.Kind == ObjectKind.User && r.Change.Operation == ChangeOperation.Create));
            var depts = await new WeComReader(wecom.Client).ReadDepartmentsAsync(CancellationToken.None);
            var gz = depts.Single(d => d.Name == "广州研发部");
            Assert.Equal("示例科技/研发部/微信事业群/广州研发部", gz.Path);
            var zhang = (await new WeComReader(wecom.Client).ReadUsersAsync(CancellationToken.None)).Single(u => u.UserId == "zhangsan");
            Assert.Equal(gz.Key, zhang.Departments[0]);
            Assert.Equal(2, zhang.Departments.Count);

            // Write-back: the second run matches on the link fields and makes no write call.
            var (authingUsers, _) = await ReadUsersAsync(wecom);
            Assert.All(authingUsers, u => Assert.False(string.IsNullOrEmpty(u.UserId)));
            var second = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.Empty(second.DepartmentPlan.Changes);
            Assert.Empty(second.UserPlan.Changes);
            Assert.Equal(0, second.Writes);
        }

        /// <summary>Seeds <paramref name="count"/> more Authing users (bulk0, bulk1, …) in 销售部, not linked to WeCom yet.</summary>
        private async Task SeedMoreUsersAsync(int count)
        {
            for (int start = 0; start < count; start += AuthingClient.PageSize)
            {
                var batch = Enumerable.Range(start, Math.Min(AuthingClient.PageSize, count - start)).Select(i => new Newtonsoft.Json.Linq.JObject
                {
                    ["username"] = "bulk" + i, ["name"] = "批量" + i, ["email"] = $"bulk{i}@example.com",
                    ["departmentIds"] = new Newtonsoft.Json.Linq.JArray(_salesDepartmentId),
                }).ToList();
                await _authing.CreateUsersBatchAsync(batch, CancellationToken.None);
            }
        }

        /// <summary>Authing answers as slowly as over the internet, so that links gather while a write-back is in flight.</summary>
        private void SlowAuthingUpdates()
        {
            foreach (var path in new[] { "/api/v3/update-user-batch", "/api/v3/update-user" })
                _emulator.State.Faults.Add(new WeComSync.Emulator.Control.FaultRule { Api = "authing", Path = path, Kind = "latency", LatencyMs = 150 });
        }

        private long Served(string path) => _emulator.State.Calls.Snapshot().TryGetValue(path, out var n) ? n : 0;

        [Fact]
        public async Task Link_write_backs_go_to_Authing_in_update_user_batch_calls_and_every_new_member_is_linked()
        {
            await SeedMoreUsersAsync(96);
            SlowAuthingUpdates();
            using var wecom = Connect();
            var first = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None });
            Assert.Equal(100, first.Results.Count(r => r.Change.Kind == ObjectKind.User && r.Change.Operation == ChangeOperation.Create));
            Assert.All(first.Results, r => { Assert.Equal(Outcome.Succeeded, r.Outcome); Assert.Null(r.ErrorCode); });

            // 100 links in a handful of calls instead of 100 (a lone first link goes alone, at once).
            long batches = Served("/api/v3/update-user-batch"), single = Served("/api/v3/update-user");
            Assert.True(batches >= 2 && batches + single <= 25, $"{batches} update-user-batch and {single} update-user calls for 100 links");
            var (authingUsers, _) = await ReadUsersAsync(wecom);
            Assert.All(authingUsers, u => Assert.Equal(u.Username, u.UserId));
            var second = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None });
            Assert.Empty(second.UserPlan.Changes);
            Assert.Equal(0, second.Writes);
        }

        [Fact]
        public async Task A_refused_link_batch_is_sent_again_one_user_per_call_so_only_the_user_Authing_refuses_misses_its_link()
        {
            await SeedMoreUsersAsync(40);
            SlowAuthingUpdates();
            using var wecom = Connect();
            var apply = new WeComApplyOptions { Ids = wecom.DepartmentIds, LinkWriter = new AuthingLinkWriter(_authing, Org) };
            var (ad, wd) = await ReadDepartmentsAsync(wecom);
            await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(DirectoryComparer.CompareDepartments(ad, wd, new CompareOptions()).Changes, new WeComDepartmentApplier(wecom.Client, apply)));
            var (au, wu) = await ReadUsersAsync(wecom);
            var plan = DirectoryComparer.CompareUsers(au, wu, new CompareOptions { UpdateMode = UpdateMode.None });
            // One Authing user is deleted between the plan and the apply: Authing refuses any batch that names it (404).
            await _authing.DeleteUsersBatchAsync(new[] { au.Single(u => u.Username == "bulk7").SourceId }, CancellationToken.None);

            var results = await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(plan.Changes, new WeComUserApplier(wecom.Client, apply)));
            Assert.Equal(44, results.Count);
            Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome)); // every member is in WeCom
            var refused = Assert.Single(results, r => r.ErrorCode != null);
            Assert.Equal("bulk7", ((User)refused.Change.Desired).Username);
            Assert.Equal("writeback", refused.ErrorCode);
            Assert.Contains("writing the link back to Authing failed", refused.Error);
            Assert.True(Served("/api/v3/update-user-batch") >= 1);
            var (linked, _) = await ReadUsersAsync(wecom);
            Assert.Equal(43, linked.Count);
            Assert.All(linked, u => Assert.Equal(u.Username, u.UserId));
        }

        [Fact]
        public async Task Against_a_concurrency_cap_the_calls_in_flight_back_off_and_every_member_is_created_once()
        {
            await SeedMoreUsersAsync(76);
            using var wecom = new WeComConnection(new WeComConnectionSettings
            {
                CorpId = "ww-emulator", Secret = "emulator-secret", ApiHost = _emulator.BaseUrl,
                Retry = new RetryOptions { MaxRetries = 8, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            });
            var apply = new WeComApplyOptions { Ids = wecom.DepartmentIds, LinkWriter = new AuthingLinkWriter(_authing, Org) };
            var (ad, wd) = await ReadDepartmentsAsync(wecom);
            await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(DirectoryComparer.CompareDepartments(ad, wd, new CompareOptions()).Changes, new WeComDepartmentApplier(wecom.Client, apply)));
            var (au, wu) = await ReadUsersAsync(wecom);
            var plan = DirectoryComparer.CompareUsers(au, wu, new CompareOptions { UpdateMode = UpdateMode.None });
            // WeCom takes 6 calls at once (45033 beyond), each answered after 20 ms so that they overlap.
            _emulator.State.Limits.SetConcurrency("wecom", 6);
            _emulator.State.Faults.Add(new WeComSync.Emulator.Control.FaultRule { Api = "wecom", Kind = "latency", LatencyMs = 20 });

            var options = new ApplyOptions();
            var host = new RecordingHost();
            var results = await Task.Run(() => new PlanApplier(host, options).Apply(plan.Changes, new WeComUserApplier(wecom.Client, apply)));
            Assert.Equal(80, results.Count);
            Assert.All(results, r => { Assert.Equal(Outcome.Succeeded, r.Outcome); Assert.Null(r.ErrorCode); });
            Assert.True(options.Concurrency.Peak > 6, $"peak {options.Concurrency.Peak}: it grows past the cap before the service says so");
            Assert.True(options.Concurrency.Decreases >= 1, "the refusals halved the limit");
            Assert.Contains($"WeCom: up to {options.Concurrency.Peak} change(s) in flight (ceiling 64); back-pressure halved that {options.Concurrency.Decreases} time(s).", host.Verbose);
            Assert.All(results, r => Assert.Null(r.Error)); // no create was applied twice (that would be a 60102 "linked" note)
            var (linked, members) = await ReadUsersAsync(wecom);
            Assert.Equal(80, members.Count);
            Assert.All(linked, u => Assert.Equal(u.Username, u.UserId));
        }

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        public async Task Lost_write_back_of_users_and_departments_is_repaired_by_the_next_run_without_any_WeCom_write_and_the_third_run_plans_zero_changes(UpdateMode mode)
        {
            using var wecom = Connect();
            var first = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.All(first.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));

            // Simulate lost write-backs: every Authing link field emptied again (users and departments, not the root).
            var (authingDepartments, _) = await ReadDepartmentsAsync(wecom);
            foreach (var d in authingDepartments.Where(d => !d.IsRoot))
            {
                await _authing.UpdateDepartmentAsync(Org, d.SourceId, null, null,
                    new Newtonsoft.Json.Linq.JObject { ["wechatwork_department_id"] = "", ["wechatwork_parent_department_id"] = "" }, CancellationToken.None);
            }
            var (lost, _) = await ReadUsersAsync(wecom);
            foreach (var u in lost)
            {
                await _authing.UpdateUserAsync(u.SourceId, new Newtonsoft.Json.Linq.JObject
                {
                    ["customData"] = new Newtonsoft.Json.Linq.JObject { ["wechatwork_user_id"] = "", ["wechatwork_department_ids"] = "" },
                }, CancellationToken.None);
            }
            var (unlinked, _) = await ReadUsersAsync(wecom);
            Assert.All(unlinked, u => Assert.True(string.IsNullOrEmpty(u.UserId)));
            Assert.All((await ReadDepartmentsAsync(wecom)).Authing.Where(d => !d.IsRoot), d => Assert.True(string.IsNullOrEmpty(d.LinkId)));

            // The next run plans one link per object, writes the links back to Authing and makes no WeCom write call.
            var repair = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.Equal(4, repair.DepartmentPlan.Changes.Count);
            Assert.All(repair.DepartmentPlan.Changes, c => Assert.True(LinkChange.Only(c), c.Description));
            Assert.Contains("~ link department 广州研发部 to WeCom ", repair.DepartmentPlan.Changes.Select(c => c.Description.Substring(0, c.Description.LastIndexOf(' ') + 1)));
            Assert.Equal(4, repair.UserPlan.Changes.Count);
            Assert.All(repair.UserPlan.Changes, c => Assert.True(LinkChange.Only(c), c.Description));
            Assert.Contains("~ link user lisi (李四) to WeCom lisi", repair.UserPlan.Changes.Select(c => c.Description));
            Assert.All(repair.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(0, repair.Writes);

            // The links are back: the userid, and the member's WeCom department ids as WeCom holds them.
            var (relinked, weComUsers) = await ReadUsersAsync(wecom);
            Assert.All(relinked, u => Assert.Equal(u.Username, u.UserId));
            var zhang = await _authing.GetUserAsync(relinked.Single(u => u.Username == "zhangsan").SourceId, "user_id", CancellationToken.None);
            Assert.Equal(string.Join(",", weComUsers.Single(u => u.UserId == "zhangsan").Departments),
                ((string)zhang.CustomData["wechatwork_department_ids"]).Replace(LinkFieldNames.ListSeparator.ToString(), ","));
            var weComDepartments = (await ReadDepartmentsAsync(wecom)).WeCom;
            Assert.All((await ReadDepartmentsAsync(wecom)).Authing.Where(d => !d.IsRoot),
                d => Assert.Equal(weComDepartments.Single(w => w.Name == d.Name).Key, d.LinkId));

            // Idempotent: once linked, the third run plans nothing and writes nothing.
            var third = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.Empty(third.DepartmentPlan.Changes);
            Assert.Empty(third.UserPlan.Changes);
            Assert.Equal(0, third.Writes);
        }

        /// <summary>Authing's 王五 becomes "wang.wu" with an empty link field; WeCom keeps member wangwu of the same name.</summary>
        private async Task RenameAndUnlinkWangWuAsync(WeComConnection wecom)
        {
            var (linked, _) = await ReadUsersAsync(wecom);
            await _authing.UpdateUserAsync(linked.Single(u => u.Username == "wangwu").SourceId, new Newtonsoft.Json.Linq.JObject
            {
                ["username"] = "wang.wu",
                ["customData"] = new Newtonsoft.Json.Linq.JObject { ["wechatwork_user_id"] = "", ["wechatwork_department_ids"] = "" },
            }, CancellationToken.None);
        }

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        public async Task Unlinked_user_matched_by_unique_name_gets_its_link_written_without_any_WeCom_write_and_the_next_run_plans_zero_changes(UpdateMode mode)
        {
            using var wecom = Connect();
            var first = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.All(first.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));

            // 王五 in Authing: another username than the member's userid, and no link: only the unique name pairs them.
            await RenameAndUnlinkWangWuAsync(wecom);
            var (unlinked, _) = await ReadUsersAsync(wecom);
            Assert.True(string.IsNullOrEmpty(unlinked.Single(u => u.Username == "wang.wu").UserId));

            var run = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            var c = Assert.Single(run.UserPlan.Changes);
            Assert.True(LinkChange.Only(c), c.Description);
            Assert.Equal("~ link user wang.wu (王五) to WeCom wangwu", c.Description);
            Assert.Equal("matched by unique name; link not written back yet", c.Reason);
            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(0, run.Writes);
            Assert.True(Exists("wangwu"));
            var (relinked, _) = await ReadUsersAsync(wecom);
            Assert.Equal("wangwu", relinked.Single(u => u.Username == "wang.wu").UserId);

            var next = await RunAsync(wecom, new CompareOptions { UpdateMode = mode });
            Assert.Empty(next.UserPlan.Changes);
            Assert.Empty(next.DepartmentPlan.Changes);
            Assert.Equal(0, next.Writes);
        }

        [Fact]
        public async Task Unlinked_users_sharing_a_name_with_a_member_are_reported_as_a_conflict_not_created_and_not_linked()
        {
            using var wecom = Connect();
            await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.Changed });
            await RenameAndUnlinkWangWuAsync(wecom);
            var namesake = await _authing.CreateUserAsync(new Newtonsoft.Json.Linq.JObject { ["username"] = "wang.wu2", ["name"] = "王五", ["email"] = "wang.wu2@example.com" }, CancellationToken.None);
            var sales = (await ReadDepartmentsAsync(wecom)).Authing.Single(d => d.Name == "销售部");
            await _authing.SetUserDepartmentsAsync(namesake.UserId, new[] { sales.SourceId }, CancellationToken.None);

            var run = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.Changed });
            Assert.True(run.UserPlan.Changes.Count == 1, string.Join("; ", run.UserPlan.Changes.Select(x => x.Description + " " + x.Reason)));
            var c = run.UserPlan.Changes[0];
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Contains("by unique name", c.Reason);
            Assert.Equal(0, run.Writes);
            var (after, _) = await ReadUsersAsync(wecom);
            Assert.All(after.Where(u => u.Name == "王五"), u => Assert.True(string.IsNullOrEmpty(u.UserId)));
        }

        [Fact]
        public async Task Agent_development_mode_reads_without_sensitive_fields_and_the_rerun_still_plans_zero_changes()
        {
            using (var sync = Connect()) await RunAsync(sync, new CompareOptions { UpdateMode = UpdateMode.Changed });
            await ControlAsync("wecom/secrets", "{\"secret\":\"agent-secret-1\",\"mode\":\"agent\"}");
            using var agent = Connect(WeComAppMode.AgentDevelopment, "agent-secret-1");
            var users = await new WeComReader(agent.Client).ReadUsersAsync(CancellationToken.None);
            Assert.Equal(4, users.Count);
            Assert.All(users, u => { Assert.Null(u.Mobile); Assert.Null(u.Email); Assert.Contains("Mobile", u.WithheldFields); Assert.NotNull(u.Name); });
            var (au, wu) = await ReadUsersAsync(agent);
            var plan = DirectoryComparer.CompareUsers(au, wu, new CompareOptions { UpdateMode = UpdateMode.Changed });
            Assert.Empty(plan.Changes);
        }

        [Fact]
        public async Task Self_built_mode_withholds_the_same_fields_and_its_writes_are_explained_48002()
        {
            await ControlAsync("wecom/secrets", "{\"secret\":\"self-built-1\",\"mode\":\"self-built\"}");
            using var selfBuilt = Connect(WeComAppMode.SelfBuilt, "self-built-1");
            var checks = await WeComConnectionTest.RunAsync(selfBuilt.Client, CancellationToken.None);
            var write = checks.Single(c => c.Check.StartsWith("Write"));
            Assert.False(write.Passed);
            Assert.Equal("48002", write.Code);
            Assert.Contains("address-book sync", write.RecommendedAction);
        }

        [Fact]
        public async Task Overwrite_sends_updates_but_never_the_excluded_fields()
        {
            using var wecom = Connect();
            await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None });
            var before = _emulator.State.WeCom.GetUser("lisi");
            var (au, _) = await ReadUsersAsync(wecom);
            var lisi = au.Single(u => u.Username == "lisi");
            await _authing.UpdateUserAsync(lisi.SourceId, new Newtonsoft.Json.Linq.JObject { ["name"] = "李四四", ["phone"] = "13900000009" }, CancellationToken.None);
            var run = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.Overwrite, ExcludeProperty = new[] { "Mobile", "Email" } });
            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.DoesNotContain(run.UserPlan.Changes.SelectMany(c => c.Fields), f => f.Field == "Mobile" || f.Field == "Email");
            var after = _emulator.State.WeCom.GetUser("lisi");
            Assert.Equal("李四四", after.Name);
            Assert.Equal(before.Mobile, after.Mobile);
        }

        [Fact]
        public async Task A_user_deleted_in_Authing_is_removed_from_WeCom_only_with_Delete_and_within_the_guard()
        {
            using var wecom = Connect();
            await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None });
            var (au, _) = await ReadUsersAsync(wecom);
            await _authing.DeleteUsersBatchAsync(new[] { au.Single(u => u.Username == "wangwu").SourceId }, CancellationToken.None);

            var withoutDelete = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None });
            Assert.Equal(0, withoutDelete.Writes);
            Assert.True(Exists("wangwu"));

            var ops = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete;
            var guarded = await Assert.ThrowsAsync<SyncRunException>(() => RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None, Operation = ops }, guard: new DeleteGuard { MaxDelete = 0 }));
            Assert.Equal("DeleteGuard", guarded.Error.ErrorId);
            Assert.Equal(RunLog.ExitCodes.Stopped, guarded.Record.ExitCode);
            Assert.True(Exists("wangwu"));

            var deleted = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None, Operation = ops });
            Assert.Single(deleted.Results, r => r.Change.Operation == ChangeOperation.Delete && r.Outcome == Outcome.Succeeded);
            Assert.False(Exists("wangwu"));
        }

        [Fact]
        public async Task Create_meeting_60104_reports_the_holder_and_60102_links_the_existing_member()
        {
            using var wecom = Connect();
            // Someone in WeCom already holds lisi's mobile.
            await wecom.Client.CreateUserAsync(new Newtonsoft.Json.Linq.JObject { ["userid"] = "someone", ["name"] = "某人", ["department"] = new Newtonsoft.Json.Linq.JArray(1), ["mobile"] = "13800000002" }, CancellationToken.None);
            var run = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None });
            var lisi = run.Results.Single(r => (r.Change.Desired as User)?.Username == "lisi");
            Assert.Equal(Outcome.Failed, lisi.Outcome);
            Assert.Equal("60104", lisi.ErrorCode);
            Assert.Contains("'someone'", lisi.Error);
            Assert.False(Exists("lisi"));

            // A stale plan (made before zhangsan was created) creates zhangsan again: 60102 links and updates instead,
            // and the update keeps the custom attribute set on the member by hand beside the mapped one it writes.
            await wecom.Client.UpdateUserAsync(Newtonsoft.Json.Linq.JObject.Parse("{\"userid\":\"zhangsan\",\"extattr\":{\"attrs\":[{\"type\":0,\"name\":\"爱好\",\"text\":{\"value\":\"旅游\"}}]}}"), CancellationToken.None);
            var (au, _) = await ReadUsersAsync(wecom);
            var zhang = au.Single(u => u.Username == "zhangsan");
            zhang.UserId = null;
            zhang.Name = "张三丰";
            zhang.Extra["工号"] = "A1";
            var map = FieldMap.Create(new[] { new KeyValuePair<string, string>("工号", "extattr.工号") }, FieldSide.WeCom);
            var stale = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "zhangsan", Desired = zhang };
            var result = new PlanApplier(new RecordingHost()).Apply(new[] { stale }, new WeComUserApplier(wecom.Client, new WeComApplyOptions { Ids = wecom.DepartmentIds, LinkWriter = new AuthingLinkWriter(_authing, Org), FieldMap = map })).Single();
            Assert.Equal(Outcome.Succeeded, result.Outcome);
            Assert.Contains("60102", result.Error);
            Assert.Equal("张三丰", _emulator.State.WeCom.GetUser("zhangsan").Name);
            var attrs = _emulator.State.WeCom.GetUser("zhangsan").Extattr["attrs"].AsArray();
            Assert.Equal(new[] { "爱好", "工号" }, attrs.Select(a => a["name"].GetValue<string>()));
            Assert.Equal(4 - 1 + 1, _emulator.State.WeCom.UserCount); // three synced + someone; no duplicate
        }

        [Fact]
        public async Task A_token_invalidated_mid_run_is_refreshed_and_the_run_goes_on()
        {
            using var wecom = Connect();
            await new WeComReader(wecom.Client).ReadDepartmentsAsync(CancellationToken.None);
            var host = new RecordingHost();
            int calls = 0;
            host.Decide = (_, __) => { if (++calls == 3) _emulator.State.WeCom.InvalidateTokens(42001); return true; };
            var run = await RunAsync(wecom, new CompareOptions { UpdateMode = UpdateMode.None }, host);
            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.True(wecom.Client.TokenRefreshes >= 1);
            Assert.Equal(4, _emulator.State.WeCom.UserCount);
        }

        [Theory]
        [InlineData("sync-new-ip", "48009")]
        [InlineData("untrusted-ip", "60020")]
        public async Task Detail_ban_48009_and_untrusted_ip_60020_give_their_explained_errors(string mode, string code)
        {
            await ControlAsync("wecom/secrets", $"{{\"secret\":\"s-{mode}\",\"mode\":\"{mode}\"}}");
            using var wecom = Connect(WeComAppMode.AddressBookSync, "s-" + mode);
            var checks = await WeComConnectionTest.RunAsync(wecom.Client, CancellationToken.None);
            var failed = checks.First(c => !c.Passed);
            Assert.Equal(code, failed.Code);
            Assert.Contains(code == "48009" ? "export" : "trusted IP", failed.RecommendedAction);
        }
    }
}
