using System.Text.Json.Nodes;

namespace WeComSync.Emulator.Tests;

public sealed class WeComTokenTests : EmulatorTestBase
{
    public WeComTokenTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task Gettoken_with_default_corp_and_secret_returns_token_expiring_in_7200s()
    {
        var r = await WeComGetAsync($"/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret");
        Assert.Equal(0, Errcode(r));
        Assert.Equal("ok", (string)r["errmsg"]);
        Assert.Equal(7200, (int)r["expires_in"]);
        var token = (string)r["access_token"];
        Assert.InRange(token.Length, 16, 512);
    }

    [Theory]
    [InlineData("ww-emulator", "wrong-secret", 40001)]
    [InlineData("ww-other", "emulator-secret", 40013)]
    [InlineData("", "emulator-secret", 41002)]
    [InlineData("ww-emulator", "", 41004)]
    public async Task Gettoken_rejects_bad_credentials(string corp, string secret, int errcode)
    {
        var r = await WeComGetAsync($"/cgi-bin/gettoken?corpid={corp}&corpsecret={secret}");
        Assert.Equal(errcode, Errcode(r));
        Assert.Null(r["access_token"]);
    }

    [Fact]
    public async Task Missing_token_is_41001_and_unknown_token_is_40014()
    {
        Assert.Equal(41001, Errcode(await WeComGetAsync("/cgi-bin/department/simplelist")));
        Assert.Equal(40014, Errcode(await WeComGetAsync("/cgi-bin/department/simplelist?access_token=nope")));
    }

    [Fact]
    public async Task Expired_token_answers_42001_and_a_new_token_works()
    {
        await ControlAsync(HttpMethod.Post, "wecom/settings", new { tokenExpiresIn = 1 });
        var token = await TokenAsync();
        await Task.Delay(1300);
        Assert.Equal(42001, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist")));
    }

    [Theory]
    [InlineData(40014)]
    [InlineData(42001)]
    public async Task Invalidated_tokens_answer_the_chosen_code_mid_run(int errcode)
    {
        var token = await TokenAsync();
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        await ControlAsync(HttpMethod.Post, "tokens/invalidate", new { api = "wecom", errcode });
        Assert.Equal(errcode, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist")));
    }

    [Fact]
    public async Task Removed_secret_makes_its_tokens_answer_40001()
    {
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "app", mode = "sync" });
        var token = await TokenAsync("app");
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "app", mode = "none" });
        Assert.Equal(40001, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
    }

    [Fact]
    public async Task Errmsg_carries_a_hint_suffix_so_clients_match_errcode_only()
    {
        var r = await WeComGetAsync("/cgi-bin/department/simplelist?access_token=nope");
        Assert.Contains("hint:", (string)r["errmsg"]);
    }
}

public sealed class WeComDepartmentTests : EmulatorTestBase
{
    public WeComDepartmentTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task Default_corp_has_only_root_department_1_named_示例科技()
    {
        var r = await WeComAsync("/cgi-bin/department/get", query: "id=1");
        Assert.Equal(0, Errcode(r));
        Assert.Equal("示例科技", (string)r["department"]["name"]);
        Assert.Equal(0, (int)r["department"]["parentid"]);
        var all = await WeComAsync("/cgi-bin/department/simplelist");
        Assert.Single(all["department_id"].AsArray());
    }

    [Fact]
    public async Task Create_returns_created_and_new_id_and_honours_a_given_id()
    {
        var token = await TokenAsync();
        var r = await WeComAsync("/cgi-bin/department/create", new { name = "研发部", parentid = 1, order = 5 }, token: token);
        Assert.Equal("created", (string)r["errmsg"]);
        Assert.Equal(2, (int)r["id"]);
        r = await WeComAsync("/cgi-bin/department/create", new { name = "销售部", parentid = 1, id = 100 }, token: token);
        Assert.Equal(100, (int)r["id"]);
    }

    [Theory]
    [InlineData("{\"name\":\"\",\"parentid\":1}", 60001)]
    [InlineData("{\"name\":\"a*b\",\"parentid\":1}", 60009)]
    [InlineData("{\"name\":\"x\",\"parentid\":999}", 60004)]
    [InlineData("{\"name\":\"x\",\"parentid\":1,\"id\":1}", 60123)]
    public async Task Create_validates_name_parent_and_id(string body, int errcode)
    {
        Assert.Equal(errcode, Errcode(await WeComAsync("/cgi-bin/department/create", body)));
    }

