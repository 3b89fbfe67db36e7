using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using WeComSync.Emulator.Authing;

namespace WeComSync.Emulator.Events;

/// <summary>
/// Authing's webhooks (docs/ServiceFacts.md "Events"): the management API's create/list/get/update/delete-webhook and
/// get-webhook-event-list, and a POST <c>{eventName, data}</c> with the secret in X-Authing-Token (and
/// x-authing-webhook-secret) to every enabled webhook that asked for the event, for every change through the API or
/// a console edit.
/// </summary>
public sealed class AuthingWebhooks
{
    /// <summary>
    /// The events the emulator accepts and sends. <c>user:created</c> and <c>user:updated</c> are documented
    /// (get-webhook-event-list, create-webhook, use-webhook); no source names a delete or a department event:
    /// <c>user:deleted</c> follows the documented pattern, and department changes are <c>organization:*</c> as issue 22
    /// names them (silent).
    /// </summary>
    public static readonly (string Value, string Name, string NameEn, string Category)[] KnownEvents =
    {
        ("user:created", "创建用户", "Create User", "user"),
        ("user:updated", "修改用户信息", "Update User", "user"),
        ("user:deleted", "删除用户", "Delete User", "user"),
        ("organization:created", "创建部门", "Create Department", "organization"),
        ("organization:updated", "修改部门", "Update Department", "organization"),
        ("organization:deleted", "删除部门", "Delete Department", "organization"),
        ("login", "登录", "Login", "authentication"),
        ("register", "注册", "Register", "authentication"),
        ("user:password-changed", "修改密码", "Password Changed", "user"),
        ("user:email-verified", "邮箱被验证", "Email Verified", "user"),
    };

    private static readonly string[] ContentTypes = { "application/json", "application/x-www-form-urlencoded" };

    private sealed class Webhook
    {
        public string WebhookId, Name, Url, ContentType, Secret, CreatedAt, UpdatedAt;
        public bool Enabled;
        public List<string> Events;
    }

    private readonly AuthingState _authing;
    private readonly EventHub _hub;
    private readonly object _gate = new();
    private readonly List<Webhook> _webhooks = new();

    public AuthingWebhooks(AuthingState authing, EventHub hub)
    {
        _authing = authing;
        _hub = hub;
        _authing.Changed = OnChange;
    }

    public void Reset()
    {
        lock (_gate) _webhooks.Clear();
    }

    // ------------------------------------------------------------------ management API

    private static JsonObject Dto(Webhook w) => new()
    {
        ["webhookId"] = w.WebhookId, ["createdAt"] = w.CreatedAt, ["updatedAt"] = w.UpdatedAt, ["name"] = w.Name, ["url"] = w.Url,
        ["contentType"] = w.ContentType, ["enabled"] = w.Enabled,
        ["events"] = new JsonArray(w.Events.Select(e => (JsonNode)e).ToArray()),
        ["secret"] = w.Secret,
    };

    private static void Apply(Webhook w, JsonObject b, bool creating)
    {
        if (creating || b.Has("name"))
        {
            var name = b.Str("name");
            if (string.IsNullOrWhiteSpace(name)) throw AuthingError.BadRequest("name is required");
            w.Name = name;
        }
        if (creating || b.Has("url"))
        {
            var url = b.Str("url");
            if (string.IsNullOrEmpty(url)) throw AuthingError.BadRequest("url is required");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw AuthingError.BadRequest("url must be an absolute http or https URL: " + url);
            w.Url = url;
        }
        if (creating || b.Has("events"))
        {
            var events = b.Strings("events");
            if (events == null || events.Count == 0) throw AuthingError.BadRequest("events is required (at least one event)");
            foreach (var e in events)
                if (!KnownEvents.Any(k => k.Value == e)) throw AuthingError.BadRequest($"unknown event: {e} (get-webhook-event-list lists the events)");
            w.Events = events.Distinct().ToList();
        }
        if (creating || b.Has("contentType"))
        {
            var contentType = b.Str("contentType");
            if (string.IsNullOrEmpty(contentType)) throw AuthingError.BadRequest("contentType is required");
            if (!ContentTypes.Contains(contentType)) throw AuthingError.BadRequest("contentType must be application/json or application/x-www-form-urlencoded");
            w.ContentType = contentType;
        }
        if (b.Has("enabled")) w.Enabled = b.Bool("enabled") ?? true;
        if (b.Has("secret")) w.Secret = b.Str("secret");
    }

