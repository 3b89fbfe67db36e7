using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace WeComSync.Emulator.Tests;

public sealed class AuthingAuthTests : EmulatorTestBase
{
    public AuthingAuthTests(EmulatorFixture f) : base(f) { }

    private async Task<JsonObject> TokenCallAsync(string authorization, string pool = EmulatorDefaults.UserPoolId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v3/list-users") { Content = JsonBody(new { options = new { pagination = new { page = 1, limit = 10 } } }) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (pool != null) request.Headers.Add("x-authing-userpool-id", pool);
        using var r = await Http.SendAsync(request);
        return await ReadAsync(r);
    }

    private async Task<string> ManagementTokenAsync()
    {
        using var r = await Http.PostAsync("/api/v3/get-management-token", JsonBody(new { accessKeyId = "emulator-ak", accessKeySecret = "emulator-sk" }));
        var body = await ReadAsync(r);
        Assert.Equal(200, Status(body));
        return (string)body["data"]["access_token"];
    }

    [Fact]
    public async Task Management_token_is_a_jwt_scoped_to_the_pool()
    {
        using var r = await Http.PostAsync("/api/v3/get-management-token", JsonBody(new { accessKeyId = "emulator-ak", accessKeySecret = "emulator-sk" }));
        var body = await ReadAsync(r);
        Assert.Equal(200, Status(body));
        Assert.True((int)body["data"]["expires_in"] > 0);
        var parts = ((string)body["data"]["access_token"]).Split('.');
        Assert.Equal(3, parts.Length);
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        Assert.Equal("emulator-pool", (string)claims["scoped_userpool_id"]);
    }

    [Fact]
    public async Task Wrong_access_key_secret_gets_no_token_401()
    {
        using var r = await Http.PostAsync("/api/v3/get-management-token", JsonBody(new { accessKeyId = "emulator-ak", accessKeySecret = "nope" }));
        Assert.Equal(401, Status(await ReadAsync(r)));
    }

    [Fact]
    public async Task Token_works_with_and_without_the_Bearer_prefix_and_needs_the_pool_header()
    {
        var token = await ManagementTokenAsync();
        Assert.Equal(200, Status(await TokenCallAsync("Bearer " + token)));
        Assert.Equal(200, Status(await TokenCallAsync(token)));
        Assert.Equal(400, Status(await TokenCallAsync("Bearer " + token, pool: null)));
        Assert.Equal(403, Status(await TokenCallAsync("Bearer " + token, pool: "other-pool")));
        Assert.Equal(401, Status(await TokenCallAsync("Bearer " + token[..^3] + "abc")));
    }

    [Fact]
    public async Task Revoked_tokens_answer_401()
    {
        var token = await ManagementTokenAsync();
        await ControlAsync(HttpMethod.Post, "tokens/invalidate", new { api = "authing" });
        Assert.Equal(401, Status(await TokenCallAsync("Bearer " + token)));
        Assert.Equal(200, Status(await TokenCallAsync("Bearer " + await ManagementTokenAsync())));
    }

    [Fact]
    public async Task Expired_token_answers_401()
    {
        await ControlAsync(HttpMethod.Post, "authing/settings", new { tokenExpiresIn = 1 });
        var token = await ManagementTokenAsync();
        await Task.Delay(2100);
        Assert.Equal(401, Status(await TokenCallAsync("Bearer " + token)));
    }

