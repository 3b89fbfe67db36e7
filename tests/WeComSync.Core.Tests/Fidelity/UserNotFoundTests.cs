using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>
    /// WeCom answers 60111 both for a member that does not exist and for one outside the app's visible range
    /// ("UserID不存在 … d) 成员不在应用可见范围内", document/path/90313 as crawled into go-workwx errcodes/mod.go): only an
    /// app that sees the whole corp may take it as "gone".
    /// </summary>
    public sealed class UserNotFoundTests : FidelityTestBase
    {
        private async Task SeedAsync()
        {
            // 1 ─ 2 研发部 ─ 3 一组;  1 ─ 4 销售部. The ranged app sees 2 and its subtree only.
            Emulator.State.Seed(@"{""wecom"":{""departments"":[{""id"":2,""name"":""研发部"",""parentid"":1},{""id"":3,""name"":""一组"",""parentid"":2},{""id"":4,""name"":""销售部"",""parentid"":1}],
                ""users"":[{""userid"":""inside"",""name"":""内"",""department"":[3],""mobile"":""13800000001""},{""userid"":""outside"",""name"":""外"",""department"":[4],""mobile"":""13800000002""}]}}");
            await ControlAsync("wecom/secrets", "{\"secret\":\"ranged\",\"mode\":\"agent\",\"allowParties\":[2]}");
        }

        private static Change Planned(ChangeOperation operation, string userId) => new Change
        {
            Operation = operation, Kind = ObjectKind.User, Key = userId,
            Current = operation == ChangeOperation.Create ? null : new User { Source = DirectorySource.WeComApi, UserId = userId, SourceId = userId, Name = "外", Departments = new List<string> { "4" } },
            Desired = new User { Source = DirectorySource.Authing, SourceId = "a-" + userId, UserId = userId, Username = userId, Name = "外", Departments = new List<string> { "4" } },
        };

        [Fact]
        public async Task A_60111_to_an_app_with_a_partial_visible_range_is_not_taken_as_deleted_by_the_drift_check()
        {
            await SeedAsync();
            using var client = WeCom(secret: "ranged", mode: WeComAppMode.AgentDevelopment);
            var update = Planned(ChangeOperation.Update, "outside");
            var delete = Planned(ChangeOperation.Delete, "outside");
            var stale = await DriftCheck.FindStaleAsync(new[] { update, delete }, new WeComUserApplier(client), None);

            Assert.Equal(2, stale.Count);
            Assert.All(stale, r =>
            {
                Assert.Equal(Outcome.Stale, r.Outcome);
                Assert.Contains("cannot be read now", r.Error);
                Assert.Contains("visible range", r.Error);
                Assert.DoesNotContain("no longer exists", r.Error);
            });
            Assert.NotNull(Emulator.State.WeCom.GetUser("outside")); // nothing was deleted
        }

        [Fact]
        public async Task A_60111_to_an_app_that_sees_the_whole_corp_is_gone_and_a_create_of_it_goes_on()
        {
            await SeedAsync();
            using var client = WeCom();
            var stale = await DriftCheck.FindStaleAsync(new[] { Planned(ChangeOperation.Update, "nobody"), Planned(ChangeOperation.Create, "newcomer") }, new WeComUserApplier(client), None);
            var gone = Assert.Single(stale);
            Assert.Equal("nobody", gone.Change.Key);
            Assert.Contains("no longer exists", gone.Error);
        }

        [Fact]
        public async Task A_create_whose_userid_answers_60111_to_a_ranged_app_is_not_held_back_WeCom_refuses_a_taken_userid_itself()
        {
            await SeedAsync();
            using var client = WeCom(secret: "ranged", mode: WeComAppMode.AgentDevelopment);
            var stale = await DriftCheck.FindStaleAsync(new[] { Planned(ChangeOperation.Create, "outside") }, new WeComUserApplier(client), None);
            Assert.Empty(stale);
        }

        [Theory]
        [InlineData("ranged", WeComAppMode.AgentDevelopment, "visible range")]
        [InlineData("emulator-secret", WeComAppMode.AddressBookSync, "has no member")]
        public async Task Get_one_member_says_not_found_only_where_60111_proves_it(string secret, WeComAppMode mode, string expected)
        {
            await SeedAsync();
            using var client = WeCom(secret: secret, mode: mode);
            var reader = new WeComReader(client);
            Assert.Null(await reader.ReadUserAsync("outside-or-absent", None));
            var (message, action) = reader.NotFound("outside-or-absent");
            Assert.Contains(expected, message);
            Assert.NotNull(action);
            Assert.Equal("inside", (await reader.ReadUserAsync("inside", None)).UserId);
        }

        [Fact]
        public async Task SeesWholeCorp_is_true_for_the_sync_secret_and_for_an_app_whose_range_holds_the_root()
        {
            await SeedAsync();
            await ControlAsync("wecom/secrets", "{\"secret\":\"whole\",\"mode\":\"agent\",\"allowParties\":[1]}");
            using var sync = WeCom();
            using var ranged = WeCom(secret: "ranged", mode: WeComAppMode.AgentDevelopment);
            using var whole = WeCom(secret: "whole", mode: WeComAppMode.AgentDevelopment);
            Assert.True(await sync.SeesWholeCorpAsync(None));
            Assert.False(await ranged.SeesWholeCorpAsync(None));
            Assert.True(await whole.SeesWholeCorpAsync(None));
        }
    }
}