    public JsonObject Create(JsonObject b)
    {
        var w = new Webhook { WebhookId = AuthingState.NewId(), Enabled = true, CreatedAt = AuthingState.Now() };
        Apply(w, b, creating: true);
        w.UpdatedAt = w.CreatedAt;
        lock (_gate) _webhooks.Add(w);
        return Dto(w);
    }

    public JsonObject List(int page, int limit)
    {
        lock (_gate)
            return new JsonObject
            {
                ["totalCount"] = _webhooks.Count,
                ["list"] = new JsonArray(_webhooks.Skip((page - 1) * limit).Take(limit).Select(w => (JsonNode)Dto(w)).ToArray()),
            };
    }

    private Webhook Find(string id)
    {
        if (string.IsNullOrEmpty(id)) throw AuthingError.BadRequest("webhookId is required");
        return _webhooks.FirstOrDefault(w => w.WebhookId == id) ?? throw new AuthingError(WeComSync.Authing.AuthingErrorCodes.NotFound, "webhook not found: " + id);
    }

    public JsonObject Get(string id)
    {
        lock (_gate) return Dto(Find(id));
    }

    public JsonObject Update(JsonObject b)
    {
        lock (_gate)
        {
            var w = Find(b.Str("webhookId"));
            var copy = new Webhook { WebhookId = w.WebhookId, Name = w.Name, Url = w.Url, ContentType = w.ContentType, Secret = w.Secret, CreatedAt = w.CreatedAt, Enabled = w.Enabled, Events = w.Events };
            Apply(copy, b, creating: false); // all or nothing
            copy.UpdatedAt = AuthingState.Now();
            _webhooks[_webhooks.IndexOf(w)] = copy;
            return Dto(copy);
        }
    }

    public void Delete(JsonObject b)
    {
        var ids = b.Strings("webhookIds") ?? throw AuthingError.BadRequest("webhookIds is required");
        lock (_gate) _webhooks.RemoveAll(w => ids.Contains(w.WebhookId));
    }