    [Fact]
    public async Task Signed_get_and_post_calls_succeed()
    {
        await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 1, limit = 10 } } });
        await AuthingOkAsync("GET", "/api/v3/list-organizations", new Dictionary<string, string> { ["page"] = "1", ["limit"] = "10" });
        await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "u1", name = "名字 with spaces & symbols=?", customData = (object)null });
    }

    [Fact]
    public async Task Wrong_secret_is_1300()
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/list-users", new { }, secret: "wrong");
        Assert.Equal(401, Status(r));
        Assert.Equal(1300, (int)r["apiCode"]);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_1300()
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-user", new { username = "a" },
            tamper: m => m.Content = new StringContent("{\"username\":\"b\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(1300, (int)r["apiCode"]);
        Assert.Equal(0, State.Authing.UserCount);
    }

    [Theory]
    [InlineData("x-authing-signature-method", "HMAC-SHA256", 1301)]
    [InlineData("x-authing-signature-version", "2.0", 1302)]
    [InlineData("date", null, 1303)]
    [InlineData("date", "Mon, 01 Jan 2001 00:00:00 GMT", 1304)]
    public async Task Signature_header_errors_have_their_codes(string header, string value, int apiCode)
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/list-users", new { }, headers: new Dictionary<string, string> { [header] = value });
        Assert.Equal(401, Status(r));
        Assert.Equal(apiCode, (int)r["apiCode"]);
    }

    [Fact]
    public async Task A_replayed_nonce_is_1305()
    {
        var request = BuildSigned("POST", "/api/v3/list-users", new { }, "emulator-ak", "emulator-sk");
        var copy = BuildSigned("POST", "/api/v3/list-users", new { }, "emulator-ak", "emulator-sk");
        copy.Headers.Remove("x-authing-signature-nonce");
        copy.Headers.Remove("authorization");
        copy.Headers.TryAddWithoutValidation("x-authing-signature-nonce", request.Headers.GetValues("x-authing-signature-nonce"));
        copy.Headers.TryAddWithoutValidation("authorization", request.Headers.GetValues("authorization"));
        copy.Headers.Remove("date");
        copy.Headers.TryAddWithoutValidation("date", request.Headers.GetValues("date"));
        using var first = await Http.SendAsync(request);
        Assert.Equal(200, Status(await ReadAsync(first)));
        using var second = await Http.SendAsync(copy);
        var r = await ReadAsync(second);
        Assert.Equal(1305, (int)r["apiCode"]);
    }

    [Fact]
    public async Task Unknown_access_key_is_1306_and_no_authorization_is_401()
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/list-users", new { }, accessKeyId: "nobody");
        Assert.Equal(1306, (int)r["apiCode"]);
        using var bare = await Http.PostAsync("/api/v3/list-users", JsonBody(new { }));
        Assert.Equal(401, Status(await ReadAsync(bare)));
    }

    [Fact]
    public async Task Envelope_has_statusCode_message_requestId_and_data()
    {
        var r = await AuthingOkAsync("POST", "/api/v3/list-users", new { });
        Assert.False(string.IsNullOrEmpty((string)r["requestId"]));
        Assert.NotNull(r["message"]);
        Assert.NotNull(r["data"]["totalCount"]);
    }

    [Fact]
    public async Task Unknown_path_or_wrong_method_is_404()
    {
        var (http, r) = await AuthingAsync("POST", "/api/v3/no-such-api", new { });
        Assert.Equal(404, Status(r));
        (http, r) = await AuthingAsync("GET", "/api/v3/list-users", new Dictionary<string, string>());
        Assert.Equal(404, Status(r));
    }
}

