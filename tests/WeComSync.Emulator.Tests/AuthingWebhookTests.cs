using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace WeComSync.Emulator.Tests;

/// <summary>Authing webhooks: the management API's webhook endpoints and the deliveries a test receiver on 127.0.0.1 gets.</summary>
public sealed class AuthingWebhookTests : EmulatorTestBase
{
    public AuthingWebhookTests(EmulatorFixture fixture) : base(fixture) { }

    private const string Secret = "webhook-secret-1";

    private async Task<string> CreateWebhookAsync(TestReceiver receiver, string[] events, string contentType = "application/json", bool enabled = true, string secret = Secret)
    {
        var r = await AuthingOkAsync("POST", "/api/v3/create-webhook", new { name = "listener", url = receiver.Url + "authing", events, contentType, enabled, secret });
        return (string)r["data"]!["webhookId"];
    }

    private async Task IdleAsync() => Assert.True(await State.Events.WaitIdleAsync(TimeSpan.FromSeconds(60)), "deliveries still pending");

    private static JsonObject Body(ReceivedRequest r) => JsonNode.Parse(r.Text)!.AsObject();

    public static TheoryData<string, object> BadWebhooks => new()
    {
        { "no url", new { name = "n", events = new[] { "user:created" }, contentType = "application/json" } },
        { "relative url", new { name = "n", url = "/callback", events = new[] { "user:created" }, contentType = "application/json" } },
        { "ftp url", new { name = "n", url = "ftp://127.0.0.1/x", events = new[] { "user:created" }, contentType = "application/json" } },
        { "unknown event", new { name = "n", url = "http://127.0.0.1:1/x", events = new[] { "user:exploded" }, contentType = "application/json" } },
        { "no events", new { name = "n", url = "http://127.0.0.1:1/x", events = Array.Empty<string>(), contentType = "application/json" } },
        { "bad content type", new { name = "n", url = "http://127.0.0.1:1/x", events = new[] { "user:created" }, contentType = "text/plain" } },
        { "no content type", new { name = "n", url = "http://127.0.0.1:1/x", events = new[] { "user:created" } } },
        { "no name", new { url = "http://127.0.0.1:1/x", events = new[] { "user:created" }, contentType = "application/json" } },
    };

    [Theory]
    [MemberData(nameof(BadWebhooks))]
    public async Task Create_webhook_refuses_a_bad_field_with_400_and_creates_nothing(string why, object body)
    {
        var (http, r) = await AuthingAsync("POST", "/api/v3/create-webhook", body);
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.True(Status(r) == 400, why + ": " + r.ToJsonString());
        var list = await AuthingOkAsync("GET", "/api/v3/list-webhooks", new Dictionary<string, string>());
        Assert.Equal(0, (int)list["data"]!["totalCount"]);
    }

    [Fact]
    public async Task Webhooks_are_created_listed_read_updated_and_deleted_and_the_event_list_names_what_create_accepts()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var id = await CreateWebhookAsync(receiver, new[] { "user:created" });
        var list = (await AuthingOkAsync("GET", "/api/v3/list-webhooks", new Dictionary<string, string> { ["page"] = "1", ["limit"] = "10" }))["data"]!;
        Assert.Equal(1, (int)list["totalCount"]);
        Assert.Equal(id, (string)list["list"]![0]!["webhookId"]);
        var (_, tooMany) = await AuthingAsync("GET", "/api/v3/list-webhooks", new Dictionary<string, string> { ["limit"] = "51" });
        Assert.Equal(400, Status(tooMany));

        var updated = (await AuthingOkAsync("POST", "/api/v3/update-webhook", new { webhookId = id, events = new[] { "user:created", "user:deleted" }, enabled = false }))["data"]!;
        Assert.False((bool)updated["enabled"]);
        Assert.Equal(2, updated["events"]!.AsArray().Count);
        var (_, badUpdate) = await AuthingAsync("POST", "/api/v3/update-webhook", new { webhookId = id, url = "not a url" });
        Assert.Equal(400, Status(badUpdate));
        Assert.Equal(receiver.Url + "authing", (string)(await AuthingOkAsync("GET", "/api/v3/get-webhook", new Dictionary<string, string> { ["webhookId"] = id }))["data"]!["url"]);

        var events = (await AuthingOkAsync("GET", "/api/v3/get-webhook-event-list", new Dictionary<string, string>()))["data"]!["events"]!.AsArray();
        Assert.Contains(events, e => (string)e!["value"] == "user:created" && (string)e["category"] == "user");

