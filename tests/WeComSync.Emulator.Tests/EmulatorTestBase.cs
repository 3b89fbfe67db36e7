using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using WeComSync.Emulator;

namespace WeComSync.Emulator.Tests;

/// <summary>One emulator per test class, started in-process on 127.0.0.1 and stopped when the class is done.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; }
    public HttpClient Http { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await EmulatorServer.StartAsync();
        Http = new HttpClient { BaseAddress = Server.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Helpers that speak each API as a documentation-only client would; every test starts from the defaults.</summary>
public abstract class EmulatorTestBase : IClassFixture<EmulatorFixture>
{
    protected EmulatorTestBase(EmulatorFixture fixture)
    {
        Fixture = fixture;
        fixture.Server.State.Reset();
    }

    protected EmulatorFixture Fixture { get; }
    protected HttpClient Http => Fixture.Http;
    protected EmulatorState State => Fixture.Server.State;

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    protected static StringContent JsonBody(object body) =>
        new(body is string s ? s : JsonSerializer.Serialize(body, Compact), Encoding.UTF8, "application/json");

    protected static async Task<JsonObject> ReadAsync(HttpResponseMessage r) =>
        JsonNode.Parse(await r.Content.ReadAsStringAsync()) as JsonObject;

    // ---------------------------------------------------------------- WeCom

    protected async Task<string> TokenAsync(string secret = EmulatorDefaults.CorpSecret)
    {
        var r = await WeComGetAsync($"/cgi-bin/gettoken?corpid={EmulatorDefaults.CorpId}&corpsecret={secret}");
        Assert.Equal(0, (int)r["errcode"]);
        return (string)r["access_token"];
    }

    protected async Task<JsonObject> WeComGetAsync(string pathAndQuery)
    {
        using var r = await Http.GetAsync(pathAndQuery);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await ReadAsync(r);
    }

    protected async Task<JsonObject> WeComPostAsync(string pathAndQuery, object body)
    {
        using var r = await Http.PostAsync(pathAndQuery, JsonBody(body));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await ReadAsync(r);
    }

    /// <summary>Calls a WeCom API with a fresh token of <paramref name="secret"/>: GET when body is null.</summary>
    protected async Task<JsonObject> WeComAsync(string path, object body = null, string query = "", string secret = EmulatorDefaults.CorpSecret, string token = null)
    {
        token ??= await TokenAsync(secret);
        var url = $"{path}?access_token={token}{(query.Length > 0 ? "&" + query : "")}";
        return body == null ? await WeComGetAsync(url) : await WeComPostAsync(url, body);
    }

    protected static int Errcode(JsonObject r) => (int)r["errcode"];

    protected async Task CreateUserAsync(string userid, string mobile = null, int[] department = null, string token = null, string email = null)
    {
        var r = await WeComAsync("/cgi-bin/user/create", new Dictionary<string, object>
        {
            ["userid"] = userid, ["name"] = "name-" + userid, ["department"] = department ?? new[] { 1 },
            ["mobile"] = mobile ?? (email == null ? "138" + Math.Abs(userid.GetHashCode() % 100000000).ToString("D8") : null), ["email"] = email,
        }.Where(p => p.Value != null).ToDictionary(p => p.Key, p => p.Value), token: token);
        Assert.Equal(0, Errcode(r));
    }

    protected async Task<int> CreateDepartmentAsync(string name, int parent = 1, string token = null)
    {
        var r = await WeComAsync("/cgi-bin/department/create", new { name, parentid = parent }, token: token);
        Assert.Equal(0, Errcode(r));
        return (int)r["id"];
    }

    // ---------------------------------------------------------------- Authing

    /// <summary>A request signed as the Node SDK signs it; <paramref name="tamper"/> may change headers after signing.</summary>
    protected async Task<(HttpStatusCode http, JsonObject body)> AuthingAsync(string method, string path, object body = null,
        string accessKeyId = EmulatorDefaults.AccessKeyId, string secret = EmulatorDefaults.AccessKeySecret,
        Action<HttpRequestMessage> tamper = null, Dictionary<string, string> headers = null)
    {
        var request = BuildSigned(method, path, body, accessKeyId, secret, headers);
        tamper?.Invoke(request);
        using var r = await Http.SendAsync(request);
        return (r.StatusCode, await ReadAsync(r));
    }

    protected static HttpRequestMessage BuildSigned(string method, string path, object body, string accessKeyId, string secret, Dictionary<string, string> headerOverrides = null)
    {
        var h = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["date"] = DateTime.UtcNow.ToString("r"),
            ["x-authing-lang"] = "zh-CN",
            ["x-authing-sdk-version"] = "emulator-tests:1",
            ["x-authing-signature-method"] = "HMAC-SHA1",
            ["x-authing-signature-nonce"] = Guid.NewGuid().ToString("N"),
            ["x-authing-signature-version"] = "1.0",
        };
        foreach (var (k, v) in headerOverrides ?? new()) { if (v == null) h.Remove(k); else h[k] = v; }
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string json = null;
        var url = path;
        if (method == "GET")
        {
            var query = body as IDictionary<string, string> ?? new Dictionary<string, string>();
            foreach (var (k, v) in query) pairs[k] = v;
            if (query.Count > 0) url += "?" + string.Join("&", query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        }
        else
        {
            json = body is string s ? s : JsonSerializer.Serialize(body ?? new { }, Compact);
            using var doc = JsonDocument.Parse(json);
            foreach (var p in doc.RootElement.EnumerateObject())
                pairs[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
        }
        var sb = new StringBuilder(method + "\n");
        foreach (var (k, v) in h) sb.Append(k).Append(':').Append(v.Trim()).Append('\n');
        sb.Append(path);
        if (pairs.Count > 0) sb.Append('?').Append(string.Join("&", pairs.Select(p => p.Key + "=" + p.Value)));
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(sb.ToString())));
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        foreach (var (k, v) in h) request.Headers.TryAddWithoutValidation(k, v);
        request.Headers.TryAddWithoutValidation("authorization", $"authing {accessKeyId}:{signature}");
        if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    protected async Task<JsonObject> AuthingOkAsync(string method, string path, object body = null)
    {
        var (http, r) = await AuthingAsync(method, path, body);
        Assert.True((int)r["statusCode"] == 200, $"{path}: {r.ToJsonString()}");
        Assert.Equal(HttpStatusCode.OK, http);
        return r;
    }

    protected static int Status(JsonObject r) => (int)r["statusCode"];

    protected async Task DefineUserFieldsAsync(params string[] keys) =>
        await AuthingOkAsync("POST", "/api/v3/set-custom-fields", new { list = keys.Select(k => new { targetType = "USER", key = k, dataType = "STRING", label = k }).ToArray() });

    protected async Task<JsonObject> ControlAsync(HttpMethod method, string path, object body = null)
    {
        var request = new HttpRequestMessage(method, "/_emulator/" + path);
        if (body != null) request.Content = JsonBody(body);
        using var r = await Http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"control {path}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text) as JsonObject;
    }
}