    [Fact]
    public async Task Create_name_longer_than_64_is_60001()
    {
        Assert.Equal(60001, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = new string('部', 65), parentid = 1 })));
    }

    [Fact]
    public async Task Create_with_existing_id_or_sibling_name_is_60008()
    {
        var token = await TokenAsync();
        await WeComAsync("/cgi-bin/department/create", new { name = "研发部", parentid = 1, id = 7 }, token: token);
        Assert.Equal(60008, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = "other", parentid = 1, id = 7 }, token: token)));
        Assert.Equal(60008, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = "研发部", parentid = 1 }, token: token)));
        // The same name under another parent is fine.
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = "研发部", parentid = 7 }, token: token)));
    }

    [Fact]
    public async Task A_16th_level_is_refused_with_81002_on_create_and_on_move()
    {
        var token = await TokenAsync();
        var parent = 1;
        for (var i = 2; i <= 15; i++) parent = await CreateDepartmentAsync("L" + i, parent, token);
        Assert.Equal(81002, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = "L16", parentid = parent }, token: token)));
        // Moving a two-level subtree under level 14 would put its child at level 16.
        var top = await CreateDepartmentAsync("T", 1, token);
        await CreateDepartmentAsync("T2", top, token);
        var level14 = State.WeCom.Subtree(1).Single(d => d.Name == "L14").Id;
        Assert.Equal(81002, Errcode(await WeComAsync("/cgi-bin/department/update", new { id = top, parentid = level14 }, token: token)));
    }

    [Fact]
    public async Task Creates_past_the_monthly_limit_answer_45009_until_reset()
    {
        // "每企业创建账号数不可超过账号上限数*3/月" (document/path/90454): the default is three times the seats.
        await ControlAsync(HttpMethod.Post, "wecom/settings", new { seatLimit = 1 });
        var token = await TokenAsync();
        await CreateUserAsync("one", token: token);
        await WeComAsync("/cgi-bin/user/delete", query: "userid=one", token: token);
        await CreateUserAsync("two", token: token);
        await WeComAsync("/cgi-bin/user/delete", query: "userid=two", token: token);
        await CreateUserAsync("three", token: token);
        await WeComAsync("/cgi-bin/user/delete", query: "userid=three", token: token);
        var r = await WeComAsync("/cgi-bin/user/create", new { userid = "four", name = "x", department = new[] { 1 }, mobile = "13900000004" }, token: token);
        Assert.Equal(45009, Errcode(r)); // a seat is free, but the month's creates are used up
        Assert.Equal(0, State.WeCom.UserCount);

        await ControlAsync(HttpMethod.Post, "wecom/settings", new { seatLimit = 100, monthlyCreateLimit = 3 });
        Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/user/create", new { userid = "four", name = "x", department = new[] { 1 }, mobile = "13900000004" }, token: token)));
    }

    [Fact]
    public async Task Update_changes_given_fields_and_keeps_omitted_ones()
    {
        var token = await TokenAsync();
        var a = await CreateDepartmentAsync("A", 1, token);
        var b = await CreateDepartmentAsync("B", 1, token);
        await WeComAsync("/cgi-bin/department/update", new { id = a, order = 42 }, token: token);
        var r = await WeComAsync("/cgi-bin/department/update", new { id = b, name = "B2", parentid = a }, token: token);
        Assert.Equal("updated", (string)r["errmsg"]);
        var got = (await WeComAsync("/cgi-bin/department/get", query: $"id={b}", token: token))["department"];
        Assert.Equal("B2", (string)got["name"]);
        Assert.Equal(a, (int)got["parentid"]);
        var ga = (await WeComAsync("/cgi-bin/department/get", query: $"id={a}", token: token))["department"];
        Assert.Equal("A", (string)ga["name"]);
        Assert.Equal(42, (long)ga["order"]);
    }

    [Fact]
    public async Task Update_into_own_subtree_is_60010_and_missing_department_is_60003()
    {
        var token = await TokenAsync();
        var a = await CreateDepartmentAsync("A", 1, token);
        var child = await CreateDepartmentAsync("child", a, token);
        Assert.Equal(60010, Errcode(await WeComAsync("/cgi-bin/department/update", new { id = a, parentid = child }, token: token)));
        Assert.Equal(60003, Errcode(await WeComAsync("/cgi-bin/department/update", new { id = 999, name = "x" }, token: token)));
    }

    [Fact]
    public async Task Delete_refuses_members_60005_children_60006_root_60007_then_deletes_when_empty()
    {
        var token = await TokenAsync();
        var a = await CreateDepartmentAsync("A", 1, token);
        var child = await CreateDepartmentAsync("child", a, token);
        await CreateUserAsync("u1", department: new[] { child }, token: token);
        Assert.Equal(60005, Errcode(await WeComAsync("/cgi-bin/department/delete", query: $"id={child}", token: token)));
        Assert.Equal(60006, Errcode(await WeComAsync("/cgi-bin/department/delete", query: $"id={a}", token: token)));
        Assert.Equal(60007, Errcode(await WeComAsync("/cgi-bin/department/delete", query: "id=1", token: token)));
        await WeComAsync("/cgi-bin/user/delete", query: "userid=u1", token: token);
        Assert.Equal("deleted", (string)(await WeComAsync("/cgi-bin/department/delete", query: $"id={child}", token: token))["errmsg"]);
        Assert.Equal(60003, Errcode(await WeComAsync("/cgi-bin/department/get", query: $"id={child}", token: token)));
    }

    [Fact]
    public async Task Simplelist_answers_ids_under_department_id_key_without_names_recursively()
    {
        var token = await TokenAsync();
        var a = await CreateDepartmentAsync("A", 1, token);
        var aa = await CreateDepartmentAsync("AA", a, token);
        await CreateDepartmentAsync("B", 1, token);
        var r = await WeComAsync("/cgi-bin/department/simplelist", query: $"id={a}", token: token);
        var rows = r["department_id"].AsArray();
        Assert.Equal(new[] { a, aa }, rows.Select(x => (int)x["id"]).ToArray());
        Assert.All(rows, x => Assert.Null(x["name"]));
        Assert.Equal(a, (int)rows[1]["parentid"]);
        Assert.Equal(4, (await WeComAsync("/cgi-bin/department/simplelist", token: token))["department_id"].AsArray().Count);
    }

    [Fact]
    public async Task List_answers_the_subtree_with_names()
    {
        var token = await TokenAsync();
        var a = await CreateDepartmentAsync("A", 1, token);
        await CreateDepartmentAsync("AA", a, token);
        var r = await WeComAsync("/cgi-bin/department/list", query: $"id={a}", token: token);
        Assert.Equal(new[] { "A", "AA" }, r["department"].AsArray().Select(x => (string)x["name"]).ToArray());
    }
}

