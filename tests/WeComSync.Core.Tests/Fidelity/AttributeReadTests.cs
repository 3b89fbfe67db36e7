using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Model;
using WeComSync.Tests.Apply;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>
    /// An update that writes custom attributes (extattr) first reads the member (user/get) to keep its other attributes;
    /// from an IP added after 2022-08-15 the address-book sync secret's detail reads answer 48009 (document/path/90313,
    /// 48009 "不再允许通讯录同步助手从新增IP读取通讯录详情").
    /// </summary>
    public sealed class AttributeReadTests : FidelityTestBase
    {
        private static readonly FieldMap Map = FieldMap.Create(new[] { new KeyValuePair<string, string>("工号", "extattr.工号") }, FieldSide.WeCom);

        private WeComClient NewIpClient(bool allMapped)
        {
            var client = new WeComClient(new WeComConnectionSettings
            {
                CorpId = "ww-emulator", Secret = "new-ip", ApiHost = Emulator.BaseUrl, Retry = FastRetry(), FieldMap = Map, AllAttributesMapped = allMapped,
            });
            client.ForgetToken();
            return client;
        }

        private static Change AttributeUpdate()
        {
            var desired = new User { Source = DirectorySource.Authing, SourceId = "a1", UserId = "zhangsan", Username = "zhangsan", Name = "张三", Departments = new List<string> { "1" } };
            desired.Extra["工号"] = "A1";
            return new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zhangsan", Desired = desired,
                Current = new User { Source = DirectorySource.WeComApi, UserId = "zhangsan", SourceId = "zhangsan", Name = "张三", Departments = new List<string> { "1" } },
                Fields = { new FieldChange("工号", null, "A1") },
            };
        }

        private async Task SeedAsync()
        {
            Emulator.State.Seed(@"{""wecom"":{""users"":[{""userid"":""zhangsan"",""name"":""张三"",""department"":[1],""mobile"":""13800000001""}]}}");
            await ControlAsync("wecom/secrets", "{\"secret\":\"new-ip\",\"mode\":\"sync-new-ip\"}");
        }

        [Fact]
        public async Task From_a_new_IP_an_attribute_update_is_not_sent_and_says_what_to_do()
        {
            await SeedAsync();
            using var client = NewIpClient(allMapped: false);
            var r = new PlanApplier(new RecordingHost()).Apply(new[] { AttributeUpdate() }, new WeComUserApplier(client)).Single();
            Assert.Equal(Outcome.Failed, r.Outcome);
            Assert.Equal("48009", r.ErrorCode);
            Assert.Contains("was not sent", r.Error);
            Assert.Contains("-AllAttributesMapped", r.Error);
            Assert.Equal(0, Calls("/cgi-bin/user/update"));
        }

        [Fact]
        public async Task With_AllAttributesMapped_the_update_is_sent_without_the_read()
        {
            await SeedAsync();
            using var client = NewIpClient(allMapped: true);
            var r = new PlanApplier(new RecordingHost()).Apply(new[] { AttributeUpdate() }, new WeComUserApplier(client)).Single();
            Assert.Equal(Outcome.Succeeded, r.Outcome);
            Assert.Equal(0, Calls("/cgi-bin/user/get"));
            Assert.Equal("A1", Emulator.State.WeCom.GetUser("zhangsan").Extattr["attrs"][0]["text"]["value"].GetValue<string>());
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, true)]
        public async Task Test_WeComConnection_says_at_connect_time_that_attribute_updates_would_fail(bool allMapped, bool passes)
        {
            await SeedAsync();
            using var client = NewIpClient(allMapped);
            var checks = await WeComConnectionTest.RunAsync(client, None);
            var check = checks.Single(c => c.Check == "Attribute updates");
            Assert.Equal(passes, check.Passed);
            if (!passes)
            {
                Assert.Equal("48009", check.Code);
                Assert.Contains("every such update would fail", check.Message);
                Assert.Contains("-AllAttributesMapped", check.RecommendedAction);
            }
        }

        [Fact]
        public async Task Without_attributes_in_the_field_map_there_is_no_attribute_check()
        {
            await SeedAsync();
            using var client = WeCom(secret: "new-ip");
            Assert.DoesNotContain(await WeComConnectionTest.RunAsync(client, None), c => c.Check == "Attribute updates");
        }
    }
}
