using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Core.Tests.Comparison
{
    /// <summary>Field maps: validation, both API mappings, and mapped fields in the comparison.</summary>
    public class FieldMapTests
    {
        private static FieldMap Map(FieldSide side, params (string Source, string Target)[] entries) =>
            FieldMap.Create(entries.Select(e => new KeyValuePair<string, string>(e.Source, e.Target)), side);

        [Fact]
        public void Sources_are_model_fields_or_their_headers_and_targets_are_checked_per_api()
        {
            var map = Map(FieldSide.Authing, ("职务", "customData.position"), ("工号", "EXTERNALID"));
            Assert.Equal("customData.position", map.Entries["Position"]);  // 职务 is Position
            Assert.Equal("externalId", map.Entries["工号"]);                // the API's own spelling
            Assert.Equal(new[] { "工号" }, map.MappedFields);
            Assert.Contains("not a WeCom user field", Assert.Throws<ArgumentException>(() => Map(FieldSide.WeCom, ("工号", "externalId"))).Message);
            Assert.Contains("both be written", Assert.Throws<ArgumentException>(() => Map(FieldSide.Authing, ("工号", "nickname"))).Message); // Alias keeps nickname
            Assert.Contains("cannot be remapped", Assert.Throws<ArgumentException>(() => Map(FieldSide.Authing, ("Gender", "customData.g"))).Message);
            Assert.Contains("link key", Assert.Throws<ArgumentException>(() => Map(FieldSide.Authing, ("账号", "externalId"))).Message);
            Assert.Null(Map(FieldSide.Authing, ("Address", "")).TargetOf(UserFieldRegistry.Find("Address"))); // kept off Authing
        }

        [Fact]
        public void Authing_reads_and_writes_mapped_fields_under_their_source_name_and_unknown_is_never_written()
        {
            var settings = new AuthingSettings { FieldMap = Map(FieldSide.Authing, ("工号", "externalId"), ("入职日期", "customData.hired_on")) };
            var mapper = new AuthingUserMapper(settings);
            var dto = new AuthingUserDto { UserId = "a1", Username = "zs", ExternalId = "A1", CustomData = new JObject { ["hired_on"] = "2024-01-01", ["other"] = "x" } };
            var user = mapper.ToModel(dto, null);
            Assert.Equal("A1", user.Extra["工号"]);
            Assert.Equal("2024-01-01", user.Extra["入职日期"]);
            Assert.Equal("x", user.Extra["other"]);

            var create = mapper.ToCreateBody(new User { UserId = "zs", Name = "张三", Extra = { ["工号"] = "A2" } }, null);
            Assert.Equal("A2", (string)create["externalId"]);
            Assert.Null(create["customData"]["hired_on"]); // the source did not know it: not written
            var update = mapper.ToUpdateBody(new User { Extra = { ["入职日期"] = "2024-02-02" } }, new[] { "入职日期" }, false);
            Assert.Equal("2024-02-02", (string)update["customData"]["hired_on"]);
            Assert.Equal(new[] { "hired_on" }, mapper.CustomDataKeys);
        }

        [Fact]
        public void WeCom_extattr_is_read_as_unknown_when_absent_and_written_with_every_mapped_attribute()
        {
            var fields = new WeComUserFields(Map(FieldSide.WeCom, ("工号", "extattr.工号"), ("职级", "extattr.职级"), ("Position", "external_position")));
            var user = new User();
            var member = JObject.Parse("{\"userid\":\"zs\",\"external_position\":\"工程师\",\"extattr\":{\"attrs\":[{\"type\":0,\"name\":\"工号\",\"text\":{\"value\":\"A1\"}}]}}");
            fields.ApplyDetails(user, member, new HashSet<string>());
            Assert.Equal("A1", user.Extra["工号"]);
            Assert.False(user.Extra.ContainsKey("职级")); // not carried: unknown, never empty
            Assert.Equal("工程师", user.Position);

            var body = new JObject();
            Assert.True(fields.Write(body, "职级", new User { Extra = { ["工号"] = "A1", ["职级"] = "P5" } }));
            var attrs = (JArray)body["extattr"]["attrs"];
            Assert.Equal(new[] { "工号", "职级" }, attrs.Select(a => (string)a["name"]));

            // An update keeps the member's other attributes, in their place, with the mapped ones replaced or added.
            var current = JObject.Parse("{\"extattr\":{\"attrs\":[{\"type\":0,\"name\":\"爱好\",\"text\":{\"value\":\"旅游\"}}," +
                "{\"type\":0,\"name\":\"工号\",\"text\":{\"value\":\"A0\"}},{\"type\":1,\"name\":\"主页\",\"web\":{\"url\":\"https://example.org\",\"title\":\"主页\"}}]}}");
            Assert.True(WeComUserFields.KeepOtherAttrs(body, current));
            attrs = (JArray)body["extattr"]["attrs"];
            Assert.Equal(new[] { "爱好", "工号", "主页", "职级" }, attrs.Select(a => (string)a["name"]));
            Assert.Equal("A1", (string)attrs[1]["text"]["value"]);
            Assert.Equal("https://example.org", (string)attrs[2]["web"]["url"]);
            Assert.False(WeComUserFields.KeepOtherAttrs(new JObject { ["name"] = "x" }, current)); // no extattr written: nothing to keep
        }

        [Fact]
        public void Mapped_fields_are_compared_excluded_and_unknown_is_not_a_change()
        {
            User U(string id, string no) { var u = new User { UserId = id, Name = id }; if (no != null) u.Extra["工号"] = no; return u; }
            var source = new[] { U("a", "A2"), U("b", null), U("c", "C1") };
            var target = new[] { U("a", "A1"), U("b", "B1"), U("c", "C1") };
            var plan = DirectoryComparer.CompareUsers(source, target, new CompareOptions { MappedFields = new[] { "工号" } });
            var change = Assert.Single(plan.Changes);
            Assert.Equal("~ update user a: 工号 A1 -> A2", change.Description);
            Assert.Empty(DirectoryComparer.CompareUsers(source, target, new CompareOptions { MappedFields = new[] { "工号" }, ExcludeProperty = new[] { "工号" } }).Changes);
            Assert.Empty(DirectoryComparer.CompareUsers(source, target).Changes); // without the map the column is not compared
        }

        [Fact]
        public void A_plan_computed_with_another_map_is_refused_only_for_fields_the_target_held()
        {
            Change Update(string field, object old) => new Change { Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zs", Fields = { new FieldChange(field, old, "B1") } };
            var without = FieldMap.Empty(FieldSide.Authing);
            var message = Assert.Throws<ArgumentException>(() => without.CheckPlaces(new[] { Update("工号", "A1"), Update("职级", "P4") })).Message;
            Assert.Contains("The plan writes 工号, 职级, which this run's Authing field map gives no place", message);
            Assert.Contains("Nothing was applied", message);
            Map(FieldSide.Authing, ("工号", "externalId")).CheckPlaces(new[] { Update("工号", "A1") });           // placed
            Map(FieldSide.Authing, ("工号", "")).CheckPlaces(new[] { Update("工号", "A1") });                     // left out on purpose
            without.CheckPlaces(new[] { Update("工号", null) });                                                  // the target never held it (a create, an overwrite)
            without.CheckPlaces(new[] { Update("Position", "x"), Update(LinkChange.Field, "x"), Update("UserId", "x") }); // built in, or the link
            FieldMap.Empty(FieldSide.WeCom).CheckPlaces(new[] { Update("工号", "A1") }, new HashSet<string> { "工号" }); // excluded from the run
        }
    }
}
