using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Http;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Authing
{
    public class AuthingMappingTests
    {
        private static AuthingDepartmentMap Map(string rootLinkId = null) => new AuthingDepartmentMap("acme", "root-1", "Acme", new[]
        {
            new AuthingDepartmentDto { DepartmentId = "d1", Name = "研发部", ParentDepartmentId = "root-1", CustomData = new JObject { ["wechatwork_department_id"] = "公司/研发部" } },
            new AuthingDepartmentDto { DepartmentId = "d2", Name = "后端组", ParentDepartmentId = "d1", CustomData = new JObject { ["wechatwork_department_id"] = "公司/研发部/后端组" } },
            new AuthingDepartmentDto { DepartmentId = "d3", Name = "手工建的", ParentDepartmentId = "d1" },
        }, new LinkFieldNames(), rootLinkId);

        [Fact]
        public void Department_map_translates_link_ids_and_authing_ids_both_ways_including_the_root_and_unlinked_ones()
        {
            var map = Map("公司");
            Assert.Equal("d2", map.IdOf("公司/研发部/后端组"));
            Assert.Equal("root-1", map.IdOf("公司"));
            Assert.Equal("root-1", map.IdOf(null));
            Assert.Equal("d3", map.IdOf("authing:d3"));
            Assert.Null(map.IdOf("公司/不存在"));
            Assert.Equal("authing:d3", map.LinkIdOf("d3"));
            Assert.Equal("公司", map.LinkIdOf("root-1"));
            map.Add("公司/新部门", "d9");
            Assert.Equal("d9", map.IdOf("公司/新部门"));
        }

        /// <summary>A tree a downstream run linked (WeCom ids 2 and 5), with one department an upstream run linked by its path.</summary>
        private static AuthingDepartmentMap Mixed(string rootLinkId) => new AuthingDepartmentMap("acme", "root-1", "Acme", new[]
        {
            new AuthingDepartmentDto { DepartmentId = "d1", Name = "研发部", ParentDepartmentId = "root-1", CustomData = new JObject { ["wechatwork_department_id"] = "2", ["wechatwork_parent_department_id"] = "1" } },
            new AuthingDepartmentDto { DepartmentId = "d2", Name = "后端组", ParentDepartmentId = "d1", CustomData = new JObject { ["wechatwork_department_id"] = "5", ["wechatwork_parent_department_id"] = "2" } },
            new AuthingDepartmentDto { DepartmentId = "d3", Name = "前端组", ParentDepartmentId = "d1", CustomData = new JObject { ["wechatwork_department_id"] = "公司/研发部/前端组" } },
        }, new LinkFieldNames(), rootLinkId);

        [Fact]
        public void Upstream_a_department_holding_WeComs_id_is_named_by_its_path_through_the_tree_and_found_by_it()
        {
            var map = Mixed("公司");
            Assert.True(map.ByPath);
            Assert.Equal("公司/研发部/后端组", map.ReferenceOf("d2"));
            Assert.Equal("公司/研发部/前端组", map.ReferenceOf("d3"));
            Assert.Equal("d2", map.IdOf("公司/研发部/后端组"));
            Assert.Equal("d2", map.IdOf("5")); // the id still finds it
            Assert.Equal("5", map.LinkIdOf("d2")); // what is written back stays WeCom's id
            var tree = map.ToDepartments(true);
            Assert.Equal("公司/研发部", tree.Single(d => d.Key == "d2").ParentLinkId);
            // A path recorded for a department that holds WeCom's id finds it, and never replaces the id.
            map.Add("公司/研发部/服务端组", "d2");
            Assert.Equal("5", map.LinkIdOf("d2"));
            Assert.Equal("d2", map.IdOf("公司/研发部/服务端组"));
        }

        [Fact]
        public void Downstream_a_department_holding_only_a_path_is_not_linked_to_WeCom_yet()
        {
            var map = Mixed("1");
            Assert.False(map.ByPath);
            Assert.Equal("5", map.ReferenceOf("d2"));
            Assert.Equal("authing:d3", map.ReferenceOf("d3"));
            Assert.Null(map.ToDepartments(true).Single(d => d.Key == "d3").LinkId);
            Assert.Equal("d3", map.IdOf("authing:d3"));
            Assert.Null(map.IdOf("1/研发部/后端组")); // paths are not how the downstream view names departments
            Assert.Equal("2", map.WeComParentIdOf("d2"));
        }

        [Fact]
        public void Without_a_root_link_a_plain_read_names_each_department_by_the_link_it_holds()
        {
            // Get-AuthingUser / Get-AuthingDepartment without -RootLinkId: neither the upstream nor the downstream view,
            // so a pool a downstream run linked still reads WeCom's ids, and one an upstream run linked its paths.
            var map = Mixed(null);
            Assert.False(map.ByPath);
            Assert.False(map.ByWeComId);
            Assert.Equal("5", map.ReferenceOf("d2"));
            Assert.Equal("公司/研发部/前端组", map.ReferenceOf("d3"));
            Assert.Equal("d2", map.IdOf("5"));
            Assert.Equal("d3", map.IdOf("公司/研发部/前端组"));
        }

        [Fact]
        public void Department_tree_is_parents_first_with_paths_from_the_root_link_and_parent_links_from_the_tree()
        {
            var tree = Map("公司").ToDepartments(includeRoot: true);
            Assert.True(tree[0].IsRoot);
            Assert.Equal(new[] { "root-1", "d1", "d2", "d3" }, tree.Select(d => d.Key).Take(2).Concat(tree.Skip(2).Select(d => d.Key).OrderBy(k => k)));
            var backend = tree.Single(d => d.Key == "d2");
            Assert.Equal("公司/研发部/后端组", backend.Path);
            Assert.Equal(2, backend.Depth);
            Assert.Equal("公司/研发部", backend.ParentLinkId);
            Assert.Null(tree.Single(d => d.Key == "d3").LinkId); // not linked yet
            Assert.Equal("公司", tree.Single(d => d.Key == "d1").ParentLinkId);

            var withoutRootLink = Map().ToDepartments(includeRoot: false);
            Assert.Equal("研发部", withoutRootLink.Single(d => d.Key == "d1").Path);
            Assert.Null(withoutRootLink.Single(d => d.Key == "d1").ParentLinkId); // a child of the root has no parent link
        }

        [Fact]
        public void User_dto_maps_to_the_model_with_known_empty_fields_withheld_ones_and_main_department_first()
        {
            var dto = new AuthingUserDto
            {
                UserId = "u1", Username = "zhangsan", Name = "张三", Phone = "13800000000", PhoneCountryCode = "+86", Gender = "F", Status = "Suspended",
                DepartmentIds = new List<string> { "d1", "d2", "elsewhere" }, MainDepartmentId = "d2",
                CustomData = new JObject { ["wechatwork_user_id"] = "ZhangSan", ["wechatwork_department_ids"] = "x;y", ["工号"] = "007" },
            };
            var user = new AuthingUserMapper(new AuthingSettings()).ToModel(dto, Map());
            Assert.Equal("ZhangSan", user.UserId);
            Assert.Equal("u1", user.SourceId);
            Assert.Equal("+86 13800000000", user.Mobile);
            Assert.Equal(Gender.Female, user.Gender);
            Assert.False(user.Enabled);
            Assert.Equal("", user.Email);      // Authing holds no email: known empty
            Assert.Null(user.Position);        // Authing has no position field: unknown
            Assert.Contains(nameof(User.Position), user.WithheldFields);
            Assert.Contains(nameof(User.BizMail), user.WithheldFields);
            Assert.Equal(new[] { "公司/研发部/后端组", "公司/研发部" }, user.Departments); // main first; another organization's department left out
            Assert.Equal("007", user.Extra["工号"]);
            Assert.False(user.Extra.ContainsKey("wechatwork_user_id"));
        }

        [Fact]
        public void Without_a_main_department_the_order_recorded_in_the_link_field_is_kept()
        {
            var dto = new AuthingUserDto { UserId = "u1", DepartmentIds = new List<string> { "d1", "d2" }, CustomData = new JObject { ["wechatwork_department_ids"] = "公司/研发部/后端组;公司/研发部" } };
            var user = new AuthingUserMapper(new AuthingSettings()).ToModel(dto, Map());
            Assert.Equal(new[] { "公司/研发部/后端组", "公司/研发部" }, user.Departments);
            Assert.Null(user.UserId); // not linked
        }

        [Fact]
        public void Create_body_has_username_userid_link_fields_and_no_unknown_or_empty_values()
        {
            var user = new User { UserId = "lisi", Name = "李四", Mobile = "+852 51234567", Email = "", Alias = null, Gender = Gender.Male, Enabled = true, Departments = new List<string> { "公司/研发部", "公司" } };
            var body = new AuthingUserMapper(new AuthingSettings()).ToCreateBody(user, new[] { "d1", "root-1" });
            Assert.Equal("lisi", (string)body["username"]);
            Assert.Equal("51234567", (string)body["phone"]);
            Assert.Equal("+852", (string)body["phoneCountryCode"]);
            Assert.Equal("M", (string)body["gender"]);
            Assert.Equal("Activated", (string)body["status"]);
            Assert.Null(body["email"]);
            Assert.Null(body["nickname"]);
            Assert.Equal("lisi", (string)body["customData"]["wechatwork_user_id"]);
            Assert.Equal("公司/研发部;公司", (string)body["customData"]["wechatwork_department_ids"]);
            Assert.Equal(new[] { "d1", "root-1" }, body["departmentIds"].Select(t => (string)t));
        }

        [Fact]
        public void Update_body_carries_only_the_changed_fields_and_the_link_when_it_changes()
        {
            var user = new User { UserId = "lisi", Name = "李四", Mobile = "+86 13900000000", Email = "new@example.com", Address = "北京", Departments = new List<string> { "公司/研发部" } };
            var mapper = new AuthingUserMapper(new AuthingSettings());
            var body = mapper.ToUpdateBody(user, new[] { "Email" }, writeLink: false);
            Assert.Equal(new[] { "email" }, body.Properties().Select(p => p.Name));
            var relink = mapper.ToUpdateBody(user, new[] { "Departments" }, writeLink: true);
            Assert.Equal(new[] { "customData" }, relink.Properties().Select(p => p.Name));
            Assert.Equal("lisi", (string)relink["customData"]["wechatwork_user_id"]);
            Assert.Equal("公司/研发部", (string)relink["customData"]["wechatwork_department_ids"]);
            Assert.Null(mapper.ToUpdateBody(user, new[] { "BizMail" }, writeLink: false)); // nothing Authing stores
            var cleared = mapper.ToUpdateBody(new User { Email = "" }, new[] { "Email" }, false);
            Assert.Equal(JTokenType.Null, cleared["email"].Type); // emptied in the source: cleared, not sent as ""
        }

        [Fact]
        public void Configured_custom_keys_carry_position_and_telephone()
        {
            var settings = new AuthingSettings { FieldMap = FieldMap.Create(new Dictionary<string, string> { ["Position"] = "customData.position", ["座机"] = "customData.tel" }, FieldSide.Authing) };
            var body = new AuthingUserMapper(settings).ToUpdateBody(new User { Position = "工程师", Telephone = "010-1234" }, new[] { "Position", "Telephone" }, false);
            Assert.Equal("工程师", (string)body["customData"]["position"]);
            Assert.Equal("010-1234", (string)body["customData"]["tel"]);
        }

        [Theory]
        [InlineData(200, "{\"statusCode\":200,\"message\":\"ok\",\"data\":{\"a\":1}}", null, false)]
        [InlineData(200, "{\"statusCode\":409,\"message\":\"phone already exists\",\"apiCode\":2001}", "409/2001", false)]
        [InlineData(200, "{\"statusCode\":404,\"message\":\"user not found\",\"apiCode\":2004}", "404/2004", false)]
        [InlineData(200, "{\"statusCode\":429,\"message\":\"too many\"}", "429", true)]
        [InlineData(200, "{\"statusCode\":503,\"message\":\"busy\"}", "503", true)]
        [InlineData(200, "{\"statusCode\":401,\"message\":\"token expired\"}", "401", false)]
        [InlineData(401, "", "401", false)]
        [InlineData(200, "<html>proxy error</html>", "http:200", false)]
        public void The_envelope_is_judged_by_statusCode_with_apiCode_and_transient_classes(int http, string body, string code, bool transient)
        {
            if (code == null)
            {
                Assert.Equal(1, (int)AuthingClient.Interpret("x", (HttpStatusCode)http, body)["a"]);
                return;
            }
            var e = Assert.Throws<ApiException>(() => AuthingClient.Interpret("x", (HttpStatusCode)http, body));
            Assert.Equal(code, e.Code);
            Assert.Equal(transient, e.IsTransient);
        }

        [Fact]
        public void The_pool_id_comes_from_the_token_claim()
        {
            string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var jwt = Part("{\"alg\":\"HS256\"}") + "." + Part("{\"scoped_userpool_id\":\"pool-42\",\"exp\":1}") + ".sig";
            Assert.Equal("pool-42", AuthingClient.ReadPoolId(jwt));
            Assert.Null(AuthingClient.ReadPoolId("not-a-jwt"));
        }
    }
}
