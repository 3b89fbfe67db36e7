using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WeComSync.Emulator.Tests;

public sealed class RateLimitTests : EmulatorTestBase
{
    public RateLimitTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task WeCom_limit_broken_answers_45009_and_blocks_for_the_window_from_the_hit_then_recovers()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", path = "/cgi-bin/department/simplelist", limit = 3, windowSeconds = 2 });
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++) Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        // Other APIs have their own window.
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        // Still blocked while the window lasts, however few calls follow.
        await Task.Delay(500);
        if (watch.Elapsed < TimeSpan.FromSeconds(1.8)) Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        while (watch.Elapsed < TimeSpan.FromSeconds(2.1)) await Task.Delay(100);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
    }

    [Fact]
    public async Task Limit_without_path_counts_each_api_separately()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", limit = 1, windowSeconds = 30 });
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
    }

    [Fact]
    public async Task Authing_limit_broken_answers_http_429()
    {
        await ControlAsync(HttpMethod.Post, "limits", new { api = "authing", path = "/api/v3/list-users", limit = 1, windowSeconds = 30 });
        await AuthingOkAsync("POST", "/api/v3/list-users", new { });
        var (http, r) = await AuthingAsync("POST", "/api/v3/list-users", new { });
        Assert.Equal(HttpStatusCode.TooManyRequests, http);
        Assert.Equal(429, Status(r));
        await ControlAsync(HttpMethod.Delete, "limits");
        await AuthingOkAsync("POST", "/api/v3/list-users", new { });
    }

    [Fact]
    public async Task Concurrency_cap_answers_45033_and_authing_429()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", concurrency = 1 });
        await ControlAsync(HttpMethod.Post, "limits", new { api = "authing", concurrency = 1 });
        await ControlAsync(HttpMethod.Post, "faults", new { kind = "latency", latencyMs = 800 });
        var wecom = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Contains(wecom, r => Errcode(r) == 45033);
        Assert.Contains(wecom, r => Errcode(r) == 0);
        var authing = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => AuthingAsync("POST", "/api/v3/list-users", new { })));
        Assert.Contains(authing, r => r.http == HttpStatusCode.TooManyRequests);
        Assert.Contains(authing, r => Status(r.body) == 200);
    }
}