    public static JsonObject EventList() => new()
    {
        ["categories"] = new JsonArray(KnownEvents.Select(e => e.Category).Distinct().Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c switch { "user" => "用户", "organization" => "组织机构", _ => "认证" },
            ["nameEn"] = c switch { "user" => "User", "organization" => "Organization", _ => "Authentication" },
            ["value"] = c,
        }).ToArray()),
        ["events"] = new JsonArray(KnownEvents.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["nameEn"] = e.NameEn, ["value"] = e.Value, ["category"] = e.Category }).ToArray()),
    };

    /// <summary>
    /// trigger-webhook (管理-webhook/trigger-webhook.md): sends <c>requestBody</c> (default the console's test event) with
    /// the webhook's headers and <c>requestHeaders</c> once, now, and answers the receiver's response as
    /// <c>{response}</c> (its JSON, else its text).
    /// </summary>
    public JsonObject Trigger(JsonObject b)
    {
        Webhook w;
        lock (_gate) w = Find(b.Str("webhookId"));
        var body = (b.Obj("requestBody") ?? new JsonObject { ["eventName"] = "test", ["data"] = new JsonObject { ["description"] = "A test from Authing Webhook" } }).ToJsonString(Json.Options);
        var request = Request(w, body, w.Secret);
        if (b.Obj("requestHeaders") is JsonObject extra)
        {
            var headers = request.Headers.ToList();
            foreach (var (k, v) in extra) if (v is JsonValue) headers.Add(new(k, v.ToString()));
            request = request with { Headers = headers };
        }
        var delivery = _hub.SendOnceAsync(new EventDelivery
        {
            Source = "authing", Event = JsonNode.Parse(body)?["eventName"]?.ToString() ?? "test", Origin = "api", Url = w.Url, Payload = body, WebhookId = w.WebhookId,
        }, request, _hub.Authing.TimeoutMs).GetAwaiter().GetResult(); // a control-plane call: blocking here is fine
        var text = delivery.Attempts[^1].Response ?? "";
        JsonNode response;
        try { response = JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { response = JsonValue.Create(text); }
        return new JsonObject { ["response"] = response ?? JsonValue.Create(text) };
    }

    /// <summary>get-webhook-logs: one entry per attempt to the webhook, newest first; secrets in the headers are masked.</summary>
    public JsonObject Logs(string webhookId, int page, int limit)
    {
        lock (_gate) Find(webhookId);
        var entries = new List<JsonObject>();
        foreach (var (d, sent) in _hub.Sent(x => x.WebhookId == webhookId))
            foreach (var a in d.Attempts)
            {
                JsonNode requestBody;
                try { requestBody = JsonNode.Parse(d.Payload); }
                catch (System.Text.Json.JsonException) { requestBody = JsonValue.Create(d.Payload); }
                var headers = new JsonObject();
                foreach (var (k, v) in sent?.Headers ?? Array.Empty<KeyValuePair<string, string>>())
                    headers[k] = k.Equals("X-Authing-Token", StringComparison.OrdinalIgnoreCase) || k.Equals("x-authing-webhook-secret", StringComparison.OrdinalIgnoreCase) ? "***" : v;
                entries.Add(new JsonObject
                {
                    ["webhookId"] = webhookId, ["eventName"] = d.Event, ["requestBody"] = requestBody, ["requestHeaders"] = headers,
                    ["responseStatusCode"] = a.Status, ["responseHeaders"] = new JsonObject(), ["responseBody"] = a.Response,
                    ["timestamp"] = a.At.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"), ["success"] = a.Status is >= 200 and < 300, ["errorMessage"] = a.Error,
                });
            }
        entries.Reverse();
        return new JsonObject
        {
            ["totalCount"] = entries.Count,
            ["list"] = new JsonArray(entries.Skip((page - 1) * limit).Take(limit).Select(e => (JsonNode)e).ToArray()),
        };
    }

    // ------------------------------------------------------------------ deliveries

    private static JsonNode Data(AuthingChange c) => c.EventName switch
    {
        "user:created" => AuthingApi.UserDto(c.User, true, true),
        "user:updated" => new JsonObject { ["user"] = AuthingApi.UserDto(c.User, true, true), ["updates"] = c.Updates?.DeepClone() ?? new JsonObject() },
        "user:deleted" => new JsonObject { ["userId"] = c.User.UserId, ["user"] = AuthingApi.UserDto(c.User, true, true) },
        _ => new JsonObject { ["department"] = Json.ToNode(c.Department) },
    };

    private void OnChange(AuthingChange change)
    {
        List<Webhook> targets;
        lock (_gate) targets = _webhooks.Where(w => w.Enabled && w.Events.Contains(change.EventName)).ToList();
        if (targets.Count == 0) return;
        var body = new JsonObject { ["eventName"] = change.EventName, ["data"] = Data(change) }.ToJsonString(Json.Options);
        var objectId = change.User?.UserId ?? change.Department?.DepartmentId;
        foreach (var w in targets)
        {
            var request = Request(w, body, w.Secret);
            _hub.Enqueue(new EventDelivery
            {
                Source = "authing", Event = change.EventName, ObjectId = objectId, Origin = change.Origin.Kind, Url = w.Url, Payload = body,
                Build = () => request, WebhookId = w.WebhookId,
            });
        }
    }

    private OutgoingRequest Request(Webhook w, string jsonBody, string secret, byte[] raw = null)
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("user-agent", "authing-webhook@2.0"),
            new("x-authing-userpool-id", _authing.UserPoolId),
        };
        if (!string.IsNullOrEmpty(secret))
        {
            headers.Add(new("X-Authing-Token", secret));
            headers.Add(new("x-authing-webhook-secret", secret));
        }
        byte[] body;
        if (raw != null) body = raw;
        else if (w.ContentType == "application/x-www-form-urlencoded")
        {
            var node = JsonNode.Parse(jsonBody);
            body = Encoding.UTF8.GetBytes($"eventName={WebUtility.UrlEncode(node?["eventName"]?.GetValue<string>())}&data={WebUtility.UrlEncode(node?["data"]?.ToJsonString(Json.Options))}");
        }
        else body = Encoding.UTF8.GetBytes(jsonBody);
        return new OutgoingRequest(HttpMethod.Post, w.Url, body, w.ContentType + "; charset=utf-8", headers);
    }

    /// <summary>
    /// Sends one bad request now to the first enabled webhook (or <c>webhookId</c>): kinds wrong-token, no-token,
    /// malformed-json, oversize (bytes), replay (deliveryId: a recorded delivery again, byte for byte).
    /// </summary>
    public async Task<EventDelivery> ForgeAsync(JsonObject b)
    {
        Webhook w;
        lock (_gate)
            w = b.Str("webhookId") is string id ? Find(id) : _webhooks.FirstOrDefault(x => x.Enabled)
                ?? throw new InvalidOperationException("no enabled Authing webhook: create one with /api/v3/create-webhook first");
        var kind = b.Str("kind") ?? throw new ArgumentException("kind is required");
        var userId = b.Str("userId") ?? "forged-user";
        var body = new JsonObject { ["eventName"] = "user:deleted", ["data"] = new JsonObject { ["userId"] = userId } }.ToJsonString(Json.Options);
        OutgoingRequest request;
        switch (kind)
        {
            case "wrong-token":
                request = Request(w, body, (w.Secret ?? "") + "-forged");
                break;
            case "no-token":
                request = Request(w, body, null);
                break;
            case "malformed-json":
                body = "{\"eventName\":\"user:deleted\",\"data\":{";
                request = Request(w, body, w.Secret, Encoding.UTF8.GetBytes(body));
                break;
            case "oversize":
                var size = (int)Math.Clamp(b.Long("bytes") ?? 2 * 1024 * 1024, 1024, 64L * 1024 * 1024);
                var padded = new JsonObject { ["eventName"] = "user:deleted", ["data"] = new JsonObject { ["userId"] = userId, ["padding"] = new string('x', size) } }.ToJsonString(Json.Options);
                request = Request(w, padded, w.Secret);
                body = $"(a user:deleted body padded to {size} bytes)";
                break;
            case "replay":
                var original = b.Long("deliveryId") is long d ? _hub.Find(d) : _hub.LastDelivered("authing");
                if (original?.Sent == null || original.Source != "authing") throw new ArgumentException("nothing to replay: no Authing delivery was sent yet (or deliveryId names none)");
                request = original.Sent;
                body = original.Payload;
                userId = original.ObjectId;
                break;
            default:
                throw new ArgumentException("kind must be wrong-token, no-token, malformed-json, oversize or replay");
        }
        return await _hub.SendOnceAsync(new EventDelivery
        {
            Source = "authing", Event = kind == "replay" ? _hub.Find(b.Long("deliveryId") ?? -1)?.Event ?? _hub.LastDelivered("authing").Event : "user:deleted", ObjectId = userId, Origin = "forged", Forged = kind, Url = w.Url, Payload = body,
        }, request, _hub.Authing.TimeoutMs);
    }
}
