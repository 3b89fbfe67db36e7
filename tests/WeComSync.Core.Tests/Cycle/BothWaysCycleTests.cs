using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.AddressBook;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Emulator;
using WeComSync.ExportGenerator;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Cycle
{
    /// <summary>
    /// One Authing pool synced both ways (docs/ARCHITECTURE.md §3, link fields): downstream (Authing → WeCom), then
    /// upstream from the export the console gives for WeCom's state, then downstream again, end to end against the
    /// emulator over HTTP on 127.0.0.1. The link fields keep one meaning (WeCom's id wherever it is known), so the second
    /// and third runs plan nothing, in both directions, for users and departments.
    /// </summary>
    public sealed class BothWaysCycleTests : IAsyncLifetime
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Company = EmulatorDefaults.RootDepartmentName; // WeCom's root, the first segment of every path
        private EmulatorServer _emulator;
        private AuthingClient _authing;
        private readonly HttpClient _control = new HttpClient();
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "wecomsync-cycle-" + Guid.NewGuid().ToString("N"));

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(_folder);
            _emulator = await EmulatorServer.StartAsync();
            _authing = new AuthingClient(new AuthingSettings
            {
                ApiHost = _emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), AccessKeyId = EmulatorDefaults.AccessKeyId, AccessKeySecret = EmulatorDefaults.AccessKeySecret,
                OrganizationCode = Org, Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            });
            await _authing.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), CancellationToken.None);
            await SeedAuthingAsync();
        }

        public async Task DisposeAsync()
        {
            _authing.Dispose();
            _control.Dispose();
            await _emulator.DisposeAsync();
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }

        /// <summary>研发部/微信事业群/广州研发部 and 销售部 under the organization's root, five users (one in two departments).</summary>
        private async Task SeedAuthingAsync()
        {
            var org = await _authing.GetOrganizationAsync(Org, CancellationToken.None);
            var rd = await _authing.CreateDepartmentAsync(Org, "研发部", org.DepartmentId, null, CancellationToken.None);
            var wx = await _authing.CreateDepartmentAsync(Org, "微信事业群", rd.DepartmentId, null, CancellationToken.None);
            var gz = await _authing.CreateDepartmentAsync(Org, "广州研发部", wx.DepartmentId, null, CancellationToken.None);
            var sales = await _authing.CreateDepartmentAsync(Org, "销售部", org.DepartmentId, null, CancellationToken.None);
            async Task User(string username, string name, string phone, string gender, params string[] depts)
            {
                var u = await _authing.CreateUserAsync(new JObject
                {
                    ["username"] = username, ["name"] = name, ["phone"] = phone, ["phoneCountryCode"] = "+86", ["email"] = username + "@example.com", ["gender"] = gender,
                }, CancellationToken.None);
                await _authing.SetUserDepartmentsAsync(u.UserId, depts, CancellationToken.None);
            }
            await User("zhangsan", "张三", "13800000001", "M", gz.DepartmentId, sales.DepartmentId);
            await User("lisi", "李四", "13800000002", "F", wx.DepartmentId);
            await User("wangwu", "王五", "13800000003", "U", sales.DepartmentId);
            await User("zhaoliu", "赵六", "13800000004", "M", rd.DepartmentId);
            await User("zhaoyong", "赵勇", "13800000005", "M", org.DepartmentId); // in the company itself (WeCom's root)
        }

        private WeComConnection Connect() => new WeComConnection(new WeComConnectionSettings
        {
            CorpId = EmulatorDefaults.CorpId, Secret = EmulatorDefaults.CorpSecret, AppMode = WeComAppMode.AddressBookSync, ApiHost = _emulator.BaseUrl,
            Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });

        private sealed class Run
        {
            public Plan Departments, Users;
            public List<Result> Results = new List<Result>();
            public IEnumerable<Change> Changes => Departments.Changes.Concat(Users.Changes);
            public string Describe() => string.Join("\n", Changes.Select(c => c.Description ?? c.ToString()));
        }

        /// <summary>A downstream run the way the template runs it: departments, then users read again; the org root is WeCom's 1.</summary>
        private async Task<Run> DownstreamAsync(WeComConnection wecom, UpdateMode mode)
        {
            var apply = new WeComApplyOptions { Ids = wecom.DepartmentIds, LinkWriter = new AuthingLinkWriter(_authing, Org) };
            var reader = new AuthingDirectoryReader(_authing);
            var map = await reader.ReadDepartmentsAsync(Org, "1", CancellationToken.None);
            var wd = await new WeComReader(wecom.Client).ReadDepartmentsAsync(CancellationToken.None);
            var run = new Run
            {
                Departments = DirectoryComparer.CompareDepartments(map.ToDepartments(true), wd,
                    new CompareOptions { UpdateMode = mode == UpdateMode.Overwrite ? UpdateMode.Changed : mode, Operation = PlanOperation.Create | PlanOperation.Update }),
            };
            run.Results.AddRange(await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(run.Departments.Changes, new WeComDepartmentApplier(wecom.Client, apply))));
            map = await reader.ReadDepartmentsAsync(Org, "1", CancellationToken.None);
            var au = (await reader.ReadUsersAsync(map, null, CancellationToken.None)).Users;
            var wu = await new WeComReader(wecom.Client).ReadUsersAsync(CancellationToken.None);
            run.Users = DirectoryComparer.CompareUsers(au, wu, new CompareOptions
            {
                UpdateMode = mode, Operation = PlanOperation.Create | PlanOperation.Update, MatchBy = new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username, MatchKey.Name },
            });
            run.Results.AddRange(await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(run.Users.Changes, new WeComUserApplier(wecom.Client, apply))));
            return run;
        }

        /// <summary>The export the console gives now, in its layout, written as an .xlsx.</summary>
        private async Task<string> ExportWeComAsync(string name)
        {
            var dump = await _control.GetStringAsync(new Uri(_emulator.BaseUrl, EmulatorDefaults.ControlPrefix.TrimStart('/') + "/state"));
            var path = Path.Combine(_folder, name);
            ExportWriter.Write(path, ConsoleExport.FromDump(dump));
            return path;
        }

        /// <summary>
        /// An upstream run the way the template runs it: the export's users and tree, Authing read once, departments
        /// (recognised by members), then users. With <paramref name="ignoreRoot"/> the file's top is the organization's root.
        /// </summary>
        private async Task<Run> UpstreamAsync(string file, UpdateMode mode, bool ignoreRoot = true)
        {
            var host = new RecordingHost();
            var fileUsers = new AddressBookReader(null, host).ReadUsers(file).ToList();
            var fileTree = new AddressBookReader().ReadDepartments(file);
            Assert.Empty(host.Errors);
            string rootLink = ignoreRoot ? fileTree.Single(d => d.IsRoot).LinkId : null;
            var reader = new AuthingDirectoryReader(_authing);
            var map = await reader.ReadDepartmentsAsync(Org, rootLink, CancellationToken.None);
            var au = (await reader.ReadUsersAsync(map, null, CancellationToken.None)).Users;
            var run = new Run { Departments = DirectoryComparer.CompareDepartments(fileTree, map.ToDepartments(true), new CompareOptions(), fileUsers, au) };
            run.Results.AddRange(await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(run.Departments.Changes, new AuthingDepartmentApplier(_authing, Org, rootLink))));
            run.Users = DirectoryComparer.CompareUsers(fileUsers, au, new CompareOptions { UpdateMode = mode });
            run.Results.AddRange(await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(run.Users.Changes, new AuthingUserApplier(_authing, Org, rootLink))));
            return run;
        }

        private JObject AuthingDepartmentData(string name) =>
            JObject.Parse(_emulator.State.Dump().Authing.Departments.Single(d => d.OrganizationCode == Org && d.Name == name).CustomData?.ToJsonString() ?? "{}");

        private JObject AuthingUserData(string username) =>
            JObject.Parse(_emulator.State.Dump().Authing.Users.Single(u => u.Username == username).CustomData?.ToJsonString() ?? "{}");

        [Theory]
        [InlineData(UpdateMode.Changed)]
        [InlineData(UpdateMode.None)]
        public async Task Downstream_then_upstream_from_WeComs_export_then_downstream_again_plans_zero_changes_and_the_links_keep_WeComs_ids(UpdateMode downstreamMode)
        {
            using var wecom = Connect();
            var first = await DownstreamAsync(wecom, downstreamMode);
            Assert.All(first.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(4, first.Departments.Changes.Count(c => c.Operation == ChangeOperation.Create));
            Assert.Equal(5, first.Users.Changes.Count(c => c.Operation == ChangeOperation.Create));
            string gz = _emulator.State.WeCom.Dump().departments.Single(d => d.Name == "广州研发部").Id.ToString();
            Assert.Equal(gz, (string)AuthingDepartmentData("广州研发部")[LinkFieldNames.DefaultDepartmentId]);

            var export = await ExportWeComAsync("after-downstream.xlsx");
            var upstream = await UpstreamAsync(export, UpdateMode.Changed);
            Assert.True(!upstream.Changes.Any(), "the upstream run after downstream planned:\n" + upstream.Describe());
            var overwrite = await UpstreamAsync(export, UpdateMode.Overwrite);
            // Overwrite sends only what differs or what Authing withholds yet keeps: not the same name again, nor 职务 and
            // 座机, which Authing has no place for (no field map).
            Assert.True(!overwrite.Changes.Any(), "the upstream Overwrite run planned:\n" + overwrite.Describe());

            var again = await DownstreamAsync(wecom, downstreamMode);
            Assert.True(!again.Changes.Any(), "the downstream run after upstream planned:\n" + again.Describe());
            var overwriteDown = await DownstreamAsync(wecom, UpdateMode.Changed);
            Assert.Empty(overwriteDown.Changes);

            // The link fields still hold WeCom's ids: departments, parents, users' departments.
            Assert.Equal(gz, (string)AuthingDepartmentData("广州研发部")[LinkFieldNames.DefaultDepartmentId]);
            string wx = _emulator.State.WeCom.Dump().departments.Single(d => d.Name == "微信事业群").Id.ToString();
            Assert.Equal(wx, (string)AuthingDepartmentData("广州研发部")[LinkFieldNames.DefaultParentDepartmentId]);
            Assert.Equal("1", (string)AuthingDepartmentData("研发部")[LinkFieldNames.DefaultParentDepartmentId]);
            Assert.All(((string)AuthingUserData("zhangsan")[LinkFieldNames.DefaultUserDepartmentIds]).Split(LinkFieldNames.ListSeparator), id => Assert.True(WeComIdMap.IsWeComId(id), id));

            // And once more upstream from a fresh export: still nothing.
            var last = await UpstreamAsync(await ExportWeComAsync("again.xlsx"), UpdateMode.Changed);
            Assert.True(!last.Changes.Any(), "the second upstream run planned:\n" + last.Describe());
        }

        [Fact]
        public async Task A_department_renamed_and_a_member_moved_in_WeCom_reach_Authing_upstream_without_losing_WeComs_ids_and_downstream_then_plans_nothing()
        {
            using var wecom = Connect();
            await DownstreamAsync(wecom, UpdateMode.Changed);
            var dump = _emulator.State.WeCom.Dump();
            var sales = dump.departments.Single(d => d.Name == "销售部");
            var rd = dump.departments.Single(d => d.Name == "研发部");
            // In the console: 销售部 renamed 市场部; 李四 moved from 微信事业群 into 研发部.
            _emulator.State.WeCom.UpdateDepartment(sales.Id, (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse($"{{\"id\":{sales.Id},\"name\":\"市场部\"}}"));
            _emulator.State.WeCom.UpdateUser((System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse($"{{\"userid\":\"lisi\",\"department\":[{rd.Id}],\"main_department\":{rd.Id}}}"));

            var upstream = await UpstreamAsync(await ExportWeComAsync("renamed.xlsx"), UpdateMode.Changed);
            Assert.All(upstream.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            var rename = Assert.Single(upstream.Departments.Changes);
            Assert.Contains(rename.Fields, f => f.Field == nameof(Department.Name) && (string)f.New == "市场部");
            Assert.Contains(upstream.Users.Changes, c => c.Key == "lisi" && c.Fields.Any(f => f.Field == nameof(User.Departments)));
            Assert.Equal(sales.Id.ToString(), (string)AuthingDepartmentData("市场部")[LinkFieldNames.DefaultDepartmentId]);
            Assert.Equal(rd.Id.ToString(), (string)AuthingUserData("lisi")[LinkFieldNames.DefaultUserDepartmentIds]);
            Assert.Equal(sales.Id.ToString(), (string)AuthingUserData("wangwu")[LinkFieldNames.DefaultUserDepartmentIds]);

            var again = await UpstreamAsync(await ExportWeComAsync("renamed-again.xlsx"), UpdateMode.Changed);
            Assert.True(!again.Changes.Any(), "the second upstream run planned:\n" + again.Describe());
            var down = await DownstreamAsync(wecom, UpdateMode.Changed);
            Assert.True(!down.Changes.Any(), "the downstream run after upstream planned:\n" + down.Describe());
        }

        [Fact]
        public async Task Departments_an_upstream_run_linked_by_path_get_WeComs_ids_downstream_and_their_members_resolve()
        {
            // Upstream first (links are the export's paths: no id is known yet), then downstream into an empty WeCom.
            var file = Path.Combine(_folder, "first.xlsx");
            ExportWriter.Write(file, AddressBook.ExportFixture.Sheet(
                AddressBook.ExportFixture.Member("孙七", "sunqi", Company + "/市场部/华东", "13800000011"),
                AddressBook.ExportFixture.Member("周八", "zhouba", Company + "/研发部", "13800000012")));
            var up = await UpstreamAsync(file, UpdateMode.Changed);
            Assert.All(up.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(Company + "/市场部/华东", (string)AuthingDepartmentData("华东")[LinkFieldNames.DefaultDepartmentId]);

            using var wecom = Connect();
            var down = await DownstreamAsync(wecom, UpdateMode.Changed);
            Assert.All(down.Results, r => Assert.True(r.Outcome == Outcome.Succeeded, r.ToString()));
            Assert.Contains(down.Users.Changes, c => c.Key == "sunqi" && c.Operation == ChangeOperation.Create);
            string east = _emulator.State.WeCom.Dump().departments.Single(d => d.Name == "华东").Id.ToString();
            Assert.Equal(east, (string)AuthingDepartmentData("华东")[LinkFieldNames.DefaultDepartmentId]); // the path gave way to the id
            Assert.Contains(int.Parse(east), _emulator.State.WeCom.GetUser("sunqi").Department);

            var again = await DownstreamAsync(wecom, UpdateMode.Changed);
            Assert.True(!again.Changes.Any(), "the second downstream run planned:\n" + again.Describe());
            var back = await UpstreamAsync(await ExportWeComAsync("back.xlsx"), UpdateMode.Changed);
            Assert.True(!back.Changes.Any(), "the upstream run after downstream planned:\n" + back.Describe());
        }
    
        /// <summary>The members of a small export under the company (WeCom's root): one in the company itself, one in two departments.</summary>
        private string SmallExport(string name)
        {
            var file = Path.Combine(_folder, name);
            ExportWriter.Write(file, AddressBook.ExportFixture.Sheet(
                AddressBook.ExportFixture.Member("孙七", "sunqi", Company + "/市场部/华东", "13800000011"),
                AddressBook.ExportFixture.Member("周八", "zhouba", Company + "/研发部；" + Company + "/市场部", "13800000012"),
                AddressBook.ExportFixture.Member("吴九", "wujiu", Company, "13800000013")));
            return file;
        }

        /// <summary>The upstream run itself (Invoke-WeComUpstreamSync), without -IgnoreRootDepartment unless asked.</summary>
        private WeComSync.RunLog.RunRecord UpstreamRun(string file, RecordingHost host, bool ignoreRoot = false)
        {
            using var connection = new AuthingConnection(new AuthingSettings
            {
                ApiHost = _emulator.BaseUrl.AbsoluteUri.TrimEnd('/'), AccessKeyId = EmulatorDefaults.AccessKeyId, AccessKeySecret = EmulatorDefaults.AccessKeySecret,
                OrganizationCode = Org, Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            });
            return new WeComSync.Workflow.UpstreamRun(connection, new WeComSync.Workflow.UpstreamOptions { Path = file, OrganizationCode = Org, IgnoreRootDepartment = ignoreRoot }, host).Run();
        }

        [Fact]
        public async Task Upstream_without_IgnoreRootDepartment_on_a_pool_synced_downstream_maps_the_files_top_onto_the_root_says_so_once_and_plans_nothing()
        {
            using var wecom = Connect();
            await DownstreamAsync(wecom, UpdateMode.Changed);
            var export = await ExportWeComAsync("scheduled.xlsx");
            int departmentsBefore = _emulator.State.Dump().Authing.Departments.Count(d => d.OrganizationCode == Org);

            // As the scheduled example script runs it: no -IgnoreRootDepartment. The top-level departments' parent link is
            // WeCom's root (1): the organization's root is the company, the file's top department.
            var host = new RecordingHost();
            var record = UpstreamRun(export, host);

            Assert.Equal(0, record.Created + record.Updated + record.Deleted + record.Failed + record.Skipped);
            Assert.Equal(departmentsBefore, _emulator.State.Dump().Authing.Departments.Count(d => d.OrganizationCode == Org));
            var said = host.Verbose.Where(v => v.Contains("linked to WeCom's root department")).ToList();
            Assert.Single(said);
            Assert.Contains($"the file's top department {Company} is mapped onto it, as -IgnoreRootDepartment does", said[0]);
            Assert.Contains("linked to WeCom's root department", record.Steps.Single(s => s.Name == "read Authing").Message);
            Assert.Empty(host.Warnings);
            Assert.Empty(host.Errors);
            // With -IgnoreRootDepartment given it is the same run, without the note.
            var given = new RecordingHost();
            var same = UpstreamRun(export, given, ignoreRoot: true);
            Assert.Equal(0, same.Created + same.Updated + same.Deleted + same.Failed + same.Skipped);
            Assert.DoesNotContain(given.Verbose, v => v.Contains("linked to WeCom's root department"));
            // And downstream after it still plans nothing: the links kept WeCom's ids.
            var down = await DownstreamAsync(wecom, UpdateMode.Changed);
            Assert.True(!down.Changes.Any(), "the downstream run after upstream planned:\n" + down.Describe());
        }

        [Fact]
        public async Task Upstream_without_IgnoreRootDepartment_on_a_pool_never_synced_downstream_keeps_the_company_as_a_department_under_the_root()
        {
            // The seeded departments hold no link: nothing says the root is WeCom's, so the company is a department of its own.
            var host = new RecordingHost();
            var record = UpstreamRun(SmallExport("plain.xlsx"), host);
            Assert.Equal(0, record.ExitCode);
            Assert.DoesNotContain(host.Verbose, v => v.Contains("linked to WeCom's root department"));
            var org = await _authing.GetOrganizationAsync(Org, CancellationToken.None);
            Assert.Single(_emulator.State.Dump().Authing.Departments, d => d.OrganizationCode == Org && d.Name == Company && d.DepartmentId != org.DepartmentId);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task Upstream_with_an_organization_root_named_like_the_files_top_department_plans_zero_changes_on_the_second_run(bool ignoreRoot)
        {
            // The emulator's organization root is named 示例科技, like the file's top department (common in real pools).
            var file = SmallExport("top.xlsx");
            var first = await UpstreamAsync(file, UpdateMode.Changed, ignoreRoot);
            Assert.All(first.Results, r => Assert.True(r.Outcome == Outcome.Succeeded, r.ToString()));
            Assert.DoesNotContain(first.Departments.Changes, c => (c.Current as Department)?.IsRoot == true); // the root is never planned
            var second = await UpstreamAsync(file, UpdateMode.Changed, ignoreRoot);
            Assert.True(!second.Changes.Any(), "the second run planned:\n" + second.Describe());
            var third = await UpstreamAsync(file, UpdateMode.Overwrite, ignoreRoot);
            Assert.Empty(third.Departments.Changes);

            var org = await _authing.GetOrganizationAsync(Org, CancellationToken.None);
            var companies = _emulator.State.Dump().Authing.Departments.Where(d => d.OrganizationCode == Org && d.Name == Company && d.DepartmentId != org.DepartmentId).ToList();
            // Without -IgnoreRootDepartment the company is one department under the root; with it, the root stands for it.
            Assert.Equal(ignoreRoot ? 0 : 1, companies.Count);
        }
}
}
