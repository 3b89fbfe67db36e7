using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using WeComSync.Emulator.WeCom;

namespace WeComSync.Emulator.Events;

/// <summary>
/// WeCom's contact-change callbacks (docs/ServiceFacts.md "Events"): the URL an admin sets in the console (here
/// <c>POST /_emulator/wecom/callback</c>, verified first as WeCom verifies it), an encrypted, signed POST for every
/// member and department change, with WeCom's retries, and forged requests on demand.
/// </summary>
public sealed class WeComCallbacks
{
    private readonly WeComState _wecom;
    private readonly EventHub _hub;
    private volatile Config _config;

    public WeComCallbacks(WeComState wecom, EventHub hub)
    {
        _wecom = wecom;
        _hub = hub;
        _wecom.Changed = OnChange;
    }

    /// <summary>A saved callback configuration.</summary>
    public sealed record Config(string Url, string Token, byte[] Key, string Mode, bool EchoApiWrites, string AgentId)
    {
        public bool SyncAssistant => Mode == "sync-assistant";
    }

    public Config Current => _config;

    public void Reset() => _config = null;

    public void Remove() => _config = null;

    /// <summary>What GET /_emulator/wecom/callback shows: never the token or the key.</summary>
    public JsonObject Describe()
    {
        var c = _config;
        if (c == null) return new JsonObject { ["configured"] = false };
        return new JsonObject { ["configured"] = true, ["url"] = c.Url, ["mode"] = c.Mode, ["echoApiWrites"] = c.EchoApiWrites, ["agentId"] = c.AgentId };
    }

    /// <summary>
    /// Validates the configuration and verifies the URL as WeCom does when an admin saves it: a GET with an encrypted
    /// echostr whose plaintext must come back exactly ("不能加引号，不能带bom头，不能带换行符", "1秒内", /document/path/96466).
    /// Saves it only then; otherwise throws ArgumentException saying what the URL answered (never the token or key).
    /// </summary>
    public async Task ConfigureAsync(JsonObject b)
    {
        var url = b.Str("url") ?? throw new ArgumentException("url is required");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException("url must be an absolute http or https URL");
        var token = b.Str("token");
        if (string.IsNullOrEmpty(token) || token.Length > 32 || !token.All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException("token must be 1..32 letters or digits"); // silent in the docs: the console's form asks for letters and digits
        var key = WeComCallbackCrypto.Key(b.Str("encodingAesKey"));
        var mode = b.Str("mode") ?? "full";
        if (mode is not ("full" or "sync-assistant")) throw new ArgumentException("mode must be full or sync-assistant");
        var echo = b.Bool("echoApiWrites") ?? mode == "full";
        var agentId = b.Str("agentId") ?? "";
        var verifyTimeout = (int)(b.Long("verifyTimeoutMs") ?? 1000);
        var config = new Config(url, token, key, mode, echo, agentId);

        var plaintext = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString() + RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue);
        var echostr = WeComCallbackCrypto.Encrypt(key, plaintext, _wecom.CorpId);
        var timestamp = WeComCallbackCrypto.Timestamp(DateTimeOffset.UtcNow);
        var nonce = WeComCallbackCrypto.NewNonce();
        var signature = WeComCallbackCrypto.Signature(token, timestamp, nonce, echostr);
        var request = new OutgoingRequest(HttpMethod.Get, WithQuery(url, signature, timestamp, nonce, echostr), null, null, null);
        var record = await _hub.SendOnceAsync(new EventDelivery
        {
            Source = "wecom", Event = "verify_url", Origin = "console", Url = url, Payload = plaintext,
            Accepts = status => status == 200,
        }, request, verifyTimeout);
        var attempt = record.Attempts[^1];
        if (attempt.Status == null) throw new ArgumentException($"URL verification failed: {url} {attempt.Error}");
        if (attempt.Status != 200) throw new ArgumentException($"URL verification failed: {url} answered HTTP {attempt.Status}");
        if (!string.Equals(attempt.Response, plaintext, StringComparison.Ordinal))
            throw new ArgumentException($"URL verification failed: {url} did not answer the decrypted echostr exactly ({Encoding.UTF8.GetByteCount(attempt.Response ?? "")} bytes, expected {plaintext.Length}: no quotes, BOM or newline)");
        _config = config;
    }

    internal static string WithQuery(string url, string signature, string timestamp, string nonce, string echostr = null)
    {
        var q = $"msg_signature={WebUtility.UrlEncode(signature)}&timestamp={timestamp}&nonce={nonce}";
        if (echostr != null) q += "&echostr=" + WebUtility.UrlEncode(echostr);
        return url + (url.Contains('?') ? "&" : "?") + q;
    }

    /// <summary>The POST body WeCom sends: ToUserName, AgentID, Encrypt (/document/path/96466).</summary>
    internal static byte[] Envelope(string corpId, string agentId, string encrypt)
    {
        var sb = new StringBuilder("<xml>");
        WeComChangeXml.Element(sb, "ToUserName", corpId, true);
        WeComChangeXml.Element(sb, "AgentID", agentId, true);
        WeComChangeXml.Element(sb, "Encrypt", encrypt, true);
        return Encoding.UTF8.GetBytes(sb.Append("</xml>").ToString());
    }

