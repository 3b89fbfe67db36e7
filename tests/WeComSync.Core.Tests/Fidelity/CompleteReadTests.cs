using System.Linq;
using System.Threading.Tasks;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>Reads that look complete but are not (issue 11): each could plan deletes of people who still exist.</summary>
    public sealed class CompleteReadTests : FidelityTestBase
    {
        private void SeedAuthingUsers(int count) => Emulator.State.Seed(
            "{\"authing\":{\"users\":[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"username\":\"u{i:D4}\"}}")) + "]}}");

        [Fact]
        public async Task Authing_pages_read_in_parallel_ask_for_a_stable_order_so_an_unstable_default_order_loses_no_one()
        {
            SeedAuthingUsers(230); // 5 pages of 50; seeded in one millisecond, so createdAt ties: the id breaks them
            await ControlAsync("faults", "{\"api\":\"authing\",\"path\":\"/api/v3/list-users\",\"kind\":\"reorder\"}");
            using var client = Authing();
            var read = await new AuthingDirectoryReader(client).ReadUsersAsync(null, null, None);
            Assert.Equal(230, read.Users.Select(u => u.SourceId).Distinct().Count());
            Assert.True(read.Complete);
            Assert.All(read.Users, u => Assert.Null(u.IncompleteReason));
        }

        [Fact]
        public async Task Authing_pages_that_hold_fewer_users_than_totalCount_mark_the_read_incomplete_saying_how_many_are_missing()
        {
            SeedAuthingUsers(230);
            // A service that ignores the requested sort and answers each page from a different order.
            await ControlAsync("faults", "{\"api\":\"authing\",\"path\":\"/api/v3/list-users\",\"kind\":\"reorder\",\"ignoreSort\":true}");
            using var client = Authing();
            var read = await new AuthingDirectoryReader(client).ReadUsersAsync(null, null, None);
            int distinct = read.Users.Select(u => u.SourceId).Distinct().Count();
            Assert.True(distinct < 230, "the shuffled pages happened to cover everyone: reseed the fault");
            Assert.False(read.Complete);
            Assert.Equal(230 - distinct, read.Missing);
            Assert.All(read.Users, u => Assert.Contains($"{230 - distinct} missing", u.IncompleteReason));
            // No deletes are planned from it.
            var reference = read.Users.Take(10).Select(u => new User { Source = DirectorySource.WeComApi, UserId = u.UserId, Name = u.Name }).ToList();
            var plan = DirectoryComparer.CompareUsers(reference, read.Users, new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete });
            Assert.DoesNotContain(plan.Changes, c => c.Operation == ChangeOperation.Delete);
            Assert.Contains("missing", plan.DeleteRefusedReason);
        }

        private async Task SeedWeComTreeAsync()
        {
            // 1 ─ 2 研发部 ─ 3 广州研发部 ─ 4 一组;  1 ─ 5 销售部. Members at every level, one in two departments.
            Emulator.State.Seed(@"{""wecom"":{""departments"":[
                {""id"":2,""name"":""研发部"",""parentid"":1},{""id"":3,""name"":""广州研发部"",""parentid"":2},
                {""id"":4,""name"":""一组"",""parentid"":3},{""id"":5,""name"":""销售部"",""parentid"":1}],
              ""users"":[
                {""userid"":""boss"",""name"":""老板"",""department"":[1],""mobile"":""13800000001""},
                {""userid"":""rd"",""name"":""研发"",""department"":[2],""mobile"":""13800000002""},
                {""userid"":""gz"",""name"":""广研"",""department"":[3],""mobile"":""13800000003""},
                {""userid"":""deep"",""name"":""一组员"",""department"":[4,5],""mobile"":""13800000004""},
                {""userid"":""sales"",""name"":""销售"",""department"":[5],""mobile"":""13800000005""}]}}");
            await Task.CompletedTask;
        }

        [Fact]
        public async Task Without_list_id_members_are_listed_department_by_department_not_with_the_undocumented_fetch_child()
        {
            await SeedWeComTreeAsync();
            await ControlAsync("wecom/secrets", "{\"secret\":\"self-built-secret\",\"mode\":\"self-built\"}");
            using var client = WeCom(secret: "self-built-secret", mode: WeComAppMode.SelfBuilt);
            var users = await new WeComReader(client).ReadUsersAsync(None);
            Assert.Equal(new[] { "boss", "deep", "gz", "rd", "sales" }, users.Select(u => u.UserId).OrderBy(x => x).ToArray());
            Assert.Equal(new[] { "4", "5" }, users.Single(u => u.UserId == "deep").Departments.OrderBy(x => x).ToArray());
            Assert.All(users, u => Assert.Null(u.IncompleteReason));
            Assert.Equal(5, Calls("/cgi-bin/user/simplelist")); // one per department
        }

        [Fact]
        public async Task An_app_that_does_not_see_the_root_reads_its_visible_range_marked_incomplete_so_nothing_outside_is_deleted()
        {
            await SeedWeComTreeAsync();
            await ControlAsync("wecom/secrets", "{\"secret\":\"agent-secret\",\"mode\":\"agent\",\"allowParties\":[2]}");
            using var client = WeCom(secret: "agent-secret", mode: WeComAppMode.AgentDevelopment);
            var reader = new WeComReader(client);
            var departments = await reader.ReadDepartmentsAsync(None);
            Assert.Equal(new[] { "2", "3", "4" }, departments.Select(d => d.Key).OrderBy(x => x).ToArray());
            Assert.All(departments, d => Assert.Contains("visible range", d.IncompleteReason));
            var users = await reader.ReadUsersAsync(None, departments);
            Assert.Equal(new[] { "deep", "gz", "rd" }, users.Select(u => u.UserId).OrderBy(x => x).ToArray());
            Assert.All(users, u => Assert.Contains("visible range", u.IncompleteReason));
            // Compared as the difference side, members outside the range (boss, sales) would look deleted: no deletes are planned.
            var reference = users.Select(u => new User { Source = DirectorySource.Authing, UserId = u.UserId, Name = u.Name }).ToList();
            var plan = DirectoryComparer.CompareUsers(reference.Take(1).ToList(), users, new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete });
            Assert.DoesNotContain(plan.Changes, c => c.Operation == ChangeOperation.Delete);
            Assert.Contains("visible range", plan.DeleteRefusedReason);
        }

        [Fact]
        public async Task The_address_book_sync_secret_sees_the_whole_corp_and_its_read_is_complete()
        {
            await SeedWeComTreeAsync();
            using var client = WeCom();
            var reader = new WeComReader(client);
            var departments = await reader.ReadDepartmentsAsync(None);
            Assert.All(departments, d => Assert.Null(d.IncompleteReason));
            var users = await reader.ReadUsersAsync(None, departments);
            Assert.Equal(5, users.Count);
            Assert.All(users, u => Assert.Null(u.IncompleteReason));
        }
    }
}
