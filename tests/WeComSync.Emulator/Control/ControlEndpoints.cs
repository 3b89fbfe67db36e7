using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WeComSync.Emulator.Authing;
using WeComSync.Emulator.WeCom;

namespace WeComSync.Emulator.Control;

/// <summary>
/// The control endpoints under <c>/_emulator/</c> (never counted, limited or faulted):
/// <list type="table">
/// <item><term>GET health</term><description>200 "ok" once the emulator serves.</description></item>
/// <item><term>POST reset</term><description>back to the known defaults.</description></item>
/// <item><term>POST seed</term><description>replace each API's state with the body's <c>wecom</c>/<c>authing</c> parts.</description></item>
/// <item><term>GET state</term><description>dump in the seed shape.</description></item>
/// <item><term>POST wecom/secrets</term><description><c>{secret, mode}</c>: mode <c>sync</c>, <c>sync-new-ip</c>, <c>self-built</c>, <c>agent</c>, <c>untrusted-ip</c> or <c>none</c> (removes: 40001), or <c>{secret, kind, newIp, trustedIp}</c>; plus <c>allowParties</c>/<c>allowUsers</c>: the app's visible range.</description></item>
/// <item><term>GET wecom/invitations</term><description>the userids user/create invited (to_invite true or absent).</description></item>
/// <item><term>POST wecom/settings</term><description><c>{tokenExpiresIn, seatLimit, listLimit, corpId, creator}</c>.</description></item>
/// <item><term>POST authing/settings</term><description><c>{tokenExpiresIn, clockSkewSeconds, accessKeys:{id:secret}, updateDefaults, updateUserBatchLimit}</c>.</description></item>
/// <item><term>POST limits</term><description><c>{api, path?, limit, windowSeconds, blockSeconds?}</c> and/or <c>{api, concurrency}</c>; DELETE clears.</description></item>
/// <item><term>POST faults</term><description>a <see cref="FaultRule"/>; DELETE clears; GET lists.</description></item>
/// <item><term>POST tokens/invalidate</term><description><c>{api?: wecom|authing, errcode?: 40014|42001}</c>.</description></item>
/// <item><term>GET tokens</term><description><c>{wecom:[…], authing:[…]}</c>: every token issued since the last reset.</description></item>
/// <item><term>GET calls</term><description>per-path call counts; DELETE clears.</description></item>
/// <item><term>POST wecom/callback</term><description><c>{url, token, encodingAesKey, mode: full|sync-assistant, echoApiWrites?, agentId?, verifyTimeoutMs?}</c>: verifies the URL (encrypted echostr GET) and saves it only when the answer is exactly the plaintext; GET shows it (no token/key), DELETE removes it.</description></item>
/// <item><term>POST wecom/console</term><description><c>{op, body}</c> or an array: an admin's console edit (create_user, update_user, delete_user, create_party, update_party, delete_party) that sends its callback.</description></item>
/// <item><term>POST authing/console</term><description>the same for Authing (create-user, update-user, delete-user, set-user-departments, create-department, update-department, delete-department): webhook deliveries.</description></item>
/// <item><term>POST events/settings</term><description><c>{source?, timeoutMs, retries, retryDelayMs}</c>: the delivery policy; GET shows it.</description></item>
/// <item><term>GET events</term><description>the delivery log (<c>?source=&amp;event=&amp;objectId=</c>): each delivery, its attempts and the listener's answers; DELETE clears.</description></item>
/// <item><term>GET events/idle</term><description><c>?timeoutMs=</c>: waits until no delivery is pending.</description></item>
/// <item><term>POST events/forge</term><description><c>{source, kind, …}</c>: one forged request now (WeCom: bad-signature, missing-signature, old-timestamp, replay, wrong-corpid, wrong-key, oversize, malformed-xml; Authing: wrong-token, no-token, malformed-json, oversize, replay); answers its delivery record.</description></item>
/// </list>
/// Bad input answers 400 with <c>{error}</c>.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, EmulatorState s)
    {
        var g = app.MapGroup(EmulatorDefaults.ControlPrefix);
        g.MapGet("/health", () => Results.Text("ok"));
        g.MapPost("/reset", () => { s.Reset(); return Ok(); });
        g.MapPost("/seed", async (HttpRequest r) =>
        {
            using var reader = new StreamReader(r.Body);
            var text = await reader.ReadToEndAsync();
            return Guard(() => s.Seed(text));
        });
        g.MapGet("/state", (HttpContext http) =>
        {
            var indented = http.Request.Query["indented"] == "true";
            return Results.Text(s.DumpJson(indented), "application/json; charset=utf-8");
        });
        g.MapPost("/wecom/secrets", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                var secret = b.Str("secret") ?? throw new ArgumentException("secret is required");
                var mode = b.Str("mode");
                WeComSecret m = mode switch
                {
                    "sync" => new WeComSecret(),
                    "sync-new-ip" => new WeComSecret { NewIp = true },
                    "self-built" => new WeComSecret { Kind = "self-built" },
                    "agent" => new WeComSecret { Kind = "agent" },
                    "untrusted-ip" => new WeComSecret { Kind = "self-built", TrustedIp = false },
                    "none" => null,
                    null => new WeComSecret
                    {
                        Kind = b.Str("kind") ?? "sync",
                        NewIp = b.Bool("newIp") ?? false,
                        TrustedIp = b.Bool("trustedIp") ?? true,
                    },
                    _ => throw new ArgumentException("mode must be sync, sync-new-ip, self-built, agent, untrusted-ip or none"),
                };
                if (m != null && m.Kind is not ("sync" or "self-built" or "agent")) throw new ArgumentException("kind must be sync, self-built or agent");
                if (m != null && (b["allowParties"] != null || b["allowUsers"] != null))
                {
                    if (m.IsSync) throw new ArgumentException("the address-book sync secret sees the whole corp: a visible range is for self-built and agent apps");
                    m.AllowParties = b["allowParties"]?.AsArray().Select(n => n.GetValue<int>()).ToList() ?? new List<int>();
                    m.AllowUsers = b["allowUsers"]?.AsArray().Select(n => n.GetValue<string>()).ToList() ?? new List<string>();
                }
                s.WeCom.SetSecret(secret, m);
            });
        });
        g.MapGet("/wecom/secrets", () => Results.Json(s.WeCom.Secrets.Keys.ToDictionary(k => "***" + k[Math.Max(0, k.Length - 3)..], k => s.WeCom.Secrets[k]), Json.Options));
        g.MapGet("/wecom/invitations", () => Results.Json(s.WeCom.Invitations, Json.Options));
        g.MapPost("/wecom/settings", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                if (b.Long("tokenExpiresIn") is long t) s.WeCom.TokenExpiresIn = (int)t;
                if (b.Long("seatLimit") is long seat) s.WeCom.SeatLimit = (int)seat;
                if (b.Long("listLimit") is long list) s.WeCom.ListLimit = (int)list;
                if (b.Long("monthlyCreateLimit") is long monthly) s.WeCom.MonthlyCreateLimit = (int)monthly;
                if (b.Str("corpId") is string corp) s.WeCom.CorpId = corp;
                if (b.Has("creator")) s.WeCom.Creator = b.Str("creator");
            });
        });
        g.MapPost("/authing/settings", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                if (b.Long("tokenExpiresIn") is long t) s.AuthingAuth.TokenExpiresIn = (int)t;
                if (b.Long("clockSkewSeconds") is long skew) s.AuthingAuth.AllowedClockSkew = TimeSpan.FromSeconds(skew);
                if (b.Bool("updateDefaults") is bool defaults) s.Authing.ApplyUpdateDefaults = defaults;
                if (b.Long("updateUserBatchLimit") is long batchLimit) s.Authing.UpdateUserBatchLimit = (int)Math.Max(1, batchLimit);
                if (b.Obj("accessKeys") is JsonObject keys)
                    lock (s.Authing.Gate)
                        foreach (var (id, secret) in keys)
                        {
                            if (secret == null) s.Authing.AccessKeys.Remove(id);
                            else s.Authing.AccessKeys[id] = secret.GetValue<string>();
                        }
            });
        });
        g.MapPost("/limits", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                var api = ApiName(b.Str("api"));
                if (b.Long("concurrency") is long cap) s.Limits.SetConcurrency(api, (int)cap);
                if (b.Long("limit") is long limit)
                    s.Limits.AddRule(new RateLimitRule
                    {
                        Api = api, Path = b.Str("path"), Limit = (int)limit,
                        WindowSeconds = (double)(b.Long("windowMs") is long ms ? ms / 1000.0 : b["windowSeconds"]?.GetValue<double>() ?? 60),
                        BlockSeconds = b["blockSeconds"]?.GetValue<double>(),
                    });
            });
        });
        g.MapGet("/limits", () => Results.Json(new { rules = s.Limits.Rules, concurrency = s.Limits.ConcurrencyCaps }, Json.Options));
        g.MapDelete("/limits", () => { s.Limits.Clear(); return Ok(); });
        g.MapPost("/faults", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                var rule = JsonSerializer.Deserialize<FaultRule>(b.ToJsonString(), new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
                rule.Api = rule.Api == null || rule.Api == "*" ? "*" : ApiName(rule.Api);
                s.Faults.Add(rule);
            });
        });
        g.MapGet("/faults", () => Results.Json(s.Faults.Rules, Json.Options));
        g.MapDelete("/faults", () => { s.Faults.Clear(); return Ok(); });
        g.MapPost("/tokens/invalidate", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                var api = b.Str("api");
                var errcode = (int)(b.Long("errcode") ?? 40014);
                if (errcode is not (40014 or 42001)) throw new ArgumentException("errcode must be 40014 or 42001");
                if (api == null || api == "wecom") s.WeCom.InvalidateTokens(errcode);
                if (api == null || api == "authing") s.AuthingAuth.InvalidateTokens();
            });
        });
        g.MapGet("/tokens", () => Results.Json(new { wecom = s.WeCom.IssuedTokens, authing = s.AuthingAuth.IssuedTokens }, Json.Options));
        g.MapGet("/calls", () => Results.Json(s.Calls.Snapshot(), Json.Options));
        g.MapDelete("/calls", () => { s.Calls.Clear(); return Ok(); });
        MapEvents(g, s);
    }

    // ---------------------------------------------------------------- events (WeCom callbacks, Authing webhooks)

    private static void MapEvents(RouteGroupBuilder g, EmulatorState s)
    {
        g.MapPost("/wecom/callback", async (HttpRequest r) =>
        {
            var b = await Body(r);
            if (b == null) return Results.Json(new { error = "the body is not JSON" }, statusCode: 400);
            try
            {
                await s.WeComCallbacks.ConfigureAsync(b);
                return Results.Json(new { ok = true, verified = true });
            }
            catch (Exception e) when (e is ArgumentException or BadFieldException or FormatException)
            {
                return Results.Json(new { error = e.Message }, statusCode: 400);
            }
        });
        g.MapGet("/wecom/callback", () => Results.Json(s.WeComCallbacks.Describe(), Json.Options));
        g.MapDelete("/wecom/callback", () => { s.WeComCallbacks.Remove(); return Ok(); });
        g.MapPost("/wecom/console", async (HttpRequest r) => await ConsoleAsync(r, edit => WeComConsoleEdit(s, edit)));
        g.MapPost("/authing/console", async (HttpRequest r) => await ConsoleAsync(r, edit => AuthingConsoleEdit(s, edit)));
        g.MapPost("/events/settings", async (HttpRequest r) =>
        {
            var b = await Body(r);
            return Guard(() =>
            {
                var source = b.Str("source");
                if (source is not (null or "wecom" or "authing")) throw new ArgumentException("source must be wecom or authing");
                foreach (var p in source == null ? new[] { s.Events.WeCom, s.Events.Authing } : new[] { s.Events.Policy(source) })
                {
                    if (b.Long("timeoutMs") is long t) p.TimeoutMs = (int)Math.Max(1, t);
                    if (b.Long("retries") is long n) p.Retries = (int)Math.Clamp(n, 0, 20);
                    if (b.Long("retryDelayMs") is long d) p.RetryDelayMs = (int)Math.Max(0, d);
                }
            });
        });
        g.MapGet("/events/settings", () => Results.Json(new { wecom = s.Events.WeCom, authing = s.Events.Authing }, Json.Options));
        g.MapGet("/events", (HttpContext http) =>
        {
            var q = http.Request.Query;
            string Q(string n) => q.TryGetValue(n, out var v) ? v.ToString() : null;
            return Results.Json(s.Events.Log(Q("source"), Q("event"), Q("objectId")), Json.Options);
        });
        g.MapDelete("/events", () => { s.Events.ClearLog(); return Ok(); });
        g.MapGet("/events/idle", async (HttpContext http) =>
        {
            var ms = long.TryParse(http.Request.Query["timeoutMs"], out var t) ? t : 10_000;
            var idle = await s.Events.WaitIdleAsync(TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 600_000)), http.RequestAborted);
            return Results.Json(new { idle, pending = s.Events.Pending });
        });
        g.MapPost("/events/forge", async (HttpRequest r) =>
        {
            var b = await Body(r);
            if (b == null) return Results.Json(new { error = "the body is not JSON" }, statusCode: 400);
            try
            {
                var delivery = b.Str("source") switch
                {
                    "wecom" => await s.WeComCallbacks.ForgeAsync(b),
                    "authing" => await s.Webhooks.ForgeAsync(b),
                    _ => throw new ArgumentException("source must be wecom or authing"),
                };
                return Results.Json(delivery, Json.Options);
            }
            catch (Exception e) when (e is ArgumentException or BadFieldException or InvalidOperationException or AuthingError)
            {
                return Results.Json(new { error = e.Message }, statusCode: 400);
            }
        });
    }

    /// <summary>One console edit or an array of them: each applied as an admin would in the service's console.</summary>
    private static async Task<IResult> ConsoleAsync(HttpRequest r, Func<JsonObject, JsonObject> apply)
    {
        JsonNode node;
        try { node = Json.Parse(await Traffic.ReadBodyAsync(r)); }
        catch (BadJsonException) { return Results.Json(new { error = "the body is not JSON" }, statusCode: 400); }
        using var origin = Events.ChangeOrigins.Use(Events.ChangeOrigin.Console);
        if (node is JsonArray edits)
        {
            var results = new JsonArray();
            foreach (var e in edits) results.Add(e is JsonObject o ? apply(o) : new JsonObject { ["error"] = "each edit is an object {op, body}" });
            return Results.Json(new JsonObject { ["results"] = results }, Json.Options);
        }
        if (node is not JsonObject edit) return Results.Json(new { error = "the body is {op, body} or an array of them" }, statusCode: 400);
        var result = apply(edit);
        return Results.Json(result, Json.Options, statusCode: result.ContainsKey("error") ? 400 : 200);
    }

    private static JsonObject WeComConsoleEdit(EmulatorState s, JsonObject edit)
    {
        var op = edit.Str("op");
        var body = edit.Obj("body") ?? new JsonObject();
        var w = s.WeCom;
        try
        {
            var result = new JsonObject { ["ok"] = true };
            switch (op)
            {
                case "create_user": w.CreateUser(body); break;
                case "update_user": w.UpdateUser(body); break;
                case "delete_user": w.DeleteUser(body.Str("userid")); break;
                case "create_party": result["id"] = w.CreateDepartment(body.Str("name"), body.Str("name_en"), body.Long("parentid"), body.Long("order"), body.Long("id")); break;
                case "update_party": w.UpdateDepartment(body.Long("id"), body); break;
                case "delete_party": w.DeleteDepartment(body.Long("id")); break;
                default: return new JsonObject { ["error"] = "op must be create_user, update_user, delete_user, create_party, update_party or delete_party" };
            }
            return result;
        }
        catch (WeComError e) { return new JsonObject { ["error"] = e.Message, ["errcode"] = e.Errcode }; }
        catch (BadFieldException e) { return new JsonObject { ["error"] = "invalid field " + e.Field, ["errcode"] = 40058 }; }
    }

    private static JsonObject AuthingConsoleEdit(EmulatorState s, JsonObject edit)
    {
        var op = edit.Str("op");
        var body = edit.Obj("body") ?? new JsonObject();
        var a = s.Authing;
        try
        {
            var result = new JsonObject { ["ok"] = true };
            switch (op)
            {
                case "create-user": result["userId"] = a.CreateUsers(new[] { body }, body.Obj("options"))[0].UserId; break;
                case "update-user": a.UpdateUsers(new[] { body }); break;
                case "delete-user":
                    var id = body.Str("userId") ?? throw AuthingError.BadRequest("userId is required");
                    if (a.DeleteUsers(new List<string> { id }, body.Obj("options").Str("userIdType")) == 0) throw AuthingError.UserNotFound(id);
                    break;
                case "set-user-departments":
                    a.SetUserDepartments(body.Str("userId") ?? throw AuthingError.BadRequest("userId is required"), body.Obj("options").Str("userIdType"), body.Arr("departments"), body.Obj("options").Str("departmentIdType"));
                    break;
                case "create-department": result["departmentId"] = a.CreateDepartment(body).DepartmentId; break;
                case "update-department": a.UpdateDepartment(body); break;
                case "delete-department": a.DeleteDepartment(body); break;
                default: return new JsonObject { ["error"] = "op must be create-user, update-user, delete-user, set-user-departments, create-department, update-department or delete-department" };
            }
            return result;
        }
        catch (AuthingError e) { return new JsonObject { ["error"] = e.Message, ["statusCode"] = e.StatusCode }; }
        catch (BadFieldException e) { return new JsonObject { ["error"] = "invalid field " + e.Field, ["statusCode"] = 400 }; }
    }

    private static string ApiName(string api) => api switch
    {
        "wecom" or "authing" => api,
        _ => throw new ArgumentException("api must be wecom or authing"),
    };

    private static async Task<JsonObject> Body(HttpRequest r)
    {
        try { return Json.Parse(await Traffic.ReadBodyAsync(r)) as JsonObject ?? new JsonObject(); }
        catch (BadJsonException) { return null; }
    }

    private static IResult Ok() => Results.Json(new { ok = true });

    private static IResult Guard(Action action)
    {
        try
        {
            action();
            return Ok();
        }
        catch (Exception e) when (e is ArgumentException or BadFieldException or NullReferenceException or JsonException or InvalidOperationException or FormatException)
        {
            return Results.Json(new { error = e.Message }, statusCode: 400);
        }
    }
}