public sealed class FaultTests : EmulatorTestBase
{
    public FaultTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task Busy_fault_fires_count_times_then_calls_succeed()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", path = "/cgi-bin/department/simplelist", kind = "busy", count = 2 });
        Assert.Equal(-1, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(-1, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
    }

    [Fact]
    public async Task Error_rate_fails_about_that_share_of_calls()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", kind = "busy", rate = 0.5 });
        var results = new List<int>();
        for (var i = 0; i < 100; i++) results.Add(Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.InRange(results.Count(r => r == -1), 25, 75);
        Assert.InRange(results.Count(r => r == 0), 25, 75);
    }

    [Theory]
    [InlineData("wecom", 502)]
    [InlineData("authing", 503)]
    public async Task Http_fault_answers_a_bare_status(string api, int status)
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api, kind = "http", status, count = 1 });
        var path = api == "wecom" ? "/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret" : "/api/v3/list-organizations";
        using var r = await Http.GetAsync(path);
        Assert.Equal(status, (int)r.StatusCode);
    }

    [Fact]
    public async Task Throttle_fault_is_45009_on_wecom_and_429_on_authing()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { kind = "throttle", count = 2 });
        Assert.Equal(45009, Errcode(await WeComGetAsync("/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret")));
        var (http, r) = await AuthingAsync("POST", "/api/v3/list-users", new { });
        Assert.Equal(HttpStatusCode.TooManyRequests, http);
        Assert.Equal(429, Status(r));
    }

    [Fact]
    public async Task Throttle_envelope_fault_is_http_200_with_429_in_the_envelope_on_authing()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "authing", kind = "throttle-envelope", count = 1 });
        var (http, r) = await AuthingAsync("POST", "/api/v3/list-users", new { });
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal(429, Status(r));
    }

    [Fact]
    public async Task Authing_busy_fault_is_http_500_envelope()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "authing", kind = "busy", count = 1 });
        var (http, r) = await AuthingAsync("POST", "/api/v3/list-users", new { });
        Assert.Equal(HttpStatusCode.InternalServerError, http);
        Assert.Equal(500, Status(r));
    }

    [Fact]
    public async Task Drop_fault_closes_the_connection_without_an_answer()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", kind = "drop", count = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync("/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret"));
        Assert.Equal(0, Errcode(await WeComGetAsync("/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret")));
    }

    [Fact]
    public async Task Latency_fault_delays_calls()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", kind = "latency", latencyMs = 300, count = 1 });
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, Errcode(await WeComGetAsync("/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret")));
        Assert.True(watch.ElapsedMilliseconds >= 280, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Errcode_fault_answers_any_wecom_code()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", path = "/cgi-bin/user/list_id", kind = "errcode", errcode = 45033, count = 1 });
        Assert.Equal(45033, Errcode(await WeComAsync("/cgi-bin/user/list_id", new { limit = 10 })));
    }

    [Fact]
    public async Task Fail_page_2_of_a_list_id_listing_only()
    {
        var token = await TokenAsync();
        for (var i = 0; i < 3; i++) await CreateUserAsync("u" + i, token: token);
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", path = "/cgi-bin/user/list_id", kind = "busy", page = 2 });
        var p1 = await WeComAsync("/cgi-bin/user/list_id", new { limit = 1 }, token: token);
        Assert.Equal(0, Errcode(p1));
        var cursor = (string)p1["next_cursor"];
        Assert.Equal(-1, Errcode(await WeComAsync("/cgi-bin/user/list_id", new { cursor, limit = 1 }, token: token)));
        Assert.Equal(-1, Errcode(await WeComAsync("/cgi-bin/user/list_id", new { cursor, limit = 1 }, token: token)));
        // A fresh listing's first page still works.
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/list_id", new { limit = 1 }, token: token)));
    }

    [Fact]
    public async Task Fail_page_2_of_authing_list_users_only()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "authing", path = "/api/v3/list-users", kind = "busy", page = 2, count = 1 });
        await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 1, limit = 10 } } });
        var (http, r) = await AuthingAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 2, limit = 10 } } });
        Assert.Equal(500, Status(r));
        await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 2, limit = 10 } } });
    }

    [Fact]
    public async Task Skip_lets_the_first_calls_pass()
    {
        await ControlAsync(HttpMethod.Post, "faults", new { api = "wecom", kind = "busy", skip = 1, count = 1 });
        Assert.Equal(0, Errcode(await WeComGetAsync("/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret")));
        Assert.Equal(-1, Errcode(await WeComGetAsync("/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret")));
    }
}

public sealed class ControlTests : EmulatorTestBase
{
    public ControlTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task Counters_count_every_call_per_endpoint_and_not_control_calls()
    {
        var token = await TokenAsync();
        await WeComAsync("/cgi-bin/user/get", query: "userid=ghost", token: token);
        await AuthingAsync("POST", "/api/v3/list-users", new { });
        var calls = await ControlAsync(HttpMethod.Get, "calls");
        Assert.Equal(1, (int)calls["/cgi-bin/gettoken"]);
        Assert.Equal(1, (int)calls["/cgi-bin/user/get"]);
        Assert.Equal(1, (int)calls["/api/v3/list-users"]);
        Assert.Null(calls["/cgi-bin/user/create"]);
        Assert.DoesNotContain(calls, p => p.Key.StartsWith("/_emulator"));
        await ControlAsync(HttpMethod.Delete, "calls");
        Assert.Empty(await ControlAsync(HttpMethod.Get, "calls"));
    }

