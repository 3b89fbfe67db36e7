using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using WeComSync.Emulator.Events;

namespace WeComSync.Emulator.Tests;

/// <summary>
/// WeCom contact callbacks end to end over HTTP: the emulator sends, a test receiver on 127.0.0.1 (standing in for the
/// listener) checks each request independently: signature, decryption, corpid.
/// </summary>
public sealed class WeComCallbackTests : EmulatorTestBase
{
    public WeComCallbackTests(EmulatorFixture fixture) : base(fixture) { }

    private const string Token = "listenerToken1";
    private const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static readonly byte[] Key = WeComCallbackCrypto.Key(AesKey);

    /// <summary>A decrypted, verified POST: its plaintext, or why it is not genuine.</summary>
    private sealed record Opened(XElement Xml, string Plaintext, string Nonce, string Defect);

    private static Opened Open(ReceivedRequest r, int maxAgeSeconds = 300)
    {
        if (r.Body.Length > 1 << 20) return new(null, null, null, "oversize");
        if (!r.Query.TryGetValue("msg_signature", out var signature)) return new(null, null, null, "missing-signature");
        XElement envelope;
        try { envelope = XElement.Parse(r.Text); }
        catch (System.Xml.XmlException) { return new(null, null, null, "malformed-xml"); }
        var encrypt = (string)envelope.Element("Encrypt") ?? "";
        if (WeComCallbackCrypto.Signature(Token, r.Query["timestamp"], r.Query["nonce"], encrypt) != signature) return new(null, null, null, "bad-signature");
        if (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(r.Query["timestamp"]) > maxAgeSeconds) return new(null, null, null, "old-timestamp");
        string message, receiveId;
        try
        {
            (message, receiveId) = WeComCallbackCrypto.Decrypt(Key, encrypt);
            _ = XElement.Parse(message);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException or System.Xml.XmlException or ArgumentException)
        {
            return new(null, null, null, "wrong-key");
        }
        if (receiveId != EmulatorDefaults.CorpId || (string)envelope.Element("ToUserName") != EmulatorDefaults.CorpId) return new(null, null, null, "wrong-corpid");
        return new(XElement.Parse(message), message, r.Query["nonce"], null);
    }

    /// <summary>A receiver that answers the verification GET correctly and every POST with <paramref name="post"/>.</summary>
    private static async Task<TestReceiver> StartReceiverAsync(Func<ReceivedRequest, int, Task<(int, string)>> post = null)
    {
        var receiver = await TestReceiver.StartAsync();
        receiver.Handler = (r, n) =>
        {
            if (r.Method == "GET")
            {
                if (WeComCallbackCrypto.Signature(Token, r.Query["timestamp"], r.Query["nonce"], r.Query["echostr"]) != r.Query["msg_signature"])
                    return Task.FromResult((403, "bad signature"));
                return Task.FromResult((200, WeComCallbackCrypto.Decrypt(Key, r.Query["echostr"]).message));
            }
            return post?.Invoke(r, n) ?? Task.FromResult((200, ""));
        };
        return receiver;
    }

    private async Task ConfigureAsync(TestReceiver receiver, string mode = "full", bool? echo = null) =>
        await ControlAsync(HttpMethod.Post, "wecom/callback", new Dictionary<string, object>
        {
            ["url"] = receiver.Url + "wecom", ["token"] = Token, ["encodingAesKey"] = AesKey, ["mode"] = mode, ["verifyTimeoutMs"] = 10_000,
            ["echoApiWrites"] = echo,
        }.Where(p => p.Value != null).ToDictionary(p => p.Key, p => p.Value));

    private async Task IdleAsync() => Assert.True(await State.Events.WaitIdleAsync(TimeSpan.FromSeconds(60)), "deliveries still pending");

    private static List<Opened> Posts(TestReceiver r) => r.Requests.Where(q => q.Method == "POST").Select(q => Open(q)).ToList();

    private async Task<JsonObject> ConsoleAsync(string op, object body) => await ControlAsync(HttpMethod.Post, "wecom/console", new { op, body });