public sealed class AuthingUserTests : EmulatorTestBase
{
    public AuthingUserTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task List_users_sorts_as_asked_and_refuses_an_unknown_sort_field()
    {
        State.Seed("{\"authing\":{\"users\":[{\"username\":\"b\"},{\"username\":\"a\"},{\"username\":\"c\"}]}}");
        var sorted = await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { sort = new[] { new { field = "username", order = "desc" } } } });
        Assert.Equal(new[] { "c", "b", "a" }, sorted["data"]["list"].AsArray().Select(u => (string)u["username"]).ToArray());
        var (_, bad) = await AuthingAsync("POST", "/api/v3/list-users", new { options = new { sort = new[] { new { field = "shoeSize", order = "asc" } } } });
        Assert.Equal(400, Status(bad));
        var (_, badOrder) = await AuthingAsync("POST", "/api/v3/list-users", new { options = new { sort = new[] { new { field = "id", order = "up" } } } });
        Assert.Equal(400, Status(badOrder));
    }

    [Fact]
    public async Task The_reorder_fault_shuffles_what_the_sort_leaves_open_on_every_call()
    {
        State.Seed("{\"authing\":{\"users\":[" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"{{\"username\":\"u{i:D2}\"}}")) + "]}}");
        await ControlAsync(HttpMethod.Post, "faults", new { api = "authing", path = "/api/v3/list-users", kind = "reorder" });
        async Task<string[]> Page(object options) => (await AuthingOkAsync("POST", "/api/v3/list-users", new { options }))["data"]["list"].AsArray().Select(u => (string)u["username"]).ToArray();
        var unsorted1 = await Page(new { pagination = new { page = 1, limit = 40 } });
        var unsorted2 = await Page(new { pagination = new { page = 1, limit = 40 } });
        Assert.NotEqual(unsorted1, unsorted2);
        var byId = new { pagination = new { page = 1, limit = 40 }, sort = new[] { new { field = "id", order = "asc" } } };
        Assert.Equal(await Page(byId), await Page(byId));
    }

    private async Task<string> CreateAsync(object user) => (string)(await AuthingOkAsync("POST", "/api/v3/create-user", user))["data"]["userId"];

    [Fact]
    public async Task Create_user_needs_email_phone_or_username_400()
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-user", new { name = "nobody" });
        Assert.Equal(400, Status(r));
    }

    [Theory]
    [InlineData("username", "zs")]
    [InlineData("email", "zs@example.com")]
    [InlineData("phone", "13800000000")]
    [InlineData("externalId", "ext-1")]
    public async Task Unique_fields_conflict_409(string field, string value)
    {
        await CreateAsync(new Dictionary<string, string> { ["username"] = "first", [field] = value });
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-user", new Dictionary<string, string> { ["username"] = "second", [field] = value });
        if (field == "username") r = (await AuthingAsync("POST", "/api/v3/create-user", new Dictionary<string, string> { ["username"] = value })).body;
        Assert.Equal(409, Status(r));
        Assert.Equal(1, State.Authing.UserCount);
    }

    [Fact]
    public async Task Custom_data_keys_must_be_defined_before_use()
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-user", new { username = "zs", customData = new { wechatwork_user_id = "zs" } });
        Assert.Equal(400, Status(r));
        await DefineUserFieldsAsync("wechatwork_user_id");
        var fields = await AuthingOkAsync("GET", "/api/v3/get-custom-fields", new Dictionary<string, string> { ["targetType"] = "USER" });
        Assert.Equal("wechatwork_user_id", (string)fields["data"][0]["key"]);
        var id = await CreateAsync(new { username = "zs", customData = new { wechatwork_user_id = "zs" } });
        var got = await AuthingOkAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = id, ["withCustomData"] = "true" });
        Assert.Equal("zs", (string)got["data"]["customData"]["wechatwork_user_id"]);
    }

    [Fact]
    public async Task List_custom_fields_is_paged_and_needs_a_data_type_get_custom_fields_answers_all()
    {
        await DefineUserFieldsAsync(Enumerable.Range(0, 13).Select(i => "f" + i).ToArray());
        var (_, noType) = await AuthingAsync("GET", "/api/v3/list-custom-fields", new Dictionary<string, string> { ["targetType"] = "USER" });
        Assert.Equal(400, Status(noType));
        var first = await AuthingOkAsync("GET", "/api/v3/list-custom-fields", new Dictionary<string, string> { ["targetType"] = "USER", ["dataType"] = "STRING" });
        Assert.Equal(13, (int)first["data"]["totalCount"]);
        Assert.Equal(10, first["data"]["list"].AsArray().Count); // default limit 10
        var (_, tooMany) = await AuthingAsync("GET", "/api/v3/list-custom-fields", new Dictionary<string, string> { ["targetType"] = "USER", ["dataType"] = "STRING", ["limit"] = "51" });
        Assert.Equal(400, Status(tooMany));
        var all = await AuthingOkAsync("GET", "/api/v3/get-custom-fields", new Dictionary<string, string> { ["targetType"] = "USER" });
        Assert.Equal(13, all["data"].AsArray().Count);
    }

    [Fact]
    public async Task List_users_pages_of_at_most_50_with_total_count()
    {
        var list = Enumerable.Range(0, 50).Select(i => new { username = "u" + i }).ToArray();
        await AuthingOkAsync("POST", "/api/v3/create-users-batch", new { list });
        await AuthingOkAsync("POST", "/api/v3/create-users-batch", new { list = new[] { new { username = "last" } } });
        var p1 = await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 1, limit = 50 } } });
        Assert.Equal(51, (int)p1["data"]["totalCount"]);
        Assert.Equal(50, p1["data"]["list"].AsArray().Count);
        var p2 = await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 2, limit = 50 } } });
        Assert.Equal("last", (string)p2["data"]["list"][0]["username"]);
        var (_, over) = await AuthingAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 1, limit = 51 } } });
        Assert.Equal(400, Status(over));
    }

    [Fact]
    public async Task List_users_includes_custom_data_and_department_ids_only_when_asked()
    {
        await DefineUserFieldsAsync("wechatwork_user_id");
        await CreateAsync(new { username = "zs", customData = new { wechatwork_user_id = "zs" }, departmentIds = new[] { "root" } });
        var bare = await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 1, limit = 10 } } });
        var user = (JsonObject)bare["data"]["list"][0];
        Assert.False(user.ContainsKey("customData"));
        Assert.False(user.ContainsKey("departmentIds"));
        var full = await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 1, limit = 10 }, withCustomData = true, withDepartmentIds = true } });
        user = (JsonObject)full["data"]["list"][0];
        Assert.Equal("zs", (string)user["customData"]["wechatwork_user_id"]);
        Assert.Single(user["departmentIds"].AsArray());
    }

    [Fact]
    public async Task Advanced_filter_on_a_custom_key_and_an_undefined_key_is_400()
    {
        await DefineUserFieldsAsync("wechatwork_user_id");
        await CreateAsync(new { username = "a", customData = new { wechatwork_user_id = "wa" } });
        await CreateAsync(new { username = "b", customData = new { wechatwork_user_id = "wb" } });
        await CreateAsync(new { username = "c" });
        async Task<string[]> Filter(object filter)
        {
            var r = await AuthingOkAsync("POST", "/api/v3/list-users", new { advancedFilter = new[] { filter }, options = new { pagination = new { page = 1, limit = 50 } } });
            return r["data"]["list"].AsArray().Select(x => (string)x["username"]).ToArray();
        }
        Assert.Equal(new[] { "b" }, await Filter(new { field = "wechatwork_user_id", @operator = "EQUAL", value = "wb" }));
        Assert.Equal(new[] { "a", "b" }, await Filter(new { field = "wechatwork_user_id", @operator = "IN", value = new[] { "wa", "wb" } }));
        Assert.Equal(new[] { "c" }, await Filter(new { field = "wechatwork_user_id", @operator = "IS_NULL" }));
        var (_, bad) = await AuthingAsync("POST", "/api/v3/list-users", new { advancedFilter = new[] { new { field = "undefined_key", @operator = "EQUAL", value = "x" } } });
        Assert.Equal(400, Status(bad));
    }

    [Fact]
    public async Task Get_user_missing_is_404_with_apiCode_2004_and_get_by_other_id_types()
    {
        var (_, r) = await AuthingAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = "missing" });
        Assert.Equal(404, Status(r));
        Assert.Equal(2004, (int)r["apiCode"]);
        var id = await CreateAsync(new { username = "zs", email = "zs@example.com", externalId = "e1" });
        foreach (var (type, value) in new[] { ("username", "zs"), ("email", "zs@example.com"), ("external_id", "e1") })
        {
            var got = await AuthingOkAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = value, ["userIdType"] = type });
            Assert.Equal(id, (string)got["data"]["userId"]);
        }
    }

    [Fact]
    public async Task Get_user_batch_returns_the_found_users()
    {
        var a = await CreateAsync(new { username = "a" });
        var b = await CreateAsync(new { username = "b" });
        var r = await AuthingOkAsync("GET", "/api/v3/get-user-batch", new Dictionary<string, string> { ["userIds"] = $"{a},{b},missing" });
        Assert.Equal(new[] { "a", "b" }, r["data"].AsArray().Select(x => (string)x["username"]).ToArray());
    }

    [Fact]
    public async Task Create_users_batch_is_at_most_50_and_all_or_nothing()
    {
        var (_, over) = await AuthingAsync("POST", "/api/v3/create-users-batch", new { list = Enumerable.Range(0, 51).Select(i => new { username = "u" + i }).ToArray() });
        Assert.Equal(400, Status(over));
        await CreateAsync(new { username = "taken" });
        var (_, dup) = await AuthingAsync("POST", "/api/v3/create-users-batch", new { list = new[] { new { username = "fresh" }, new { username = "taken" } } });
        Assert.Equal(409, Status(dup));
        var (_, inner) = await AuthingAsync("POST", "/api/v3/create-users-batch", new { list = new[] { new { username = "twin" }, new { username = "twin" } } });
        Assert.Equal(409, Status(inner));
        Assert.Equal(1, State.Authing.UserCount);
    }

    [Fact]
    public async Task Update_user_changes_given_fields_keeps_others_and_merges_custom_data()
    {
        await DefineUserFieldsAsync("wechatwork_user_id", "wechatwork_department_ids");
        var id = await CreateAsync(new { username = "zs", name = "旧", email = "zs@example.com", customData = new { wechatwork_user_id = "zs" } });
        var r = await AuthingOkAsync("POST", "/api/v3/update-user", new { userId = id, name = "新", gender = "M", customData = new { wechatwork_department_ids = "1,2" } });
        Assert.Equal("新", (string)r["data"]["name"]);
        var got = await AuthingOkAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = id, ["withCustomData"] = "true" });
        Assert.Equal("zs@example.com", (string)got["data"]["email"]);
        Assert.Equal("M", (string)got["data"]["gender"]);
        Assert.Equal("zs", (string)got["data"]["customData"]["wechatwork_user_id"]);
        Assert.Equal("1,2", (string)got["data"]["customData"]["wechatwork_department_ids"]);
    }

    [Fact]
    public async Task Update_user_conflict_409_missing_404_and_by_user_id_type()
    {
        await CreateAsync(new { username = "a", email = "a@example.com" });
        var b = await CreateAsync(new { username = "b" });
        var (_, conflict) = await AuthingAsync("POST", "/api/v3/update-user", new { userId = b, email = "a@example.com" });
        Assert.Equal(409, Status(conflict));
        var (_, missing) = await AuthingAsync("POST", "/api/v3/update-user", new { userId = "missing", name = "x" });
        Assert.Equal(404, Status(missing));
        await AuthingOkAsync("POST", "/api/v3/update-user", new { userId = "b", nickname = "bee", options = new { userIdType = "username" } });
        var got = await AuthingOkAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = b });
        Assert.Equal("bee", (string)got["data"]["nickname"]);
    }

    [Fact]
    public async Task Update_user_batch_updates_all_or_none()
    {
        var a = await CreateAsync(new { username = "a" });
        var b = await CreateAsync(new { username = "b" });
        var (_, bad) = await AuthingAsync("POST", "/api/v3/update-user-batch", new { list = new object[] { new { userId = a, name = "A" }, new { userId = "missing", name = "M" } } });
        Assert.Equal(404, Status(bad));
        var r = await AuthingOkAsync("POST", "/api/v3/update-user-batch", new { list = new[] { new { userId = a, name = "A" }, new { userId = b, name = "B" } } });
        Assert.Equal(new[] { "A", "B" }, r["data"].AsArray().Select(x => (string)x["name"]).ToArray());
        // Over the emulator's size (50: the docs give none) is 413 PayloadTooLarge, and the same user twice is refused.
        var (_, over) = await AuthingAsync("POST", "/api/v3/update-user-batch", new { list = Enumerable.Range(0, 51).Select(i => new { userId = a, name = "A" + i }).ToArray() });
        Assert.Equal(413, Status(over));
        var (_, twice) = await AuthingAsync("POST", "/api/v3/update-user-batch", new { list = new[] { new { userId = a, name = "A1" }, new { userId = a, name = "A2" } } });
        Assert.Equal(400, Status(twice));
        // The batch form has no userIdType: a username is not an Authing user id, and nothing is changed.
        var (_, byName) = await AuthingAsync("POST", "/api/v3/update-user-batch", new { list = new[] { new { userId = "a", name = "X" } }, options = new { userIdType = "username" } });
        Assert.Equal(404, Status(byName));
        var got = await AuthingOkAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = a });
        Assert.Equal("A", (string)got["data"]["name"]);
    }

    [Fact]
    public async Task Delete_users_batch_removes_users_and_limits_to_50()
    {
        var a = await CreateAsync(new { username = "a" });
        var b = await CreateAsync(new { username = "b" });
        var r = await AuthingOkAsync("POST", "/api/v3/delete-users-batch", new { userIds = new[] { a, b }, options = new { userIdType = "user_id" } });
        Assert.True((bool)r["data"]["success"]);
        Assert.Equal(0, State.Authing.UserCount);
        var (_, over) = await AuthingAsync("POST", "/api/v3/delete-users-batch", new { userIds = Enumerable.Range(0, 51).Select(i => "x" + i).ToArray() });
        Assert.Equal(400, Status(over));
    }

    [Theory]
    [InlineData("gender", "X")]
    [InlineData("status", "Sleeping")]
    [InlineData("email", "not-an-email")]
    [InlineData("phone", "+86 138")]
    public async Task Bad_field_values_are_400(string field, string value)
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-user", new Dictionary<string, string> { ["username"] = "zs", [field] = value });
        Assert.Equal(400, Status(r));
    }
}