    /// <summary>A signed, encrypted POST of <paramref name="plaintext"/>, built anew for each attempt (new random, nonce, timestamp).</summary>
    internal static Func<OutgoingRequest> Post(Config c, string corpId, string plaintext, string receiveId = null, byte[] key = null, Func<string, string> sign = null, DateTimeOffset? at = null) => () =>
    {
        var encrypt = WeComCallbackCrypto.Encrypt(key ?? c.Key, plaintext, receiveId ?? corpId);
        var timestamp = WeComCallbackCrypto.Timestamp(at ?? DateTimeOffset.UtcNow);
        var nonce = WeComCallbackCrypto.NewNonce();
        var signature = sign?.Invoke(encrypt) ?? WeComCallbackCrypto.Signature(c.Token, timestamp, nonce, encrypt);
        return new OutgoingRequest(HttpMethod.Post, WithQuery(c.Url, signature, timestamp, nonce), Envelope(corpId, c.AgentId, encrypt), "text/xml; charset=utf-8", null);
    };

    private void OnChange(WeComChange change)
    {
        var c = _config;
        if (c == null) return;
        // "由通讯录同步助手通过api发起的…不回调给通讯录同步助手应用" (/96303, /96304): only the sync secret writes through
        // the API, so a sync-assistant URL gets no API write unless echoApiWrites says so; a full (app) callback gets them all.
        if (change.Origin.Kind == "api" && !c.EchoApiWrites) return;
        var corpId = _wecom.CorpId;
        var xml = WeComChangeXml.Build(change, c.SyncAssistant, corpId, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        if (xml == null) return;
        var objectId = change.ChangeType.EndsWith("_user", StringComparison.Ordinal)
            ? (change.OldUser ?? change.NewUser).UserId
            : (change.OldDepartment ?? change.NewDepartment).Id.ToString();
        _hub.Enqueue(new EventDelivery
        {
            Source = "wecom", Event = change.ChangeType, ObjectId = objectId, Origin = change.Origin.Kind, Url = c.Url, Payload = xml,
            Build = Post(c, corpId, xml), Accepts = status => status == 200, // "http头部返回200表示接收ok，其他错误码…一律当做失败并发起重试"
        });
    }

    /// <summary>
    /// Sends one bad request now (no retry) and answers its logged delivery: kinds bad-signature, missing-signature,
    /// old-timestamp (ageSeconds), replay (deliveryId), wrong-corpid (corpId), wrong-key, oversize (bytes), malformed-xml.
    /// </summary>
    public async Task<EventDelivery> ForgeAsync(JsonObject b)
    {
        var c = _config ?? throw new InvalidOperationException("no WeCom callback is configured: POST /_emulator/wecom/callback first");
        var kind = b.Str("kind") ?? throw new ArgumentException("kind is required");
        var corpId = _wecom.CorpId;
        var userId = b.Str("userId") ?? "forged-user";
        string Xml(string corp) => $"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[delete_user]]></ChangeType><UserID><![CDATA[{userId}]]></UserID></xml>";
        var xml = Xml(corpId);
        OutgoingRequest request;
        switch (kind)
        {
            case "bad-signature":
                request = Post(c, corpId, xml, sign: e => WeComCallbackCrypto.Signature(c.Token + "x", "0", "0", e))();
                break;
            case "missing-signature":
                var good = Post(c, corpId, xml)();
                request = good with { Url = StripQuery(good.Url, "msg_signature") };
                break;
            case "old-timestamp":
                request = Post(c, corpId, xml, at: DateTimeOffset.UtcNow.AddSeconds(-(b.Long("ageSeconds") ?? 3600)))();
                break;
            case "replay":
                var original = b.Long("deliveryId") is long id ? _hub.Find(id) : _hub.LastDelivered("wecom");
                if (original?.Sent == null || original.Source != "wecom") throw new ArgumentException("nothing to replay: no WeCom delivery was sent yet (or deliveryId names none)");
                request = original.Sent;
                xml = original.Payload;
                userId = original.ObjectId;
                break;
            case "wrong-corpid":
                var other = b.Str("corpId") ?? "ww-not-ours";
                xml = Xml(other);
                request = Post(c, other, xml, receiveId: other)();
                break;
            case "wrong-key":
                request = Post(c, corpId, xml, key: RandomNumberGenerator.GetBytes(32))();
                break;
            case "oversize":
                var size = (int)Math.Clamp(b.Long("bytes") ?? 2 * 1024 * 1024, 1024, 64L * 1024 * 1024);
                var big = Post(c, corpId, xml + new string(' ', size))();
                request = big;
                xml = $"(the event above padded to {size} bytes)";
                break;
            case "malformed-xml":
                var garbage = "<xml><Encrypt><![CDATA[not closed";
                var ts = WeComCallbackCrypto.Timestamp(DateTimeOffset.UtcNow);
                var nonce = WeComCallbackCrypto.NewNonce();
                request = new OutgoingRequest(HttpMethod.Post, WithQuery(c.Url, WeComCallbackCrypto.Signature(c.Token, ts, nonce, "not closed"), ts, nonce),
                    Encoding.UTF8.GetBytes(garbage), "text/xml; charset=utf-8", null);
                xml = garbage;
                break;
            default:
                throw new ArgumentException("kind must be bad-signature, missing-signature, old-timestamp, replay, wrong-corpid, wrong-key, oversize or malformed-xml");
        }
        return await _hub.SendOnceAsync(new EventDelivery
        {
            Source = "wecom", Event = kind == "replay" ? _hub.Find(b.Long("deliveryId") ?? -1)?.Event ?? _hub.LastDelivered("wecom").Event : "delete_user", ObjectId = userId, Origin = "forged", Forged = kind, Url = c.Url, Payload = xml,
            Accepts = status => status == 200,
        }, request, _hub.WeCom.TimeoutMs);
    }

    private static string StripQuery(string url, string name)
    {
        var i = url.IndexOf('?');
        if (i < 0) return url;
        var kept = url[(i + 1)..].Split('&').Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal));
        return url[..i] + "?" + string.Join("&", kept);
    }
}
