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
using WeComSync.Emulator.Control;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.Tests.Apply;
using Xunit;

namespace WeComSync.Tests.Authing
{
    /// <summary>
    /// The upstream sync end to end against the in-process emulator over HTTP on 127.0.0.1: read Authing, compare with a
    /// desired directory (as the export reader produces it), apply with the Authing appliers, count the emulator's calls.
    /// </summary>
    public sealed class AuthingSyncEndToEndTests : IAsyncLifetime
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Top = "测试科技";
        private EmulatorServer _server;
        private AuthingClient _client;
        private readonly List<string> _trace = new List<string>();

        public async Task InitializeAsync()
        {
            _server = await EmulatorServer.StartAsync();
            _client = new AuthingClient(new AuthingSettings
            {
                ApiHost = _server.BaseUrl.ToString(),
                AccessKeyId = EmulatorDefaults.AccessKeyId,
                AccessKeySecret = EmulatorDefaults.AccessKeySecret,
                OrganizationCode = Org,
                Retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
            })
            { Trace = line => { lock (_trace) _trace.Add(line); } };
            await _client.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(_client, default), default);
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _server.DisposeAsync();
        }

        // ------------------------------------------------------------ the desired side, as the export reader builds it

        private static Department Dept(string path)
        {
            var parts = path.Split('/');
            string parent = parts.Length == 1 ? null : string.Join("/", parts.Take(parts.Length - 1));
            return new Department
            {
                Key = path, LinkId = path, ParentKey = parent, ParentLinkId = parent, Name = parts.Last(), Path = path,
                Depth = parts.Length - 1, IsRoot = parts.Length == 1, Source = DirectorySource.WeComExport,
            };
        }

        private static User Member(string userId, string name, int n, params string[] departments) => new User
        {
            UserId = userId, Name = name, Alias = "", Mobile = $"+86 139{n:00000000}", Email = $"{userId}@example.com", Address = "",
            Gender = n % 2 == 0 ? Gender.Female : Gender.Male, Enabled = true, Departments = departments.ToList(),
            Source = DirectorySource.WeComExport, Origin = $"test, row {n}",
            WithheldFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(User.Position), nameof(User.Telephone), nameof(User.BizMail) },
        };

        private static List<Department> Tree() => new[] { Top, Top + "/研发部", Top + "/研发部/后端组", Top + "/销售部" }.Select(Dept).ToList();

        private static List<User> Members(int count)
        {
            var depts = new[] { Top + "/研发部", Top + "/研发部/后端组", Top + "/销售部", Top };
            var users = Enumerable.Range(1, count).Select(i => Member($"user{i:000}", $"成员{i}", i, depts[i % depts.Length])).ToList();
            users[0].Departments = new List<string> { Top + "/销售部", Top + "/研发部" }; // several departments, the main one first
            return users;
        }

        // ------------------------------------------------------------ one sync: what the template does, in the core

        private sealed class SyncRun
        {
            public Plan DepartmentPlan, UserPlan;
            public IReadOnlyList<Result> DepartmentResults, UserResults;
        }

        private async Task<SyncRun> SyncAsync(List<Department> departments, List<User> users, bool deleteOnly = false, ApplyOptions options = null, RecordingHost host = null)
        {
            var reader = new AuthingDirectoryReader(_client);
            var map = await reader.ReadDepartmentsAsync(Org, Top, default);
            var authingUsers = (await reader.ReadUsersAsync(map, null, default)).Users;
            var run = new SyncRun();
            host = host ?? new RecordingHost();
            if (!deleteOnly)
            {
                run.DepartmentPlan = DirectoryComparer.CompareDepartments(departments, map.ToDepartments(true), null, users, authingUsers);
                run.DepartmentResults = new PlanApplier(host, options).Apply(run.DepartmentPlan.Changes, new AuthingDepartmentApplier(_client, Org, Top));
                run.UserPlan = DirectoryComparer.CompareUsers(users, authingUsers);
            }
            else
            {
                run.UserPlan = DirectoryComparer.CompareUsers(users, authingUsers, new CompareOptions { Operation = PlanOperation.Delete });
            }
            run.UserResults = new PlanApplier(host, options).Apply(run.UserPlan.Changes, new AuthingUserApplier(_client, Org, Top));
            return run;
        }

        private static readonly string[] WriteVerbs = { "create-", "update-", "delete-", "set-user-", "add-", "remove-" };

        private Dictionary<string, long> Writes() => _server.State.Calls.Snapshot()
            .Where(kv => kv.Key.StartsWith("/api/v3/") && WriteVerbs.Any(v => kv.Key.Substring(8).StartsWith(v)))
            .ToDictionary(kv => kv.Key.Substring(8), kv => kv.Value);

        private long Calls(string api) => _server.State.Calls.Get("/api/v3/" + api);

        private async Task<List<User>> AuthingUsersAsync()
        {
            var reader = new AuthingDirectoryReader(_client);
            return (await reader.ReadUsersAsync(await reader.ReadDepartmentsAsync(Org, Top, default), null, default)).Users;
        }

        // ------------------------------------------------------------ tests

        [Fact]
        public async Task First_sync_into_an_empty_pool_creates_departments_parents_first_and_users_in_batches_of_50()
        {
            var run = await SyncAsync(Tree(), Members(120));

            Assert.Equal(3, run.DepartmentResults.Count);
            Assert.All(run.DepartmentResults, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(120, run.UserResults.Count);
            Assert.All(run.UserResults, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.All(run.UserResults, r => Assert.False(string.IsNullOrEmpty(r.NewId)));
            Assert.Equal(3, Calls("create-users-batch")); // 50 + 50 + 20
            Assert.Equal(0, Calls("create-user"));

            var back = await AuthingUsersAsync();
            Assert.Equal(120, back.Count);
            var first = back.Single(u => u.UserId == "user001");
            Assert.Equal("user001", first.Username); // username = userid
            Assert.Equal(new[] { Top + "/销售部", Top + "/研发部" }, first.Departments); // main department first
            Assert.Equal("+86 13900000001", first.Mobile);
            var inTop = back.Single(u => u.UserId == "user003");
            Assert.Equal(new[] { Top }, inTop.Departments); // the top department is the organization's root

            var tree = (await new AuthingDirectoryReader(_client).ReadDepartmentsAsync(Org, Top, default)).ToDepartments(false);
            var backend = tree.Single(d => d.Name == "后端组");
            Assert.Equal(Top + "/研发部/后端组", backend.LinkId);
            Assert.Equal(Top + "/研发部", backend.ParentLinkId);
            Assert.Equal(tree.Single(d => d.Name == "研发部").Key, backend.ParentKey); // created under the id its parent got in the same run
        }

        [Fact]
        public async Task Rerun_is_idempotent_with_zero_write_calls()
        {
            await SyncAsync(Tree(), Members(60));
            _server.State.Calls.Clear();

            var again = await SyncAsync(Tree(), Members(60));

            Assert.Empty(again.DepartmentPlan.Changes);
            Assert.Empty(again.UserPlan.Changes);
            Assert.Empty(Writes());
        }

        [Fact]
        public async Task A_changed_file_gives_exactly_the_expected_updates_with_only_the_changed_fields()
        {
            await SyncAsync(Tree(), Members(30));
            _server.State.Calls.Clear();
            var users = Members(30);
            users[4].Mobile = "+86 13811112222";
            users[7].Name = "改名了";

            var run = await SyncAsync(Tree(), users);

            Assert.Equal(2, run.UserPlan.Changes.Count);
            Assert.All(run.UserResults, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(new Dictionary<string, long> { ["update-user"] = 2 }, Writes());
            var back = await AuthingUsersAsync();
            Assert.Equal("+86 13811112222", back.Single(u => u.UserId == "user005").Mobile);
            Assert.Equal("改名了", back.Single(u => u.UserId == "user008").Name);
            Assert.Equal(users[7].Email, back.Single(u => u.UserId == "user008").Email); // untouched fields stay
        }

        [Fact]
        public async Task A_user_moved_between_departments_gets_new_memberships_main_first()
        {
            await SyncAsync(Tree(), Members(10));
            _server.State.Calls.Clear();
            var users = Members(10);
            users[1].Departments = new List<string> { Top + "/研发部/后端组", Top + "/销售部" };

            var run = await SyncAsync(Tree(), users);

            Assert.Equal(Outcome.Succeeded, Assert.Single(run.UserResults).Outcome);
            Assert.Equal(1, Calls("set-user-departments"));
            Assert.Equal(new[] { Top + "/研发部/后端组", Top + "/销售部" }, (await AuthingUsersAsync()).Single(u => u.UserId == "user002").Departments);
            _server.State.Calls.Clear();
            await SyncAsync(Tree(), users);
            Assert.Empty(Writes());
        }

        [Fact]
        public async Task A_department_renamed_and_moved_keeps_its_Authing_id_and_is_rekeyed()
        {
            var tree = Tree();
            var users = Members(12);
            await SyncAsync(tree, users);
            var before = (await new AuthingDirectoryReader(_client).ReadDepartmentsAsync(Org, Top, default)).ToDepartments(false).Single(d => d.Name == "后端组");

            // In WeCom 后端组 became 服务端组 under 销售部: the export shows a new path and the old one is gone.
            string newPath = Top + "/销售部/服务端组";
            tree = tree.Where(d => d.Name != "后端组").Append(Dept(newPath)).ToList();
            foreach (var u in users) u.Departments = u.Departments.Select(d => d == Top + "/研发部/后端组" ? newPath : d).ToList();
            _server.State.Calls.Clear();

            var run = await SyncAsync(tree, users);

            var change = Assert.Single(run.DepartmentPlan.Changes);
            Assert.Equal(ChangeOperation.Move, change.Operation);
            Assert.Equal(0, Calls("create-department"));
            Assert.Equal(0, Calls("delete-department"));
            var after = (await new AuthingDirectoryReader(_client).ReadDepartmentsAsync(Org, Top, default)).ToDepartments(false).Single(d => d.SourceId == before.SourceId);
            Assert.Equal("服务端组", after.Name);
            Assert.Equal(newPath, after.LinkId);
            Assert.Equal(Top + "/销售部", after.ParentLinkId);
            Assert.All(run.UserResults, r => Assert.Equal(Outcome.Succeeded, r.Outcome));

            _server.State.Calls.Clear();
            var again = await SyncAsync(tree, users);
            Assert.Empty(again.DepartmentPlan.Changes);
            Assert.Empty(again.UserPlan.Changes);
            Assert.Empty(Writes());
        }

        [Fact]
        public async Task DeleteOnly_removes_exactly_the_absent_users_and_stops_at_the_guard()
        {
            await SyncAsync(Tree(), Members(20));
            var remaining = Members(20).Where(u => u.UserId != "user003" && u.UserId != "user011" && u.UserId != "user017").ToList();
            _server.State.Calls.Clear();

            var guarded = new ApplyOptions { DeleteGuard = new DeleteGuard { MaxDelete = 2 } };
            var e = await Assert.ThrowsAsync<DeleteGuardException>(() => SyncAsync(Tree(), remaining, deleteOnly: true, options: guarded));
            Assert.Equal(3, e.DeleteCount);
            Assert.Equal(20, e.TargetCount);
            Assert.Empty(Writes());

            var allowed = new ApplyOptions { DeleteGuard = new DeleteGuard { MaxDelete = 5, MaxDeletePercent = 20 } };
            var run = await SyncAsync(Tree(), remaining, deleteOnly: true, options: allowed);
            Assert.Equal(3, run.UserResults.Count(r => r.Outcome == Outcome.Succeeded && r.Change.Operation == ChangeOperation.Delete));
            Assert.Equal(1, Calls("delete-users-batch"));
            var back = await AuthingUsersAsync();
            Assert.Equal(17, back.Count);
            Assert.DoesNotContain(back, u => u.UserId == "user003" || u.UserId == "user011" || u.UserId == "user017");
        }

        [Fact]
        public async Task A_409_on_create_for_an_unlinked_user_becomes_link_and_update()
        {
            await SyncAsync(Tree(), new List<User>());
            // Made by hand in Authing: another login name, same mobile, not linked to WeCom.
            var existing = await _client.CreateUserAsync(new JObject { ["username"] = "zhang.san", ["name"] = "张三(旧)", ["phone"] = "13900000001", ["phoneCountryCode"] = "+86" }, default);
            var users = new List<User> { Member("zhangsan", "张三", 1, Top + "/研发部") };

            var run = await SyncAsync(Tree(), users);

            var result = Assert.Single(run.UserResults);
            Assert.Equal(ChangeOperation.Create, result.Change.Operation);
            Assert.Equal(Outcome.Succeeded, result.Outcome);
            Assert.Equal(existing.UserId, result.NewId);
            var back = Assert.Single(await AuthingUsersAsync());
            Assert.Equal("zhangsan", back.UserId); // linked
            Assert.Equal("张三", back.Name);       // and updated
            Assert.Equal(new[] { Top + "/研发部" }, back.Departments);
            _server.State.Calls.Clear();
            await SyncAsync(Tree(), users);
            Assert.Empty(Writes());
        }

        [Fact]
        public async Task One_bad_user_in_a_batch_fails_alone_and_the_others_are_created()
        {
            await SyncAsync(Tree(), new List<User>());
            // Linked to another WeCom user and holding the email the file gives user003: a real conflict.
            await _client.CreateUserAsync(new JObject { ["username"] = "other", ["email"] = "user003@example.com", ["customData"] = new JObject { ["wechatwork_user_id"] = "other" } }, default);

            var run = await SyncAsync(Tree(), Members(10));

            var failed = Assert.Single(run.UserResults, r => r.Outcome == Outcome.Failed);
            Assert.Equal("user003", failed.Change.Key);
            Assert.StartsWith("409", failed.ErrorCode);
            Assert.Equal(9, run.UserResults.Count(r => r.Outcome == Outcome.Succeeded));
            Assert.Equal(1, Calls("create-users-batch"));
            Assert.Equal(1 + 10, Calls("create-user")); // the setup's user, then the refused batch one call per user
        }

        [Fact]
        public async Task A_department_whose_parent_failed_is_skipped_and_its_members_fail_with_a_clear_message()
        {
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-department", Kind = "errcode", Status = 400, Count = 1 });
            // Siblings are created in parallel, so the fault would hit whichever arrives first: one at a time, in plan
            // order, makes it 研发部 every time.
            var run = await SyncAsync(Tree(), Members(4), options: new ApplyOptions { ThrottleLimit = 1 });

            Assert.Equal(Outcome.Failed, run.DepartmentResults.Single(r => r.Change.Key == Top + "/研发部").Outcome);
            var child = run.DepartmentResults.Single(r => r.Change.Key == Top + "/研发部/后端组");
            Assert.Equal(Outcome.Skipped, child.Outcome);
            Assert.Contains(Top + "/研发部", child.Error);
            Assert.Equal(Outcome.Succeeded, run.DepartmentResults.Single(r => r.Change.Key == Top + "/销售部").Outcome);
            var failed = run.UserResults.Where(r => r.Outcome == Outcome.Failed).Select(r => r.Change.Key).OrderBy(k => k).ToList();
            Assert.Equal(new[] { "user001", "user004" }, failed); // members of 研发部, which was not created
            Assert.All(run.UserResults.Where(r => r.Outcome == Outcome.Failed), r => Assert.Contains("does not exist in Authing", r.Error));
            Assert.Equal(2, run.UserResults.Count(r => r.Outcome == Outcome.Succeeded));
        }

        [Fact]
        public async Task The_management_token_is_cached_and_fetched_again_once_after_a_401()
        {
            await _client.ListUsersAsync(1, 10, null, default);
            await _client.ListUsersAsync(1, 10, null, default);
            Assert.Equal(1, _client.TokenFetches);
            Assert.Equal(EmulatorDefaults.UserPoolId, _client.UserPoolId);

            _server.State.AuthingAuth.InvalidateTokens();
            var page = await _client.ListUsersAsync(1, 10, null, default);

            Assert.Equal(0, page.TotalCount);
            Assert.Equal(2, _client.TokenFetches);
        }

        [Fact]
        public async Task A_failed_page_marks_every_user_incomplete_so_no_deletes_are_planned()
        {
            await SyncAsync(Tree(), Members(120));
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/list-users", Kind = "busy", Page = 2 });
            var reader = new AuthingDirectoryReader(_client);
            var read = await reader.ReadUsersAsync(await reader.ReadDepartmentsAsync(Org, Top, default), null, default);

            Assert.Single(read.FailedPages);
            Assert.Equal(70, read.Users.Count);
            Assert.All(read.Users, u => Assert.Contains("page", u.IncompleteReason));
            var plan = DirectoryComparer.CompareUsers(Members(10), read.Users, new CompareOptions { Operation = PlanOperation.Delete });
            Assert.Empty(plan.Changes.Where(c => c.Operation == ChangeOperation.Delete));
            Assert.NotNull(plan.DeleteRefusedReason);
        }

        [Fact]
        public async Task A_throttled_page_stays_throttled_when_the_reader_reports_it_against_its_page()
        {
            await SyncAsync(Tree(), Members(120));
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/list-users", Kind = "throttle-envelope", Page = 2 });
            var reader = new AuthingDirectoryReader(_client);
            var read = await reader.ReadUsersAsync(await reader.ReadDepartmentsAsync(Org, Top, default), null, default);

            var page = Assert.Single(read.FailedPages);
            Assert.Equal("list-users page 2", page.Endpoint);
            Assert.Equal(ApiErrorClass.Throttled, page.Class); // the copy once turned it into Retryable
            Assert.True(page.Is(AuthingErrorCodes.TooManyRequests));
            Assert.True(page.IsBackPressure);
            Assert.Contains("CallsPerMinute", page.RecommendedAction);
        }

        [Fact]
        public async Task WhatIf_makes_no_write_call()
        {
            _server.State.Calls.Clear();
            var run = await SyncAsync(Tree(), Members(60), host: new RecordingHost { Decide = (_, __) => false });
            Assert.Equal(3, run.DepartmentPlan.Changes.Count);
            Assert.Equal(60, run.UserPlan.Changes.Count);
            Assert.Empty(Writes());
        }

        [Fact]
        public async Task Credentials_and_tokens_never_appear_in_traces_or_errors()
        {
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/update-user", Kind = "errcode", Status = 400 });
            await SyncAsync(Tree(), Members(3));
            var users = Members(3);
            users[0].Name = "x";
            var run = await SyncAsync(Tree(), users);
            var token = await _client.GetTokenAsync(default);

            var text = string.Join("\n", _trace) + string.Join("\n", run.UserResults.Select(r => r.Error));
            Assert.Contains("update-user", text);
            Assert.DoesNotContain(EmulatorDefaults.AccessKeySecret, text);
            Assert.DoesNotContain(token, text);
            Assert.Equal(Outcome.Failed, Assert.Single(run.UserResults).Outcome);
        }

        // ------------------------------------------------------------ fidelity, second audit (issue 24): Authing

        [Fact]
        public async Task A_member_in_60_departments_is_written_with_the_first_50_and_the_result_names_the_10_not_set()
        {
            var paths = Enumerable.Range(1, 60).Select(i => $"{Top}/D{i:00}").ToList();
            var tree = new[] { Top }.Concat(paths).Select(Dept).ToList();
            var member = Member("wide", "多部门", 1, paths.ToArray());

            var first = await SyncAsync(tree, new List<User> { member });
            var created = Assert.Single(first.UserResults);
            Assert.Equal(Outcome.Failed, created.Outcome);
            Assert.Equal("departments", created.ErrorCode);
            Assert.False(string.IsNullOrEmpty(created.NewId));            // the user exists: only the memberships beyond 50 are missing
            Assert.Contains("created", created.Error);
            Assert.Contains("first 50 of 60", created.Error);
            Assert.Contains($"Not set (10): {Top}/D51; ", created.Error);
            Assert.Contains($"{Top}/D60.", created.Error);
            Assert.DoesNotContain($"{Top}/D50;", created.Error);

            var inAuthing = Assert.Single(await AuthingUsersAsync());
            Assert.Equal(paths.Take(50), inAuthing.Departments);           // main department first, WeCom's order

            // The next run sees the difference again, writes the first 50 with set-user-departments (never 60) and says so again.
            _server.State.Calls.Clear();
            var second = await SyncAsync(tree, new List<User> { Member("wide", "多部门", 1, paths.ToArray()) });
            var updated = Assert.Single(second.UserResults);
            Assert.Equal(Outcome.Failed, updated.Outcome);
            Assert.Contains("updated", updated.Error);
            Assert.Contains($"{Top}/D55", updated.Error);
            Assert.Equal(1, Calls("set-user-departments"));
        }

        [Fact]
        public async Task Status_402_the_pools_plan_stops_the_user_step_with_the_upgrade_advice_and_no_call_per_user()
        {
            await SyncAsync(Tree(), new List<User>());                    // departments in place
            _server.State.Calls.Clear();
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-users-batch", Kind = "errcode", Status = 402 });
            var reader = new AuthingDirectoryReader(_client);
            var plan = DirectoryComparer.CompareUsers(Members(60), (await reader.ReadUsersAsync(await reader.ReadDepartmentsAsync(Org, Top, default), null, default)).Users);
            var emitted = new List<Result>();

            var stop = Assert.Throws<RunStoppedException>(() =>
                new PlanApplier(new RecordingHost(), new ApplyOptions { ThrottleLimit = 1 }).Apply(plan.Changes, new AuthingUserApplier(_client, Org, Top), emitted.Add));

            Assert.Contains("plan", stop.Message);
            Assert.Equal(60, emitted.Count);
            Assert.All(emitted, r => Assert.NotEqual(Outcome.Succeeded, r.Outcome));
            Assert.Equal(1, Calls("create-users-batch"));                  // the second batch is not sent
            Assert.Equal(0, Calls("create-user"));                         // nor one call per user
        }

        [Theory]
        [InlineData(413)]
        [InlineData(422)]
        [InlineData(499)]
        [InlineData(501)]
        public async Task Statuses_413_422_499_501_fail_the_one_object_and_are_not_retried(int status)
        {
            await SyncAsync(Tree(), Members(1));
            var user = Assert.Single(await AuthingUsersAsync());
            _server.State.Calls.Clear();
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/update-user", Kind = "errcode", Status = status, Count = 1 });

            var e = await Assert.ThrowsAsync<ApiException>(() =>
                _client.UpdateUserAsync(user.SourceId, new JObject { ["name"] = "x", ["status"] = "Activated", ["gender"] = "M" }, default));

            Assert.Equal(status.ToString(), e.Code);
            Assert.Equal(ApiErrorClass.PerObject, e.Class);
            Assert.False(e.StopsRun);
            Assert.Equal(1, Calls("update-user"));
            Assert.True(AuthingErrorCodes.IsKnown(status));
        }

        [Fact]
        public async Task A_link_batch_refused_for_its_size_is_sent_again_in_halves_and_the_later_batches_stay_small()
        {
            var org = await _client.GetOrganizationAsync(Org, default);
            var created = await _client.CreateUsersBatchAsync(Enumerable.Range(1, 40).Select(i => new JObject
            {
                ["username"] = $"bulk{i}", ["name"] = $"批量{i}", ["departmentIds"] = new JArray(org.DepartmentId),
            }).ToList(), default);
            _server.State.Authing.UpdateUserBatchLimit = 12;   // the service's size, which no document gives
            // Answers as slow as over the internet, so that the links gather into one batch while the first ones are in flight.
            foreach (var path in new[] { "/api/v3/update-user-batch", "/api/v3/update-user" })
                _server.State.Faults.Add(new FaultRule { Api = "authing", Path = path, Kind = "latency", LatencyMs = 100 });
            _server.State.Calls.Clear();
            var writer = new WeComSync.WeCom.AuthingLinkWriter(_client, Org);

            await Task.WhenAll(created.Select(dto => writer.WriteUserLinkAsync(
                new User { SourceId = dto.UserId, UserId = dto.Username, StatusText = "Activated", Gender = Gender.Male }, "wx-" + dto.Username, new[] { "1" }, default)));

            Assert.True(writer.LearnedSizeLimit <= 12, $"learned {writer.LearnedSizeLimit}");
            Assert.True(Calls("update-user-batch") >= 3, $"{Calls("update-user-batch")} update-user-batch calls");
            Assert.True(Calls("update-user") <= 2, $"{Calls("update-user")} update-user calls"); // only the lone first links, never one per user
            var users = await AuthingUsersAsync();
            Assert.Equal(40, users.Count);
            Assert.All(users, u => Assert.Equal("wx-" + u.Username, u.UserId));
        }

        [Fact]
        public async Task Create_department_carries_the_metadata_the_service_requires()
        {
            // The emulator refuses create-department without metadata, as docs-v3 marks it required.
            var org = await _client.GetOrganizationAsync(Org, default);
            var created = await _client.CreateDepartmentAsync(Org, "元数据", org.DepartmentId, null, default);
            Assert.False(string.IsNullOrEmpty(created.DepartmentId));
            var renamed = await _client.UpdateDepartmentAsync(Org, created.DepartmentId, "元数据2", null, null, default);
            Assert.Equal("元数据2", renamed.Name);
        }
    }
}