public sealed class AuthingDepartmentTests : EmulatorTestBase
{
    public AuthingDepartmentTests(EmulatorFixture f) : base(f) { }

    private const string Org = EmulatorDefaults.OrganizationCode;

    private async Task<string> CreateDeptAsync(string name, string parent = "root", object extra = null)
    {
        var body = new JsonObject { ["organizationCode"] = Org, ["name"] = name, ["parentDepartmentId"] = parent, ["metadata"] = new JsonObject() };
        if (extra != null) foreach (var (k, v) in JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra)).AsObject()) body[k] = v?.DeepClone();
        var r = await AuthingOkAsync("POST", "/api/v3/create-department", body.ToJsonString());
        return (string)r["data"]["departmentId"];
    }

    [Fact]
    public async Task Default_pool_has_one_organization_emulator_org_with_only_its_root()
    {
        var orgs = await AuthingOkAsync("GET", "/api/v3/list-organizations", new Dictionary<string, string> { ["page"] = "1", ["limit"] = "50" });
        Assert.Equal(1, (int)orgs["data"]["totalCount"]);
        Assert.Equal(Org, (string)orgs["data"]["list"][0]["organizationCode"]);
        Assert.False(string.IsNullOrEmpty((string)orgs["data"]["list"][0]["departmentId"]));
        var all = await AuthingOkAsync("GET", "/api/v3/get-all-departments", new Dictionary<string, string> { ["organizationCode"] = Org, ["departmentId"] = "root" });
        Assert.Equal(0, (int)all["data"]["totalCount"]);
    }

    [Fact]
    public async Task Create_department_under_root_and_list_children_and_all()
    {
        var a = await CreateDeptAsync("研发部", extra: new { openDepartmentId = "2" });
        var aa = await CreateDeptAsync("后端组", a);
        var children = await AuthingOkAsync("GET", "/api/v3/list-children-departments", new Dictionary<string, string> { ["organizationCode"] = Org, ["departmentId"] = "root" });
        Assert.Equal(new[] { a }, children["data"]["list"].AsArray().Select(x => (string)x["departmentId"]).ToArray());
        Assert.True((bool)children["data"]["list"][0]["hasChildren"]);
        var all = await AuthingOkAsync("GET", "/api/v3/get-all-departments", new Dictionary<string, string> { ["organizationCode"] = Org, ["departmentId"] = "root", ["withCustomData"] = "true" });
        Assert.Equal(new[] { a, aa }, all["data"]["list"].AsArray().Select(x => (string)x["departmentId"]).ToArray());
        Assert.Equal(a, (string)all["data"]["list"][1]["parentDepartmentId"]);
    }

    [Fact]
    public async Task Department_custom_data_needs_a_department_field()
    {
        var body = new { organizationCode = Org, name = "x", parentDepartmentId = "root", metadata = new { }, customData = new { wechatwork_department_id = "2" } };
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-department", body);
        Assert.Equal(400, Status(r));
        await AuthingOkAsync("POST", "/api/v3/set-custom-fields", new { list = new[] { new { targetType = "DEPARTMENT", key = "wechatwork_department_id", dataType = "STRING", label = "id" } } });
        var ok = await AuthingOkAsync("POST", "/api/v3/create-department", body);
        Assert.Equal("2", (string)ok["data"]["customData"]["wechatwork_department_id"]);
    }

    [Fact]
    public async Task Department_id_types_open_department_id_and_code_address_departments()
    {
        var a = await CreateDeptAsync("A", extra: new { openDepartmentId = "wx-2", code = "code-a" });
        await AuthingOkAsync("POST", "/api/v3/update-department", new { organizationCode = Org, departmentId = "wx-2", departmentIdType = "open_department_id", name = "A2" });
        var child = await AuthingOkAsync("POST", "/api/v3/create-department", new { organizationCode = Org, name = "C", parentDepartmentId = "code-a", departmentIdType = "code", metadata = new { } });
        Assert.Equal(a, (string)child["data"]["parentDepartmentId"]);
        var (_, missing) = await AuthingAsync("POST", "/api/v3/update-department", new { organizationCode = Org, departmentId = "nope", departmentIdType = "open_department_id", name = "x" });
        Assert.Equal(404, Status(missing));
        var (_, dup) = await AuthingAsync("POST", "/api/v3/create-department", new { organizationCode = Org, name = "B", parentDepartmentId = "root", openDepartmentId = "wx-2", metadata = new { } });
        Assert.Equal(409, Status(dup));
    }

    [Fact]
    public async Task Update_department_moves_and_refuses_cycles()
    {
        var a = await CreateDeptAsync("A");
        var b = await CreateDeptAsync("B");
        var r = await AuthingOkAsync("POST", "/api/v3/update-department", new { organizationCode = Org, departmentId = b, parentDepartmentId = a });
        Assert.Equal(a, (string)r["data"]["parentDepartmentId"]);
        var (_, cycle) = await AuthingAsync("POST", "/api/v3/update-department", new { organizationCode = Org, departmentId = a, parentDepartmentId = b });
        Assert.Equal(400, Status(cycle));
    }

    [Fact]
    public async Task Delete_department_must_be_empty_and_never_the_root()
    {
        var a = await CreateDeptAsync("A");
        var aa = await CreateDeptAsync("AA", a);
        var (_, hasChild) = await AuthingAsync("POST", "/api/v3/delete-department", new { organizationCode = Org, departmentId = a });
        Assert.Equal(400, Status(hasChild));
        var user = (string)(await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "m", departmentIds = new[] { aa } }))["data"]["userId"];
        var (_, hasMember) = await AuthingAsync("POST", "/api/v3/delete-department", new { organizationCode = Org, departmentId = aa });
        Assert.Equal(400, Status(hasMember));
        var (_, root) = await AuthingAsync("POST", "/api/v3/delete-department", new { organizationCode = Org, departmentId = "root" });
        Assert.Equal(400, Status(root));
        await AuthingOkAsync("POST", "/api/v3/remove-department-members", new { organizationCode = Org, departmentId = aa, userIds = new[] { user } });
        await AuthingOkAsync("POST", "/api/v3/delete-department", new { organizationCode = Org, departmentId = aa });
        await AuthingOkAsync("POST", "/api/v3/delete-department", new { organizationCode = Org, departmentId = a });
    }

    [Fact]
    public async Task Set_user_departments_replaces_memberships_seen_by_list_department_members()
    {
        var a = await CreateDeptAsync("A");
        var b = await CreateDeptAsync("B");
        var user = (string)(await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "m", departmentIds = new[] { a } }))["data"]["userId"];
        await AuthingOkAsync("POST", "/api/v3/set-user-departments", new { userId = user, departments = new[] { new { departmentId = b, isMainDepartment = true } } });
        async Task<int> Count(string d) => (int)(await AuthingOkAsync("GET", "/api/v3/list-department-members",
            new Dictionary<string, string> { ["organizationCode"] = Org, ["departmentId"] = d, ["page"] = "1", ["limit"] = "50" }))["data"]["totalCount"];
        Assert.Equal(0, await Count(a));
        Assert.Equal(1, await Count(b));
        var got = await AuthingOkAsync("GET", "/api/v3/get-user", new Dictionary<string, string> { ["userId"] = user, ["withDepartmentIds"] = "true" });
        Assert.Equal(new[] { b }, got["data"]["departmentIds"].AsArray().Select(x => (string)x).ToArray());
    }

    [Fact]
    public async Task Add_department_members_and_list_with_children_and_paging()
    {
        var a = await CreateDeptAsync("A");
        var aa = await CreateDeptAsync("AA", a);
        var users = (await AuthingOkAsync("POST", "/api/v3/create-users-batch", new { list = Enumerable.Range(0, 3).Select(i => new { username = "u" + i }).ToArray() }))["data"]
            .AsArray().Select(x => (string)x["userId"]).ToArray();
        await AuthingOkAsync("POST", "/api/v3/add-department-members", new { organizationCode = Org, departmentId = a, userIds = users[..2] });
        await AuthingOkAsync("POST", "/api/v3/add-department-members", new { organizationCode = Org, departmentId = aa, userIds = users[2..] });
        var page = await AuthingOkAsync("GET", "/api/v3/list-department-members", new Dictionary<string, string>
            { ["organizationCode"] = Org, ["departmentId"] = a, ["includeChildrenDepartments"] = "true", ["page"] = "2", ["limit"] = "2" });
        Assert.Equal(3, (int)page["data"]["totalCount"]);
        Assert.Single(page["data"]["list"].AsArray());
        var (_, unknown) = await AuthingAsync("POST", "/api/v3/add-department-members", new { organizationCode = Org, departmentId = a, userIds = new[] { "ghost" } });
        Assert.Equal(404, Status(unknown));
    }

    [Fact]
    public async Task Unknown_organization_is_404()
    {
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-department", new { organizationCode = "nope", name = "x", parentDepartmentId = "root" });
        Assert.Equal(404, Status(r));
    }

    [Fact]
    public async Task Sibling_department_names_must_differ_409()
    {
        await CreateDeptAsync("A");
        var (_, r) = await AuthingAsync("POST", "/api/v3/create-department", new { organizationCode = Org, name = "A", parentDepartmentId = "root", metadata = new { } });
        Assert.Equal(409, Status(r));
    }

    [Fact]
    public async Task Create_department_without_metadata_is_400_and_takes_an_object_or_null_while_update_takes_none()
    {
        var (_, none) = await AuthingAsync("POST", "/api/v3/create-department", new { organizationCode = Org, name = "M", parentDepartmentId = "root" });
        Assert.Equal(400, Status(none));
        Assert.Contains("metadata", (string)none["message"]);
        var (_, text) = await AuthingAsync("POST", "/api/v3/create-department", new { organizationCode = Org, name = "M", parentDepartmentId = "root", metadata = "x" });
        Assert.Equal(400, Status(text));
        var asNull = await AuthingOkAsync("POST", "/api/v3/create-department", "{\"organizationCode\":\"" + Org + "\",\"name\":\"N\",\"parentDepartmentId\":\"root\",\"metadata\":null}");
        var id = await CreateDeptAsync("M");
        await AuthingOkAsync("POST", "/api/v3/update-department", new { organizationCode = Org, departmentId = id, name = "M2" });
        var (_, badUpdate) = await AuthingAsync("POST", "/api/v3/update-department", new { organizationCode = Org, departmentId = id, metadata = 1 });
        Assert.Equal(400, Status(badUpdate));
        Assert.False(string.IsNullOrEmpty((string)asNull["data"]["departmentId"]));
    }
}