    [Fact]
    public async Task Seed_then_dump_round_trips_in_the_apis_own_field_names()
    {
        var seed = new
        {
            wecom = new
            {
                departments = new object[] { new { id = 1, name = "根" }, new { id = 3, name = "子部门", parentid = 2 }, new { id = 2, name = "研发部", parentid = 1, order = 7 } },
                users = new[] { new { userid = "zs", name = "张三", department = new[] { 2, 3 }, mobile = "13800000000", biz_mail = "zs@corp.example.com" } },
            },
            authing = new
            {
                customFields = new[] { new { targetType = "USER", key = "wechatwork_user_id", dataType = "STRING", label = "WeCom" } },
                departments = new object[] { new { departmentId = "d1", name = "研发部", parentDepartmentId = "root", openDepartmentId = "2" }, new { departmentId = "d2", name = "子部门", parentDepartmentId = "d1" } },
                users = new[] { new { userId = "u1", username = "zs", name = "张三", departmentIds = new[] { "d2" }, customData = new { wechatwork_user_id = "zs" } } },
            },
        };
        await ControlAsync(HttpMethod.Post, "seed", seed);
        var dump = await ControlAsync(HttpMethod.Get, "state");
        Assert.Equal("根", (string)dump["wecom"]["departments"][0]["name"]);
        Assert.Equal(3, dump["wecom"]["departments"].AsArray().Count);
        Assert.Equal("zs@corp.example.com", (string)dump["wecom"]["users"][0]["biz_mail"]);
        Assert.Equal("d1", (string)dump["authing"]["departments"][1]["parentDepartmentId"]);
        Assert.Equal("zs", (string)dump["authing"]["users"][0]["customData"]["wechatwork_user_id"]);
        var members = await AuthingOkAsync("GET", "/api/v3/list-department-members", new Dictionary<string, string> { ["organizationCode"] = "emulator-org", ["departmentId"] = "d2" });
        Assert.Equal("u1", (string)members["data"]["list"][0]["userId"]);

        // Re-seeding from the dump gives the same dump.
        await ControlAsync(HttpMethod.Post, "reset");
        await ControlAsync(HttpMethod.Post, "seed", dump.ToJsonString());
        var again = await ControlAsync(HttpMethod.Get, "state");
        Assert.Equal(dump.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task Bad_seed_is_400_with_the_reason()
    {
        using var r = await Http.PostAsync("/_emulator/seed", JsonBody(new { wecom = new { departments = new[] { new { id = 5, name = "orphan", parentid = 4 } } } }));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("missing parent", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reset_restores_the_known_defaults()
    {
        var token = await TokenAsync();
        await CreateUserAsync("zs", token: token);
        await ControlAsync(HttpMethod.Post, "wecom/secrets", new { secret = EmulatorDefaults.CorpSecret, mode = "none" });
        await ControlAsync(HttpMethod.Post, "reset");
        Assert.Equal(0, State.WeCom.UserCount);
        Assert.Equal(1, State.WeCom.DepartmentCount);
        Assert.Equal(40014, Errcode(await WeComAsync("/cgi-bin/department/simplelist", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/simplelist")));
    }

    [Fact]
    public async Task Bad_control_input_is_400()
    {
        using var r = await Http.PostAsync("/_emulator/wecom/secrets", JsonBody(new { secret = "x", mode = "wizard" }));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using var f = await Http.PostAsync("/_emulator/faults", JsonBody(new { kind = "explode" }));
        Assert.Equal(HttpStatusCode.BadRequest, f.StatusCode);
    }

    [Fact]
    public async Task Extra_access_keys_and_authing_clock_skew_are_settable()
    {
        await ControlAsync(HttpMethod.Post, "authing/settings", new { accessKeys = new Dictionary<string, string> { ["second-ak"] = "second-sk" } });
        var (_, r) = await AuthingAsync("POST", "/api/v3/list-users", new { }, accessKeyId: "second-ak", secret: "second-sk");
        Assert.Equal(200, Status(r));
    }
}

public sealed class ScaleTests : EmulatorTestBase
{
    public ScaleTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task Seeds_100000_users_and_10000_departments_in_one_post_and_lists_them_all()
    {
        var departments = new JsonArray();
        for (var i = 2; i <= 10_001; i++) departments.Add(new JsonObject { ["id"] = i, ["name"] = "D" + i, ["parentid"] = i <= 101 ? 1 : 2 + (i % 100) });
        var users = new JsonArray();
        var authingUsers = new JsonArray();
        for (var i = 0; i < 100_000; i++)
        {
            users.Add(new JsonObject { ["userid"] = "u" + i, ["name"] = "用户" + i, ["department"] = new JsonArray(2 + i % 10_000), ["mobile"] = (13_000_000_000L + i).ToString() });
            authingUsers.Add(new JsonObject { ["username"] = "u" + i, ["name"] = "用户" + i });
        }
        var seed = new JsonObject { ["wecom"] = new JsonObject { ["departments"] = departments, ["users"] = users }, ["authing"] = new JsonObject { ["users"] = authingUsers } };
        await ControlAsync(HttpMethod.Post, "seed", seed.ToJsonString());
        Assert.Equal(100_000, State.WeCom.UserCount);
        Assert.Equal(10_001, State.WeCom.DepartmentCount);

        var token = await TokenAsync();
        var seen = new HashSet<string>();
        string cursor = null;
        do
        {
            var r = await WeComAsync("/cgi-bin/user/list_id", cursor == null ? new { limit = 10000 } : new { cursor, limit = 10000 }, token: token);
            Assert.Equal(0, Errcode(r));
            foreach (var row in r["dept_user"].AsArray()) seen.Add((string)row["userid"]);
            cursor = (string)r["next_cursor"];
        } while (!string.IsNullOrEmpty(cursor));
        Assert.Equal(100_000, seen.Count);

        var last = await AuthingOkAsync("POST", "/api/v3/list-users", new { options = new { pagination = new { page = 2000, limit = 50 } } });
        Assert.Equal(100_000, (int)last["data"]["totalCount"]);
        Assert.Equal(50, last["data"]["list"].AsArray().Count);
    }
}

public sealed class RateLimitWindowTests : EmulatorTestBase
{
    public RateLimitWindowTests(EmulatorFixture f) : base(f) { }

    [Fact]
    public async Task A_short_and_a_long_window_on_the_same_api_both_apply()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", path = "/cgi-bin/department/get", limit = 2, windowSeconds = 1 });
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", path = "/cgi-bin/department/get", limit = 3, windowSeconds = 60 });
        var limits = await ControlAsync(HttpMethod.Get, "limits");
        Assert.Equal(2, limits["rules"].AsArray().Count);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        await Task.Delay(1100);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        // The short window has room again, the long one (3 a minute) is spent.
        Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
    }

    [Fact]
    public async Task A_block_is_counted_from_the_hit_not_from_the_first_call_of_a_fixed_window()
    {
        // WeCom: "按分钟拦截则被屏蔽60秒" (developer.work.weixin.qq.com/document/path/90312): 60 s from the hit.
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", path = "/cgi-bin/department/get", limit = 2, windowSeconds = 4 });
        // Seconds, not fractions: on a loaded machine a call can take a few hundred ms, and the second call must still
        // fall inside the first one's window.
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        await Task.Delay(2000);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        var hitAt = watch.Elapsed;
        var hit = await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token);
        Assert.Equal(45009, Errcode(hit));
        Assert.DoesNotContain("second", hit["errmsg"].GetValue<string>()); // like the live API, it does not say how long
        // A fixed window opened by the first call would have ended at 4 s; the block runs to 4 s after the hit.
        while (watch.Elapsed < TimeSpan.FromSeconds(4.4)) await Task.Delay(50);
        if (watch.Elapsed < hitAt + TimeSpan.FromSeconds(3.6)) Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        while (watch.Elapsed < hitAt + TimeSpan.FromSeconds(4.3)) await Task.Delay(50);
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
    }

    [Fact]
    public async Task An_hour_rule_blocks_for_its_own_block_length_and_refused_calls_are_not_counted()
    {
        var token = await TokenAsync();
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", path = "/cgi-bin/department/get", limit = 100, windowSeconds = 0.2 });
        await ControlAsync(HttpMethod.Post, "limits", new { api = "wecom", path = "/cgi-bin/department/get", limit = 1, windowSeconds = 12, blockSeconds = 1.5 });
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        var watch = Stopwatch.StartNew();
        Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        await Task.Delay(400); // past the short rule's window: still blocked by the long one
        if (watch.Elapsed < TimeSpan.FromSeconds(1.3)) Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
        while (watch.Elapsed < TimeSpan.FromSeconds(1.6)) await Task.Delay(50);
        // The block is over, but the long window still holds the one counted call: the next call is a new hit.
        Assert.Equal(45009, Errcode(await WeComAsync("/cgi-bin/department/get", query: "id=1", token: token)));
    }
}