public sealed class WeComUserTests : EmulatorTestBase
{
    public WeComUserTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task A_wrong_method_answers_what_the_missing_body_causes_40003_or_40058_not_404()
    {
        var token = await TokenAsync();
        // user/create is POST, user/get is GET (document/path/90195, /90196); WeCom has no wrong-method code (/90313).
        Assert.Equal(40003, Errcode(await WeComGetAsync($"/cgi-bin/user/create?access_token={token}")));
        Assert.Equal(40003, Errcode(await WeComGetAsync($"/cgi-bin/user/update?access_token={token}")));
        Assert.Equal(40058, Errcode(await WeComGetAsync($"/cgi-bin/department/create?access_token={token}")));
        Assert.Equal(40058, Errcode(await WeComPostAsync($"/cgi-bin/user/get?access_token={token}&userid=x", new { })));
        Assert.Equal(0, State.WeCom.UserCount);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_40058()
    {
        var token = await TokenAsync();
        var response = await Http.PostAsync($"/cgi-bin/user/create?access_token={token}", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var r = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync()).AsObject();
        Assert.Equal(40058, Errcode(r));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("")]
    public async Task Gender_other_than_1_or_2_is_refused_with_40058_on_create_and_update(string gender)
    {
        var token = await TokenAsync();
        Assert.Equal(40058, Errcode(await WeComAsync("/cgi-bin/user/create", new { userid = "g", name = "G", department = new[] { 1 }, mobile = "13800000009", gender }, token: token)));
        Assert.Equal(0, State.WeCom.UserCount);
        await CreateUserAsync("g", token: token);
        Assert.Equal(40058, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "g", gender }, token: token)));
    }

    [Theory]
    [InlineData("department", "[\"1\"]")]
    [InlineData("main_department", "\"1\"")]
    [InlineData("enable", "\"1\"")]
    [InlineData("userid", "12345")]
    [InlineData("to_invite", "\"false\"")]
    public async Task A_field_of_the_wrong_json_type_is_refused_with_40058(string field, string json)
    {
        var token = await TokenAsync();
        var body = System.Text.Json.Nodes.JsonNode.Parse("{\"userid\":\"typed\",\"name\":\"T\",\"department\":[1],\"mobile\":\"13800000077\"}")!.AsObject();
        body[field] = System.Text.Json.Nodes.JsonNode.Parse(json);
        var r = await WeComAsync("/cgi-bin/user/create", body, token: token);
        Assert.Equal(40058, Errcode(r));
        Assert.Equal(0, State.WeCom.UserCount);
    }

    [Fact]
    public async Task User_create_invites_unless_to_invite_is_false()
    {
        var token = await TokenAsync();
        await CreateUserAsync("invited", token: token);
        var r = await WeComAsync("/cgi-bin/user/create", new { userid = "quiet", name = "Q", department = new[] { 1 }, mobile = "13800000078", to_invite = false }, token: token);
        Assert.Equal(0, Errcode(r));
        Assert.Equal(new[] { "invited" }, State.WeCom.Invitations);
        Assert.Equal("[\"invited\"]", await Http.GetStringAsync("/_emulator/wecom/invitations"));
    }

    [Fact]
    public async Task Create_then_get_returns_every_documented_field()
    {
        var token = await TokenAsync();
        var d = await CreateDepartmentAsync("研发部", 1, token);
        var r = await WeComAsync("/cgi-bin/user/create", new
        {
            userid = "zhangsan", name = "张三", alias = "San", position = "工程师", gender = "1", mobile = "13800000000",
            email = "zs@example.com", biz_mail = "zs@corp.example.com", telephone = "020-1234", address = "广州",
            department = new[] { 1, d }, order = new[] { 1, 2 }, is_leader_in_dept = new[] { 0, 1 }, main_department = d, enable = 1,
        }, token: token);
        Assert.Equal("created", (string)r["errmsg"]);
        var u = await WeComAsync("/cgi-bin/user/get", query: "userid=zhangsan", token: token);
        Assert.Equal(0, Errcode(u));
        Assert.Equal("张三", (string)u["name"]);
        Assert.Equal("13800000000", (string)u["mobile"]);
        Assert.Equal("1", (string)u["gender"]);
        Assert.Equal("zs@corp.example.com", (string)u["biz_mail"]);
        Assert.Equal("广州", (string)u["address"]);
        Assert.Equal(new[] { 1, d }, u["department"].AsArray().Select(x => (int)x).ToArray());
        Assert.Equal(new[] { 0, 1 }, u["is_leader_in_dept"].AsArray().Select(x => (int)x).ToArray());
        Assert.Equal(d, (int)u["main_department"]);
        Assert.Equal(4, (int)u["status"]);
        Assert.Equal(1, (int)u["enable"]);
    }

    public static TheoryData<string, int> BadCreates => new()
    {
        { "{\"userid\":\"-bad\",\"name\":\"x\",\"department\":[1],\"mobile\":\"13800000001\"}", 40003 },
        { "{\"userid\":\"has space\",\"name\":\"x\",\"department\":[1],\"mobile\":\"13800000001\"}", 40003 },
        { "{\"userid\":\"" + new string('a', 65) + "\",\"name\":\"x\",\"department\":[1],\"mobile\":\"13800000001\"}", 40003 },
        { "{\"userid\":\"ok\",\"name\":\"\",\"department\":[1],\"mobile\":\"13800000001\"}", 60112 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"mobile\":\"13800000001\"}", 60127 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[999],\"mobile\":\"13800000001\"}", 60123 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[1]}", 60129 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[1],\"mobile\":\"abc\"}", 60103 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[1],\"email\":\"not-an-email\"}", 60105 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[1],\"mobile\":\"13800000001\",\"position\":\"" + new string('p', 129) + "\"}", 301012 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[1],\"mobile\":\"13800000001\",\"telephone\":\"tel#1\"}", 301013 },
        { "{\"userid\":\"ok\",\"name\":\"x\",\"department\":[1],\"mobile\":\"13800000001\",\"is_leader_in_dept\":[1,0]}", 60132 },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Create_validates_fields_with_documented_errcodes(string body, int errcode)
    {
        Assert.Equal(errcode, Errcode(await WeComAsync("/cgi-bin/user/create", body)));
        Assert.Equal(0, State.WeCom.UserCount);
    }

    [Fact]
    public async Task Create_with_more_than_100_departments_is_60110()
    {
        var body = new { userid = "ok", name = "x", mobile = "13800000001", department = Enumerable.Range(1, 101).ToArray() };
        Assert.Equal(60110, Errcode(await WeComAsync("/cgi-bin/user/create", body)));
    }

    [Fact]
    public async Task Userid_is_unique_ignoring_case_60102()
    {
        var token = await TokenAsync();
        await CreateUserAsync("ZhangSan", "13800000000", token: token);
        var r = await WeComAsync("/cgi-bin/user/create", new { userid = "zhangsan", name = "x", department = new[] { 1 }, mobile = "13900000000" }, token: token);
        Assert.Equal(60102, Errcode(r));
        Assert.Equal("ZhangSan", (string)(await WeComAsync("/cgi-bin/user/get", query: "userid=ZHANGSAN", token: token))["userid"]);
    }

    [Fact]
    public async Task Duplicate_mobile_is_60104_naming_the_holder_and_duplicate_email_is_60106()
    {
        var token = await TokenAsync();
        await CreateUserAsync("holder", "13800000000", token: token);
        await CreateUserAsync("mailer", email: "a@example.com", token: token);
        var r = await WeComAsync("/cgi-bin/user/create", new { userid = "x", name = "x", department = new[] { 1 }, mobile = "13800000000" }, token: token);
        Assert.Equal(60104, Errcode(r));
        Assert.Contains("holder", (string)r["errmsg"]);
        r = await WeComAsync("/cgi-bin/user/create", new { userid = "y", name = "y", department = new[] { 1 }, email = "A@example.com" }, token: token);
        Assert.Equal(60106, Errcode(r));
    }

    [Fact]
    public async Task Seat_limit_reached_is_45024()
    {
        await ControlAsync(HttpMethod.Post, "wecom/settings", new { seatLimit = 1 });
        var token = await TokenAsync();
        await CreateUserAsync("one", token: token);
        var r = await WeComAsync("/cgi-bin/user/create", new { userid = "two", name = "x", department = new[] { 1 }, mobile = "13900000002" }, token: token);
        Assert.Equal(45024, Errcode(r));
    }

    [Fact]
    public async Task Update_changes_given_fields_and_keeps_omitted_ones()
    {
        var token = await TokenAsync();
        await WeComAsync("/cgi-bin/user/create", new { userid = "u", name = "旧", position = "P", department = new[] { 1 }, mobile = "13800000000" }, token: token);
        var r = await WeComAsync("/cgi-bin/user/update", new { userid = "u", name = "新" }, token: token);
        Assert.Equal("updated", (string)r["errmsg"]);
        var u = await WeComAsync("/cgi-bin/user/get", query: "userid=u", token: token);
        Assert.Equal("新", (string)u["name"]);
        Assert.Equal("P", (string)u["position"]);
        Assert.Equal("13800000000", (string)u["mobile"]);
    }

    [Fact]
    public async Task Extattr_on_update_replaces_the_members_attributes_and_is_checked_as_documented()
    {
        var token = await TokenAsync();
        object Text(string name, string value) => new { type = 0, name, text = new { value } };
        object Web(string name, string url, string title) => new { type = 1, name, web = new { url, title } };
        await WeComAsync("/cgi-bin/user/create", new { userid = "x", name = "X", department = new[] { 1 }, mobile = "13800000000",
            extattr = new { attrs = new[] { Text("工号", "A1"), Text("爱好", "旅游"), Web("主页", "https://example.org", "主页") } } }, token: token);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "x", extattr = new { attrs = new[] { Text("工号", "A2") } } }, token: token)));
        var attrs = (JsonArray)(await WeComAsync("/cgi-bin/user/get", query: "userid=x", token: token))["extattr"]["attrs"];
        Assert.Equal(new[] { "工号" }, attrs.Select(a => (string)a["name"])); // the strictest reading: what is left out is gone
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "x", name = "Y" }, token: token)));
        Assert.Single((JsonArray)(await WeComAsync("/cgi-bin/user/get", query: "userid=x", token: token))["extattr"]["attrs"]); // no extattr: untouched

        Assert.Equal(40058, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "x", extattr = new { attrs = new[] { Text("工号", new string('9', 65)) } } }, token: token)));
        Assert.Equal(40058, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "x", extattr = new { attrs = new[] { Web("主页", "https://example.org", "") } } }, token: token)));
        Assert.Equal(40058, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "x", extattr = new { attrs = new[] { Web("主页", "example.org", "主页") } } }, token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "x", extattr = new { attrs = new[] { Web("主页", "", "") } } }, token: token))); // cleared
    }

    [Fact]
    public async Task Update_of_an_activated_member_silently_keeps_their_mobile()
    {
        State.Seed("{\"wecom\":{\"users\":[{\"userid\":\"act\",\"name\":\"A\",\"department\":[1],\"mobile\":\"13800000000\",\"status\":1}]}}");
        var token = await TokenAsync();
        var r = await WeComAsync("/cgi-bin/user/update", new { userid = "act", mobile = "13900000000", position = "新职务" }, token: token);
        Assert.Equal(0, Errcode(r));
        var u = await WeComAsync("/cgi-bin/user/get", query: "userid=act", token: token);
        Assert.Equal("13800000000", (string)u["mobile"]);
        Assert.Equal("新职务", (string)u["position"]);
    }

    [Fact]
    public async Task New_userid_renames_a_generated_userid_once_else_301036()
    {
        State.Seed("{\"wecom\":{\"users\":[{\"userid\":\"gen123\",\"name\":\"G\",\"department\":[1],\"mobile\":\"13800000000\",\"_generated_userid\":true}," +
                   "{\"userid\":\"chosen\",\"name\":\"C\",\"department\":[1],\"mobile\":\"13800000001\"}]}}");
        var token = await TokenAsync();
        Assert.Equal(301036, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "chosen", new_userid = "other" }, token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "gen123", new_userid = "renamed" }, token: token)));
        Assert.Equal(60111, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=gen123", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=renamed", token: token)));
        Assert.Equal(301036, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "renamed", new_userid = "again" }, token: token)));
    }

    [Fact]
    public async Task Get_update_delete_of_a_missing_userid_is_60111()
    {
        var token = await TokenAsync();
        Assert.Equal(60111, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=ghost", token: token)));
        Assert.Equal(60111, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "ghost", name = "x" }, token: token)));
        Assert.Equal(60111, Errcode(await WeComAsync("/cgi-bin/user/delete", query: "userid=ghost", token: token)));
    }

    [Fact]
    public async Task Creator_cannot_be_deleted_301005()
    {
        var token = await TokenAsync();
        await CreateUserAsync("boss", token: token);
        await ControlAsync(HttpMethod.Post, "wecom/settings", new { creator = "boss" });
        Assert.Equal(301005, Errcode(await WeComAsync("/cgi-bin/user/delete", query: "userid=boss", token: token)));
    }

    [Fact]
    public async Task Batchdelete_is_all_or_nothing_and_at_most_200()
    {
        var token = await TokenAsync();
        await CreateUserAsync("a", token: token);
        await CreateUserAsync("b", token: token);
        var r = await WeComAsync("/cgi-bin/user/batchdelete", new { useridlist = new[] { "a", "ghost" } }, token: token);
        Assert.Equal(60111, Errcode(r));
        Assert.Equal(2, State.WeCom.UserCount);
        r = await WeComAsync("/cgi-bin/user/batchdelete", new { useridlist = Enumerable.Range(0, 201).Select(i => "u" + i).ToArray() }, token: token);
        Assert.NotEqual(0, Errcode(r));
        r = await WeComAsync("/cgi-bin/user/batchdelete", new { useridlist = new[] { "a", "b" } }, token: token);
        Assert.Equal("deleted", (string)r["errmsg"]);
        Assert.Equal(0, State.WeCom.UserCount);
    }

    [Fact]
    public async Task List_id_has_one_row_per_user_and_department_and_pages_by_cursor_mid_user()
    {
        var token = await TokenAsync();
        var d2 = await CreateDepartmentAsync("D2", 1, token);
        var d3 = await CreateDepartmentAsync("D3", 1, token);
        await CreateUserAsync("a", department: new[] { 1, d2, d3 }, token: token);
        await CreateUserAsync("b", department: new[] { d2 }, token: token);
        var rows = new List<(string, int)>();
        string cursor = null;
        var pages = 0;
        do
        {
            var r = await WeComAsync("/cgi-bin/user/list_id", cursor == null ? new { limit = 2 } : new { cursor, limit = 2 }, token: token);
            Assert.Equal(0, Errcode(r));
            rows.AddRange(r["dept_user"].AsArray().Select(x => ((string)x["userid"], (int)x["department"])));
            cursor = (string)r["next_cursor"];
            pages++;
        } while (!string.IsNullOrEmpty(cursor));
        Assert.Equal(new[] { ("a", 1), ("a", d2), ("a", d3), ("b", d2) }, rows);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task List_id_rejects_a_bad_cursor_50100_and_a_limit_over_10000()
    {
        var token = await TokenAsync();
        Assert.Equal(50100, Errcode(await WeComAsync("/cgi-bin/user/list_id", new { cursor = "garbage!", limit = 10 }, token: token)));
        Assert.NotEqual(0, Errcode(await WeComAsync("/cgi-bin/user/list_id", new { limit = 10001 }, token: token)));
    }

    [Fact]
    public async Task Simplelist_and_list_answer_direct_members_only_fetch_child_is_ignored_as_it_is_undocumented()
    {
        var token = await TokenAsync();
        var d = await CreateDepartmentAsync("D", 1, token);
        await CreateUserAsync("top", department: new[] { 1 }, token: token);
        await CreateUserAsync("deep", department: new[] { d }, token: token);
        var direct = await WeComAsync("/cgi-bin/user/simplelist", query: "department_id=1", token: token);
        Assert.Equal(new[] { "top" }, direct["userlist"].AsArray().Select(x => (string)x["userid"]).ToArray());
        // developer.work.weixin.qq.com/document/path/96259: department_id only; walk the sub-departments yourself.
        var all = await WeComAsync("/cgi-bin/user/simplelist", query: "department_id=1&fetch_child=1", token: token);
        Assert.Equal(new[] { "top" }, all["userlist"].AsArray().Select(x => (string)x["userid"]).ToArray());
        var full = await WeComAsync("/cgi-bin/user/list", query: $"department_id={d}", token: token);
        Assert.Equal("13", ((string)full["userlist"][0]["mobile"])[..2]);
    }

    [Fact]
    public async Task User_list_over_the_response_limit_is_45029()
    {
        await ControlAsync(HttpMethod.Post, "wecom/settings", new { listLimit = 1 });
        var token = await TokenAsync();
        await CreateUserAsync("a", token: token);
        await CreateUserAsync("b", token: token);
        Assert.Equal(45029, Errcode(await WeComAsync("/cgi-bin/user/list", query: "department_id=1", token: token)));
    }
}

