using System.Linq;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>Calls the live services answer differently (issue 11): custom field listings and partial updates.</summary>
    public sealed class WriteFidelityTests : FidelityTestBase
    {
        [Fact]
        public async Task Link_fields_are_found_however_many_custom_fields_the_pool_has()
        {
            using var client = Authing();
            // More than one default page (10) of list-custom-fields before the link fields.
            var others = Enumerable.Range(0, 12).Select(i => new AuthingCustomFieldDto { TargetType = "USER", Key = "extra" + i, DataType = "STRING", Label = "extra" + i });
            await client.SetCustomFieldsAsync(others, None);
            await client.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), None);
            Assert.Empty(await AuthingLinkFields.MissingAsync(client, None));
            var checks = await AuthingConnectionTest.RunAsync(client, "emulator-org", None);
            Assert.True(checks.Single(c => c.Check == "Link fields").Passed);
        }

        private async Task<AuthingUserDto> SuspendedUserAsync(AuthingClient client)
        {
            await client.SetCustomFieldsAsync(AuthingLinkFields.Required(new LinkFieldNames()), None);
            var created = await client.CreateUserAsync(new JObject { ["username"] = "lisi", ["name"] = "李四", ["gender"] = "F", ["status"] = "Suspended" }, None);
            Assert.Equal("Suspended", created.Status);
            // A service that applies update-user's documented defaults (status Activated, gender U) to fields left out.
            await ControlAsync("authing/settings", "{\"updateDefaults\":true}");
            return created;
        }

        [Fact]
        public async Task A_field_update_never_reactivates_a_suspended_user_or_resets_its_gender()
        {
            using var client = Authing();
            var user = await SuspendedUserAsync(client);
            await client.UpdateUserAsync(user.UserId, new JObject { ["name"] = "李四四" }, None); // nothing read: the client reads first
            var after = await client.GetUserAsync(user.UserId, "user_id", None);
            Assert.Equal("李四四", after.Name);
            Assert.Equal("Suspended", after.Status);
            Assert.Equal("F", after.Gender);
        }

        [Fact]
        public async Task A_link_write_back_never_reactivates_a_suspended_user_or_resets_its_gender()
        {
            using var client = Authing();
            var user = await SuspendedUserAsync(client);
            var read = (await new AuthingDirectoryReader(client).ReadUsersAsync(null, null, None)).Users.Single(u => u.SourceId == user.UserId);
            var writer = new AuthingLinkWriter(client, "emulator-org");
            await writer.WriteUserLinkAsync(read, "lisi", new[] { "1" }, None);
            var after = await client.GetUserAsync(user.UserId, "user_id", None);
            Assert.Equal("lisi", (string)after.CustomData["wechatwork_user_id"]);
            Assert.Equal("Suspended", after.Status);
            Assert.Equal("F", after.Gender);
            Assert.Equal(1, Calls("/api/v3/get-user")); // the test's own: the status and gender read with the user went along
        }
    }
}