        await AuthingOkAsync("POST", "/api/v3/delete-webhook", new { webhookIds = new[] { id } });
        var (_, gone) = await AuthingAsync("GET", "/api/v3/get-webhook", new Dictionary<string, string> { ["webhookId"] = id });
        Assert.Equal(404, Status(gone));
    }

    [Fact]
    public async Task Changes_through_the_api_and_the_console_are_posted_with_the_secret_to_webhooks_that_asked_for_them()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await using var other = await TestReceiver.StartAsync();
        await CreateWebhookAsync(receiver, new[] { "user:created", "user:updated", "user:deleted", "organization:created" });
        await CreateWebhookAsync(other, new[] { "user:created" }, enabled: false);

        var created = (await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "zhangsan", name = "张三" }))["data"]!;
        var userId = (string)created["userId"];
        await AuthingOkAsync("POST", "/api/v3/update-user", new { userId, name = "张三丰" });
        await ControlAsync(HttpMethod.Post, "authing/console", new { op = "create-department", body = new { organizationCode = EmulatorDefaults.OrganizationCode, name = "研发部", parentDepartmentId = "root", metadata = new { } } });
        await ControlAsync(HttpMethod.Post, "authing/console", new { op = "delete-user", body = new { userId } });
        await IdleAsync();

        Assert.Empty(other.Requests);
        var got = receiver.Requests.ToList();
        Assert.Equal(new[] { "organization:created", "user:created", "user:deleted", "user:updated" }, got.Select(r => (string)Body(r)["eventName"]).Order());
        Assert.All(got, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal(Secret, r.Headers["X-Authing-Token"]);
            Assert.Equal(Secret, r.Headers["x-authing-webhook-secret"]);
            Assert.Equal("authing-webhook@2.0", r.Headers["user-agent"]);
            Assert.StartsWith("application/json", r.Headers["Content-Type"]);
        });
        var byEvent = got.ToDictionary(r => (string)Body(r)["eventName"], Body);
        Assert.Equal(userId, (string)byEvent["user:created"]["data"]!["userId"]);
        Assert.Equal("张三丰", (string)byEvent["user:updated"]["data"]!["updates"]!["name"]);
        Assert.Equal("张三丰", (string)byEvent["user:updated"]["data"]!["user"]!["name"]);
        Assert.Equal(userId, (string)byEvent["user:deleted"]["data"]!["userId"]);
        Assert.Equal("研发部", (string)byEvent["organization:created"]["data"]!["department"]!["name"]);

        var log = State.Events.Log("authing");
        Assert.Equal(new[] { "api", "api", "console", "console" }, log.Select(e => e.Origin).Order());
        Assert.All(log, e => Assert.Equal("delivered", e.Outcome));
        Assert.DoesNotContain(Secret, System.Text.Json.JsonSerializer.Serialize(log));
    }

    [Fact]
    public async Task Department_changes_and_membership_changes_through_the_api_are_delivered_as_their_events()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await CreateWebhookAsync(receiver, new[] { "organization:created", "organization:updated", "organization:deleted", "user:updated" });
        var org = EmulatorDefaults.OrganizationCode;
        var d = (string)(await AuthingOkAsync("POST", "/api/v3/create-department", new { organizationCode = org, name = "研发部", parentDepartmentId = "root", metadata = new { } }))["data"]!["departmentId"];
        await AuthingOkAsync("POST", "/api/v3/update-department", new { organizationCode = org, departmentId = d, name = "研发中心" });
        var userId = (string)(await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "zhangsan" }))["data"]!["userId"];
        await AuthingOkAsync("POST", "/api/v3/set-user-departments", new { userId, departments = new[] { new { departmentId = d, isMainDepartment = true } } });
        await AuthingOkAsync("POST", "/api/v3/set-user-departments", new { userId, departments = Array.Empty<object>() });
        await AuthingOkAsync("POST", "/api/v3/delete-department", new { organizationCode = org, departmentId = d });
        await IdleAsync();

        var bodies = receiver.Requests.Select(Body).ToList();
        Assert.Equal(new[] { "organization:created", "organization:deleted", "organization:updated", "user:updated", "user:updated" }, bodies.Select(b => (string)b["eventName"]).Order());
        Assert.Equal("研发中心", (string)bodies.Single(b => (string)b["eventName"] == "organization:updated")["data"]!["department"]!["name"]);
        Assert.Contains(bodies, b => (string)b["eventName"] == "user:updated" && b["data"]!["updates"]!["departmentIds"]!.AsArray().Select(x => (string)x).SequenceEqual(new[] { d }));
        Assert.All(State.Events.Log("authing"), e => Assert.Equal("api", e.Origin));
    }

    [Fact]
    public async Task Trigger_webhook_sends_the_test_event_and_answers_the_receivers_response_and_the_logs_list_each_attempt()
    {
        await using var receiver = await TestReceiver.StartAsync();
        receiver.Handler = (_, _) => Task.FromResult((200, "{\"success\":true}"));
        var id = await CreateWebhookAsync(receiver, new[] { "user:created" });
        var r = await AuthingOkAsync("POST", "/api/v3/trigger-webhook", new { webhookId = id });
        Assert.True((bool)r["data"]!["response"]!["success"]);
        var test = Assert.Single(receiver.Requests);
        Assert.Equal("test", (string)Body(test)["eventName"]);
        Assert.Equal(Secret, test.Headers["X-Authing-Token"]);

        await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "sunqi" });
        await IdleAsync();
        var logs = (await AuthingOkAsync("GET", "/api/v3/get-webhook-logs", new Dictionary<string, string> { ["webhookId"] = id }))["data"]!;
        Assert.Equal(2, (int)logs["totalCount"]);
        Assert.Equal(new[] { "user:created", "test" }, logs["list"]!.AsArray().Select(e => (string)e!["eventName"]));
        Assert.All(logs["list"]!.AsArray(), e => { Assert.True((bool)e!["success"]); Assert.Equal("***", (string)e["requestHeaders"]!["X-Authing-Token"]); });
        Assert.DoesNotContain(Secret, logs.ToJsonString());
        var (_, unknown) = await AuthingAsync("POST", "/api/v3/trigger-webhook", new { webhookId = "nope" });
        Assert.Equal(404, Status(unknown));
    }

    [Fact]
    public async Task A_form_encoded_webhook_gets_eventName_and_data_as_fields_and_no_secret_header_without_a_secret()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await CreateWebhookAsync(receiver, new[] { "user:created" }, contentType: "application/x-www-form-urlencoded", secret: null);
        await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "lisi" });
        await IdleAsync();
        var r = Assert.Single(receiver.Requests);
        Assert.StartsWith("application/x-www-form-urlencoded", r.Headers["Content-Type"]);
        Assert.False(r.Headers.ContainsKey("X-Authing-Token"));
        var form = System.Web.HttpUtility.ParseQueryString(r.Text);
        Assert.Equal("user:created", form["eventName"]);
        Assert.Equal("lisi", (string)JsonNode.Parse(form["data"]!)!["username"]);
    }

    [Fact]
    public async Task A_failing_webhook_receiver_is_retried_until_it_answers_2xx()
    {
        await using var receiver = await TestReceiver.StartAsync();
        receiver.Handler = (_, n) => Task.FromResult(n <= 2 ? (500, "down") : (204, ""));
        await CreateWebhookAsync(receiver, new[] { "user:created" });
        await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "wangwu" });
        await IdleAsync();
        var d = Assert.Single(State.Events.Log("authing"));
        Assert.Equal("delivered", d.Outcome);
        Assert.Equal(new int?[] { 500, 500, 204 }, d.Attempts.Select(a => a.Status));
        Assert.Single(receiver.Requests.Select(r => r.Text).Distinct());
    }

    [Theory]
    [InlineData("wrong-token")]
    [InlineData("no-token")]
    [InlineData("malformed-json")]
    [InlineData("oversize")]
    [InlineData("replay")]
    public async Task A_forged_webhook_request_arrives_with_the_defect_it_names(string kind)
    {
        var seen = new ConcurrentDictionary<string, bool>();
        await using var receiver = await TestReceiver.StartAsync();
        receiver.Handler = (r, _) =>
        {
            if (r.Body.Length > 1 << 20) return Task.FromResult((413, "oversize"));
            if (!r.Headers.TryGetValue("X-Authing-Token", out var token)) return Task.FromResult((401, "no-token"));
            if (token != Secret) return Task.FromResult((401, "wrong-token"));
            try { JsonNode.Parse(r.Text); }
            catch (System.Text.Json.JsonException) { return Task.FromResult((400, "malformed-json")); }
            if (!seen.TryAdd(r.Text, true)) return Task.FromResult((409, "replay"));
            return Task.FromResult((200, ""));
        };
        await CreateWebhookAsync(receiver, new[] { "user:created" });
        if (kind == "replay")
        {
            await AuthingOkAsync("POST", "/api/v3/create-user", new { username = "zhaoliu" });
            await IdleAsync();
        }
        var forged = await ControlAsync(HttpMethod.Post, "events/forge", new { source = "authing", kind });
        var attempt = Assert.Single(forged["attempts"]!.AsArray());
        Assert.Equal(kind, (string)attempt!["response"]);
        Assert.Equal(kind, (string)forged["forged"]);
    }
}