public sealed class WeComModeTests : EmulatorTestBase
{
    public WeComModeTests(EmulatorFixture f) : base(f) { }

    private async Task SeedOneUserAsync()
    {
        State.Seed("{\"wecom\":{\"departments\":[{\"id\":2,\"name\":\"研发部\",\"parentid\":1}],\"users\":[{\"userid\":\"zs\",\"name\":\"张三\",\"department\":[2]," +
                   "\"mobile\":\"13800000000\",\"email\":\"zs@example.com\",\"biz_mail\":\"zs@corp.example.com\",\"gender\":\"1\",\"address\":\"广州\",\"avatar\":\"http://a/1\",\"position\":\"工程师\"}]}}");
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("/cgi-bin/user/get", "userid=zs")]
    [InlineData("/cgi-bin/user/list", "department_id=2")]
    [InlineData("/cgi-bin/department/get", "id=2")]
    [InlineData("/cgi-bin/department/list", "")]
    public async Task Sync_secret_from_a_new_ip_gets_48009_on_detail_reads(string path, string query)
    {
        await SeedOneUserAsync();
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "new-ip", mode = "sync-new-ip" });
        Assert.Equal(48009, Errcode(await WeComAsync(path, query: query, secret: "new-ip")));
    }

    [Fact]
    public async Task An_app_with_a_visible_range_sees_only_it_60011_for_departments_60111_for_members_outside()
    {
        State.Seed(@"{""wecom"":{""departments"":[{""id"":2,""name"":""研发部"",""parentid"":1},{""id"":3,""name"":""一组"",""parentid"":2},{""id"":4,""name"":""销售部"",""parentid"":1}],
            ""users"":[{""userid"":""a"",""name"":""A"",""department"":[3],""mobile"":""13800000001""},{""userid"":""b"",""name"":""B"",""department"":[4],""mobile"":""13800000002""},
                       {""userid"":""c"",""name"":""C"",""department"":[4],""mobile"":""13800000003""}]}}");
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "ranged", mode = "agent", allowParties = new[] { 2 }, allowUsers = new[] { "c" } });
        var token = await TokenAsync("ranged");
        var ids = await WeComAsync("/cgi-bin/department/simplelist", token: token);
        Assert.Equal(new[] { 2, 3 }, ids["department_id"].AsArray().Select(d => (int)d["id"]).OrderBy(x => x).ToArray());
        Assert.Equal(60011, Errcode(await WeComAsync("/cgi-bin/department/simplelist", query: "id=1", token: token)));
        Assert.Equal(60011, Errcode(await WeComAsync("/cgi-bin/user/simplelist", query: "department_id=4", token: token)));
        // A member outside the range answers as a member that does not exist (60111, "d) 成员不在应用可见范围内", /90313).
        Assert.Equal(60111, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=b", token: token)));
        Assert.Equal(60111, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=nobody", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=c", token: token))); // named in the range
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/simplelist", query: "department_id=3", token: token)));
        var refused = await Http.PostAsync("_emulator/wecom/secrets", System.Net.Http.Json.JsonContent.Create(new { secret = "x", mode = "sync", allowParties = new[] { 2 } }));
        Assert.Equal(400, (int)refused.StatusCode); // the address-book sync secret has no visible range
    }

    [Fact]
    public async Task Sync_secret_from_a_new_ip_still_lists_ids_and_writes()
    {
        await SeedOneUserAsync();
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "new-ip", mode = "sync-new-ip" });
        var token = await TokenAsync("new-ip");
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        var ids = await WeComAsync("/cgi-bin/user/list_id", new { limit = 100 }, token: token);
        Assert.Equal("zs", (string)ids["dept_user"][0]["userid"]);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = "新部门", parentid = 1 }, token: token)));
    }

    [Theory]
    [InlineData("self-built")]
    [InlineData("agent")]
    public async Task App_secrets_see_members_without_sensitive_fields_and_cannot_write(string mode)
    {
        await SeedOneUserAsync();
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "app", mode });
        var token = await TokenAsync("app");
        var u = await WeComAsync("/cgi-bin/user/get", query: "userid=zs", token: token);
        Assert.Equal(0, Errcode(u));
        Assert.Equal("张三", (string)u["name"]);
        Assert.Equal("工程师", (string)u["position"]);
        foreach (var withheld in new[] { "gender", "mobile", "email", "biz_mail", "address", "avatar", "qr_code" })
            Assert.False(u.ContainsKey(withheld), withheld + " must be withheld");
        var list = await WeComAsync("/cgi-bin/user/list", query: "department_id=2", token: token);
        Assert.False(((JsonObject)list["userlist"][0]).ContainsKey("mobile"));
        Assert.Equal(48002, Errcode(await WeComAsync("/cgi-bin/user/create", new { userid = "n", name = "n", department = new[] { 1 }, mobile = "13900000000" }, token: token)));
        Assert.Equal(48002, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "zs", name = "x" }, token: token)));
        Assert.Equal(48002, Errcode(await WeComAsync("/cgi-bin/department/create", new { name = "x", parentid = 1 }, token: token)));
        Assert.Equal(48002, Errcode(await WeComAsync("/cgi-bin/user/batchdelete", new { useridlist = new[] { "zs" } }, token: token)));
        Assert.Equal(1, State.WeCom.UserCount);
    }

    [Fact]
    public async Task Sync_secret_from_an_old_ip_sees_every_field()
    {
        await SeedOneUserAsync();
        var u = await WeComAsync("/cgi-bin/user/get", query: "userid=zs");
        Assert.Equal("13800000000", (string)u["mobile"]);
        Assert.Equal("zs@corp.example.com", (string)u["biz_mail"]);
        Assert.Equal("http://a/1", (string)u["avatar"]);
    }

    [Fact]
    public async Task Untrusted_ip_gets_60020_on_every_call_but_gettoken()
    {
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = "app", mode = "untrusted-ip" });
        var token = await TokenAsync("app");
        Assert.Equal(60020, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(60020, Errcode(await WeComAsync("/cgi-bin/user/get", query: "userid=x", token: token)));
    }
}