    [Theory]
    [InlineData("newline")]
    [InlineData("quoted")]
    [InlineData("http-500")]
    [InlineData("bom")]
    public async Task Saving_the_callback_is_refused_unless_the_url_answers_the_exact_echostr_plaintext(string wrong)
    {
        await using var receiver = await TestReceiver.StartAsync();
        receiver.Handler = (r, _) =>
        {
            var plain = WeComCallbackCrypto.Decrypt(Key, r.Query["echostr"]).message;
            return Task.FromResult(wrong switch
            {
                "newline" => (200, plain + "\n"),
                "quoted" => (200, "\"" + plain + "\""),
                "bom" => (200, "\uFEFF" + plain),
                _ => (500, plain),
            });
        };
        using var response = await Http.PostAsync("/_emulator/wecom/callback", JsonBody(new { url = receiver.Url + "wecom", token = Token, encodingAesKey = AesKey, verifyTimeoutMs = 10_000 }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (string)(await ReadAsync(response))["error"];
        Assert.StartsWith("URL verification failed", error);
        Assert.DoesNotContain(Token, error);
        Assert.DoesNotContain(AesKey, error);
        Assert.False((bool)(await ControlAsync(HttpMethod.Get, "wecom/callback"))["configured"]);
        var get = Assert.Single(receiver.Requests);
        Assert.Equal("GET", get.Method);
        Assert.Equal(WeComCallbackCrypto.Signature(Token, get.Query["timestamp"], get.Query["nonce"], get.Query["echostr"]), get.Query["msg_signature"]);
    }

    [Fact]
    public async Task Saving_the_callback_succeeds_when_the_url_answers_the_plaintext_and_is_refused_for_an_unreachable_url()
    {
        await using (var receiver = await StartReceiverAsync())
        {
            await ConfigureAsync(receiver);
            var shown = await ControlAsync(HttpMethod.Get, "wecom/callback");
            Assert.True((bool)shown["configured"]);
            Assert.DoesNotContain(Token, shown.ToJsonString());
            Assert.Equal("verify_url", Assert.Single(State.Events.Log("wecom")).Event);
        }
        var stopped = await TestReceiver.StartAsync();
        var url = stopped.Url + "wecom";
        await stopped.DisposeAsync();
        using var response = await Http.PostAsync("/_emulator/wecom/callback", JsonBody(new { url, token = Token, encodingAesKey = AesKey }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var badKey = await Http.PostAsync("/_emulator/wecom/callback", JsonBody(new { url, token = Token, encodingAesKey = "short" }));
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
    }

    [Fact]
    public async Task Every_change_through_the_api_sends_its_event_encrypted_signed_and_for_our_corp()
    {
        await using var receiver = await StartReceiverAsync();
        await ConfigureAsync(receiver);
        var d = await CreateDepartmentAsync("研发部");
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/update", new { id = d, name = "研发中心" })));
        await CreateUserAsync("zhangsan", department: new[] { d });
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "zhangsan", position = "工程师" })));
        await CreateUserAsync("lisi");
        await CreateUserAsync("wangwu");
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/delete", query: "userid=zhangsan")));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/batchdelete", new { useridlist = new[] { "lisi", "wangwu" } })));
        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/department/delete", query: "id=" + d)));
        await IdleAsync();

        var posts = Posts(receiver);
        Assert.All(posts, p => Assert.Null(p.Defect));
        Assert.Equal(
            new[] { "create_party", "update_party", "create_user", "update_user", "create_user", "create_user", "delete_user", "delete_user", "delete_user", "delete_party" }.Order(),
            posts.Select(p => (string)p.Xml.Element("ChangeType")).Order());
        Assert.All(posts, p =>
        {
            Assert.Equal("change_contact", (string)p.Xml.Element("Event"));
            Assert.Equal("sys", (string)p.Xml.Element("FromUserName"));
            Assert.Equal(EmulatorDefaults.CorpId, (string)p.Xml.Element("ToUserName"));
        });
        var log = State.Events.Log("wecom").Where(e => e.Event != "verify_url").ToList();
        Assert.Equal(10, log.Count);
        Assert.All(log, e => { Assert.Equal("delivered", e.Outcome); Assert.Equal("api", e.Origin); Assert.Single(e.Attempts); Assert.Equal(200, e.Attempts[0].Status); });
        Assert.Equal(new[] { "lisi", "wangwu", "zhangsan" }, log.Where(e => e.Event == "delete_user").Select(e => e.ObjectId).Order());
    }

    [Fact]
    public async Task Full_mode_sends_every_field_on_create_only_the_changed_ones_on_update_and_NewUserID_on_a_rename()
    {
        await using var receiver = await StartReceiverAsync();
        await ConfigureAsync(receiver);
        await ConsoleAsync("create_user", new { userid = "zhangsan", name = "张三", department = new[] { 1 }, mobile = "13800000001", position = "产品经理" });
        await IdleAsync();
        var created = Assert.Single(Posts(receiver)).Xml;
        Assert.Equal("张三", (string)created.Element("Name"));
        Assert.Equal("1", (string)created.Element("Department"));
        Assert.Equal("13800000001", (string)created.Element("Mobile"));
        Assert.Equal("产品经理", (string)created.Element("Position"));

        Assert.Equal(0, Errcode(await WeComAsync("/cgi-bin/user/update", new { userid = "zhangsan", position = "总监" })));
        await IdleAsync();
        var updated = Posts(receiver).Select(p => p.Xml).Single(x => (string)x.Element("ChangeType") == "update_user");
        Assert.Equal(new[] { "ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "ChangeType", "UserID", "Position" }, updated.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("总监", (string)updated.Element("Position"));

        State.Seed("{\"wecom\":{\"users\":[{\"userid\":\"AbC123\",\"name\":\"王五\",\"department\":[1],\"mobile\":\"13800000002\",\"_generated_userid\":true}]}}");
        await ConsoleAsync("update_user", new { userid = "AbC123", new_userid = "wangwu" });
        await IdleAsync();
        var renamed = Posts(receiver).Select(p => p.Xml).Last(x => (string)x.Element("ChangeType") == "update_user");
        Assert.Equal("AbC123", (string)renamed.Element("UserID"));
        Assert.Equal("wangwu", (string)renamed.Element("NewUserID"));
        Assert.Equal("console", State.Events.Log("wecom", "update_user", "AbC123").Single().Origin);
    }

    [Fact]
    public async Task Sync_assistant_mode_sends_only_UserID_and_Department_and_does_not_echo_the_sync_secrets_api_writes()
    {
        await using var receiver = await StartReceiverAsync();
        await ConfigureAsync(receiver, mode: "sync-assistant");
        await CreateUserAsync("apiuser");
        var d = await CreateDepartmentAsync("销售部");
        await ConsoleAsync("create_user", new { userid = "zhangsan", name = "张三", department = new[] { 1, d }, mobile = "13800000001", position = "经理" });
        await ConsoleAsync("update_party", new { id = d, name = "销售中心" });          // a rename: no event in this mode
        var e = await ConsoleAsync("create_party", new { name = "华东", parentid = 1 });
        await ConsoleAsync("update_party", new { id = (int)e["id"], parentid = d });      // a move: Id and ParentId only
        await IdleAsync();

        var posts = Posts(receiver).Select(p => p.Xml).ToList();
        Assert.Equal(new[] { "create_party", "create_user", "update_party" }, posts.Select(x => (string)x.Element("ChangeType")).Order());
        var user = posts.Single(x => (string)x.Element("ChangeType") == "create_user");
        Assert.Equal(new[] { "ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "ChangeType", "UserID", "Department" }, user.Elements().Select(x => x.Name.LocalName));
        Assert.Equal($"1,{d}", (string)user.Element("Department"));
        var moved = posts.Single(x => (string)x.Element("ChangeType") == "update_party");
        Assert.Equal(new[] { "Id", "ParentId" }, moved.Elements().Skip(6).Select(x => x.Name.LocalName));
        Assert.Equal(d.ToString(), (string)moved.Element("ParentId"));
        Assert.DoesNotContain(State.Events.Log("wecom"), x => x.Origin == "api");
    }

    [Fact]
    public async Task A_slow_or_failing_receiver_gets_the_same_plaintext_again_up_to_three_retries()
    {
        var byPlaintext = new ConcurrentDictionary<string, int>();
        await using var receiver = await StartReceiverAsync(async (r, _) =>
        {
            var opened = Open(r);
            if ((string)opened.Xml.Element("UserID") == "alwaysdown") return (503, "");
            var n = byPlaintext.AddOrUpdate(opened.Plaintext, 1, (_, c) => c + 1);
            if (n == 1) await Task.Delay(6000);           // well past the emulator's timeout: no answer
            return n == 2 ? (500, "busy") : (200, "success");
        });
        await ConfigureAsync(receiver);
        // Generous for the prompt answers (a loaded machine), short against the 6 s one.
        await ControlAsync(HttpMethod.Post, "events/settings", new { source = "wecom", timeoutMs = 2000 });
        await ConsoleAsync("create_user", new { userid = "zhangsan", name = "张三", department = new[] { 1 }, mobile = "13800000001" });
        await ConsoleAsync("create_user", new { userid = "alwaysdown", name = "李四", department = new[] { 1 }, mobile = "13800000002" });
        await IdleAsync();

        var ok = State.Events.Log("wecom", "create_user", "zhangsan").Single();
        Assert.Equal("delivered", ok.Outcome);
        Assert.Equal(3, ok.Attempts.Count);
        Assert.Null(ok.Attempts[0].Status);
        Assert.Contains("no answer", ok.Attempts[0].Error);
        Assert.Equal(new int?[] { null, 500, 200 }, ok.Attempts.Select(a => a.Status));
        var tries = Posts(receiver).Where(p => (string)p.Xml.Element("UserID") == "zhangsan").ToList();
        Assert.Equal(3, tries.Count);
        Assert.Single(tries.Select(t => t.Plaintext).Distinct());      // the same event (same CreateTime) …
        Assert.Equal(3, tries.Select(t => t.Nonce).Distinct().Count()); // … signed anew each time: de-duplicate on content

        var down = State.Events.Log("wecom", "create_user", "alwaysdown").Single();
        Assert.Equal("failed", down.Outcome);
        Assert.Equal(4, down.Attempts.Count);
        Assert.All(down.Attempts, a => Assert.Equal(503, a.Status));
    }

    [Theory]
    [InlineData("bad-signature")]
    [InlineData("missing-signature")]
    [InlineData("old-timestamp")]
    [InlineData("wrong-corpid")]
    [InlineData("wrong-key")]
    [InlineData("oversize")]
    [InlineData("malformed-xml")]
    [InlineData("replay")]
    public async Task A_forged_request_arrives_with_the_defect_it_names_and_the_log_keeps_the_listeners_answer(string kind)
    {
        var seen = new ConcurrentDictionary<string, bool>();
        await using var receiver = await StartReceiverAsync((r, _) =>
        {
            var opened = Open(r);
            if (opened.Defect != null) return Task.FromResult((400, opened.Defect));
            if (!seen.TryAdd(r.Query["msg_signature"] + r.Query["nonce"], true)) return Task.FromResult((409, "replay"));
            return Task.FromResult((200, ""));
        });
        await ConfigureAsync(receiver);
        if (kind == "replay")
        {
            await ConsoleAsync("delete_party", new { id = (int)(await ConsoleAsync("create_party", new { name = "临时", parentid = 1 }))["id"] });
            await IdleAsync();
        }
        var forged = await ControlAsync(HttpMethod.Post, "events/forge", new { source = "wecom", kind });
        Assert.Equal("forged", (string)forged["origin"]);
        Assert.Equal(kind, (string)forged["forged"]);
        var attempt = Assert.Single(forged["attempts"]!.AsArray());
        Assert.Equal(kind == "replay" ? 409 : 400, (int)attempt!["status"]);
        if (kind != "replay") Assert.Equal(kind, (string)attempt["response"]);
        Assert.Equal("failed", (string)forged["outcome"]);
    }

    [Fact]
    public async Task Sync_assistant_mode_echoes_api_writes_when_asked_and_reset_forgets_the_callback_and_the_log()
    {
        await using var receiver = await StartReceiverAsync();
        await ConfigureAsync(receiver, mode: "sync-assistant", echo: true);
        await CreateUserAsync("apiuser");
        await IdleAsync();
        var echo = Assert.Single(Posts(receiver));
        Assert.Equal("apiuser", (string)echo.Xml.Element("UserID"));
        Assert.Equal("api", State.Events.Log("wecom", "create_user").Single().Origin);

        await ControlAsync(HttpMethod.Post, "reset");
        Assert.False((bool)(await ControlAsync(HttpMethod.Get, "wecom/callback"))["configured"]);
        Assert.Empty(State.Events.Log());
        await CreateUserAsync("afterreset");
        await IdleAsync();
        Assert.Single(Posts(receiver));
    }

    [Fact]
    public async Task Events_endpoint_filters_the_log_and_idle_waits_for_pending_deliveries()
    {
        await using var receiver = await StartReceiverAsync();
        await ConfigureAsync(receiver);
        await ControlAsync(HttpMethod.Post, "wecom/console", new object[]
        {
            new { op = "create_user", body = new { userid = "a1", name = "甲", department = new[] { 1 }, mobile = "13800000011" } },
            new { op = "create_user", body = new { userid = "a2", name = "乙", department = new[] { 1 }, mobile = "13800000012" } },
            new { op = "delete_user", body = new { userid = "nobody" } },
        });
        var idle = await ControlAsync(HttpMethod.Get, "events/idle?timeoutMs=60000");
        Assert.True((bool)idle["idle"]);
        using var r = await Http.GetAsync("/_emulator/events?source=wecom&event=create_user&objectId=a2");
        var list = System.Text.Json.Nodes.JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray();
        var one = Assert.Single(list);
        Assert.Equal("delivered", (string)one!["outcome"]);
        Assert.Contains("<UserID><![CDATA[a2]]></UserID>", (string)one["payload"]);
    }
}
