using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.AddressBook;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Emulator;
using WeComSync.Emulator.Control;
using WeComSync.ExportGenerator;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;
using static WeComSync.ExportGenerator.HandEditedExport;

namespace WeComSync.Tests.Comparison
{
    /// <summary>
    /// The delete-only run checked against WeCom end to end, over HTTP against the emulator: Authing is seeded from a
    /// clean export in the real template's layout, WeCom holds the same members, then a delete-only plan from an odd copy
    /// of the file (members missing from it: a filter, a hidden or split sheet, an old file) is checked against WeCom's
    /// user/list_id and applied. Nobody WeCom still lists is deleted.
    /// </summary>
    public sealed class DeleteCrossCheckEndToEndTests : IAsyncLifetime
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Top = "腾讯公司";
        private static readonly string[] Ids = Enumerable.Range(1, 12).Select(i => $"member{i:00}").ToArray();

        private EmulatorServer _server;
        private AuthingClient _authing;
        private WeComConnection _wecom;
        private string _folder;

        public async Task InitializeAsync()
        {
            _server = await EmulatorServer.StartAsync();
            var retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };
            _authing = new AuthingClient(new AuthingSettings
            {
                ApiHost = _server.BaseUrl.ToString(), AccessKeyId = EmulatorDefaults.AccessKeyId, AccessKeySecret = EmulatorDefaults.AccessKeySecret,
                OrganizationCode = Org, Retry = retry,
            });
            await _authing.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(_authing, default), default);
            _wecom = new WeComConnection(new WeComConnectionSettings { CorpId = EmulatorDefaults.CorpId, Secret = EmulatorDefaults.CorpSecret, ApiHost = _server.BaseUrl, Retry = retry });
            _folder = Path.Combine(Path.GetTempPath(), "wecomsync-crosscheck-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);

            // Authing from the clean file; WeCom holds the same members (and a leaver removed from both is "gone").
            await SeedAuthingAsync(File("clean.xlsx", Ids.Concat(new[] { "gone" }).ToArray()));
            SeedWeCom(Ids);
        }

        public async Task DisposeAsync()
        {
            _wecom.Dispose();
            _authing.Dispose();
            await _server.DisposeAsync();
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }

        private string File(string name, params string[] ids)
        {
            string path = Path.Combine(_folder, name);
            var rows = ids.Select((id, i) => Member(FirstRow + i, "成员" + id, id, Top + (i % 2 == 0 ? "/研发部" : "/市场部"), mobile: $"1380000{i:0000}")).ToList();
            HandEditedExport.Write(path, new HandSheet { Rows = rows });
            return path;
        }

        private void SeedWeCom(IEnumerable<string> ids) =>
            _server.State.Seed(JsonSerializer.Serialize(new { wecom = new { departments = Array.Empty<object>(), users = ids.Select(id => new { userid = id, name = "成员" + id }).ToArray() } }));

        private async Task SeedAuthingAsync(string path)
        {
            var reader = new AddressBookReader();
            var users = reader.ReadUsers(path).ToList();
            var departments = new AddressBookReader().ReadDepartments(path);
            var map = await new AuthingDirectoryReader(_authing).ReadDepartmentsAsync(Org, null, default);
            var current = (await new AuthingDirectoryReader(_authing).ReadUsersAsync(map, null, default)).Users;
            await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(DirectoryComparer.CompareDepartments(departments, map.ToDepartments(true), null, users, current).Changes,
                new AuthingDepartmentApplier(_authing, Org)));
            map = await new AuthingDirectoryReader(_authing).ReadDepartmentsAsync(Org, null, default);
            current = (await new AuthingDirectoryReader(_authing).ReadUsersAsync(map, null, default)).Users;
            await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(DirectoryComparer.CompareUsers(users, current).Changes, new AuthingUserApplier(_authing, Org)));
            Assert.Equal(Ids.Length + 1, (await AuthingIdsAsync()).Count);
        }

        private async Task<List<string>> AuthingIdsAsync()
        {
            var map = await new AuthingDirectoryReader(_authing).ReadDepartmentsAsync(Org, null, default);
            return (await new AuthingDirectoryReader(_authing).ReadUsersAsync(map, null, default)).Users.Select(u => u.UserId).Where(id => id != null).OrderBy(id => id, StringComparer.Ordinal).ToList();
        }

        /// <summary>What the template's delete-only step does: the file, Authing, the plan, WeCom's list, the check, the apply.</summary>
        private async Task<(DeleteCrossCheckResult Check, IReadOnlyList<Result> Results)> DeleteOnlyAsync(string path)
        {
            var users = new AddressBookReader().ReadUsers(path).ToList();
            var map = await new AuthingDirectoryReader(_authing).ReadDepartmentsAsync(Org, null, default);
            var current = (await new AuthingDirectoryReader(_authing).ReadUsersAsync(map, null, default)).Users;
            var plan = DirectoryComparer.CompareUsers(users, current, new CompareOptions { Operation = PlanOperation.Delete });
            var members = await DeleteCrossCheck.ReadMembersAsync(_wecom.Client, NullOutputWriter.Instance, CancellationToken.None);
            var check = DeleteCrossCheck.Apply(plan, members);
            var results = check.Refused ? Array.Empty<Result>() : await Task.Run(() => new PlanApplier(new RecordingHost()).Apply(check.Plan.Changes, new AuthingUserApplier(_authing, Org)));
            return (check, results);
        }

        [Fact]
        public async Task Filtered_export_missing_three_members_still_in_WeCom_deletes_only_the_real_leaver()
        {
            // An autofilter's copy (or an old file): three members are not in it, but WeCom still lists them.
            var shown = Ids.Where(id => id != "member03" && id != "member07" && id != "member11").ToArray();
            var (check, results) = await DeleteOnlyAsync(File("filtered.xlsx", shown));

            Assert.False(check.Refused);
            Assert.Equal(new[] { "member03", "member07", "member11" }, check.StillListed.Select(c => c.Key));
            Assert.All(check.Warnings, w => Assert.Contains("is still in WeCom: the export does not show them", w));
            Assert.Equal("gone", Assert.Single(results, r => r.Outcome == Outcome.Succeeded).Change.Key);
            Assert.Equal(Ids, await AuthingIdsAsync());
        }

        [Fact]
        public async Task Export_whose_last_rows_went_to_a_second_sheet_without_header_deletes_none_of_them_and_refuses_all()
        {
            // 185 + 15 in the issue; here 5 on 成员列表, the last 7 pasted onto a second sheet without the header row.
            string path = Path.Combine(_folder, "split.xlsx");
            HandEditedExport.Write(path,
                new HandSheet { Rows = Ids.Take(5).Select((id, i) => Member(FirstRow + i, "成员" + id, id, Top + "/研发部", mobile: $"1390000{i:0000}")).ToList() },
                new HandSheet { Name = "Sheet2", TemplateRows = false, Rows = Ids.Skip(5).Select((id, i) => Member(1 + i, "成员" + id, id, Top + "/研发部", mobile: $"1391000{i:0000}")).ToList() });
            var (check, results) = await DeleteOnlyAsync(path);

            // Refused by the reader (a skipped sheet that holds rows makes the file incomplete) or, failing that, by WeCom's list.
            Assert.Empty(results);
            Assert.NotNull(check.Plan.DeleteRefusedReason);
            Assert.DoesNotContain(check.Plan.Changes, c => c.Operation.Removes());
            Assert.Equal(Ids.Concat(new[] { "gone" }).OrderBy(id => id, StringComparer.Ordinal), await AuthingIdsAsync());
        }

        [Fact]
        public async Task Stale_export_missing_ten_members_still_in_WeCom_refuses_every_delete_and_says_the_file_looks_stale()
        {
            var (check, results) = await DeleteOnlyAsync(File("old.xlsx", Ids.Take(2).ToArray()));

            Assert.True(check.Refused);
            Assert.Empty(results);
            Assert.Contains("10 of the 11 user(s) this run would delete are still members in WeCom (user/list_id)", check.Plan.DeleteRefusedReason);
            Assert.Contains("the file looks stale or partial", check.Plan.DeleteRefusedReason);
            Assert.Equal(Ids.Length + 1, (await AuthingIdsAsync()).Count);
        }

        [Fact]
        public async Task Member_list_failing_after_its_retries_refuses_every_delete()
        {
            _server.State.Faults.Add(new FaultRule { Api = "wecom", Path = "/cgi-bin/user/list_id", Kind = "busy" });
            var (check, results) = await DeleteOnlyAsync(File("one-gone.xlsx", Ids));

            Assert.True(check.Refused);
            Assert.Empty(results);
            Assert.Contains("WeCom's member list could not be read completely", check.Plan.DeleteRefusedReason);
            Assert.Contains("gone", await AuthingIdsAsync());
        }

        [Fact]
        public async Task Self_built_secret_that_may_not_call_list_id_checks_through_simplelist_and_still_protects()
        {
            using var selfBuilt = new WeComConnection(new WeComConnectionSettings { CorpId = EmulatorDefaults.CorpId, Secret = "self-built-secret", AppMode = WeComAppMode.SelfBuilt, ApiHost = _server.BaseUrl });
            _server.State.WeCom.SetSecret("self-built-secret", new WeComSync.Emulator.WeCom.WeComSecret { Kind = "self-built" });

            var members = await DeleteCrossCheck.ReadMembersAsync(selfBuilt.Client, NullOutputWriter.Instance, CancellationToken.None);

            Assert.True(members.IsComplete, members.IncompleteReason);
            Assert.Equal("user/simplelist", members.ReadVia);
            Assert.Equal(Ids.Length, members.Count);
            Assert.Equal(1, _server.State.Calls.Get("/cgi-bin/user/list_id")); // asked once, refused (48002: not the sync secret)
        }
    }
}
