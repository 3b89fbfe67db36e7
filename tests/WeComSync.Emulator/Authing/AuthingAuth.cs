using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace WeComSync.Emulator.Authing;

/// <summary>
/// Both Authing management auth schemes (docs/ARCHITECTURE.md §11): management tokens (an HS256 JWT whose
/// <c>scoped_userpool_id</c> claim is the pool, sent as <c>Authorization: Bearer …</c> or bare, with
/// <c>x-authing-userpool-id</c>), and the per-request AK/SK HMAC-SHA1 signature of the Node and C# SDKs.
/// Signature errors: 1300 bad signature, 1301 method, 1302 version, 1303 missing date, 1304 clock skew,
/// 1305 replayed nonce, 1306 unknown access key or malformed authorization (all statusCode 401).
/// </summary>
public sealed class AuthingAuth
{
    private readonly AuthingState _state;
    private readonly byte[] _jwtKey = RandomNumberGenerator.GetBytes(32);
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTime> _nonces = new(StringComparer.Ordinal);
    private int _generation;
    private readonly List<string> _issued = new();

    public AuthingAuth(AuthingState state) => _state = state;

    /// <summary>Lifetime of management tokens, seconds.</summary>
    public int TokenExpiresIn { get; set; } = 7200;

    /// <summary>Largest accepted difference between the <c>date</c> header and the emulator's clock.</summary>
    public TimeSpan AllowedClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    public void Reset()
    {
        lock (_gate)
        {
            TokenExpiresIn = 7200;
            AllowedClockSkew = TimeSpan.FromMinutes(15);
            _nonces.Clear();
            _issued.Clear();
            _generation++;
        }
    }

    /// <summary>Every management token issued since the last reset (tests search their output for them).</summary>
    public IReadOnlyList<string> IssuedTokens { get { lock (_gate) return _issued.ToList(); } }

    /// <summary>Every management token issued so far answers 401 from now on.</summary>
    public void InvalidateTokens()
    {
        lock (_gate) _generation++;
    }

    private static string B64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromB64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    public (string token, int expiresIn) IssueToken(string accessKeyId, string accessKeySecret)
    {
        string secret;
        lock (_state.Gate) _state.AccessKeys.TryGetValue(accessKeyId ?? "", out secret);
        if (secret == null || secret != accessKeySecret) throw new AuthingError(401, "invalid accessKeyId or accessKeySecret");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int generation;
        lock (_gate) generation = _generation;
        var header = B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var payload = B64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["scoped_userpool_id"] = _state.UserPoolId,
            ["sub"] = accessKeyId,
            ["iat"] = now,
            ["exp"] = now + TokenExpiresIn,
            ["iss"] = "wecomsync-emulator",
            ["gen"] = generation,
            ["jti"] = Guid.NewGuid().ToString("N"),
        }));
        var sig = B64Url(HMACSHA256.HashData(_jwtKey, Encoding.ASCII.GetBytes(header + "." + payload)));
        var token = header + "." + payload + "." + sig;
        lock (_gate) _issued.Add(token);
        return (token, TokenExpiresIn);
    }

    /// <summary>Checks the request's credentials; throws <see cref="AuthingError"/> (401/400/403) when they fail.</summary>
    public void Authenticate(HttpRequest request, string path, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(authorization)) throw new AuthingError(401, "missing authorization");
        if (authorization.StartsWith("authing ", StringComparison.Ordinal)) VerifySignature(request, path, body, authorization);
        else VerifyToken(request, authorization);
    }

    private void VerifyToken(HttpRequest request, string authorization)
    {
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : authorization.Trim();
        var parts = token.Split('.');
        if (parts.Length != 3) throw new AuthingError(401, "invalid token");
        var expected = B64Url(HMACSHA256.HashData(_jwtKey, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
            throw new AuthingError(401, "invalid token");
        JsonObject claims;
        try { claims = JsonNode.Parse(FromB64Url(parts[1])) as JsonObject; }
        catch (Exception) { throw new AuthingError(401, "invalid token"); }
        if (claims.Long("exp") <= DateTimeOffset.UtcNow.ToUnixTimeSeconds()) throw new AuthingError(401, "token expired");
        lock (_gate)
            if (claims.Long("gen") != _generation) throw new AuthingError(401, "token revoked");
        var pool = request.Headers["x-authing-userpool-id"].ToString();
        if (string.IsNullOrEmpty(pool)) throw new AuthingError(400, "x-authing-userpool-id header is required with a management token");
        if (pool != claims.Str("scoped_userpool_id") || pool != _state.UserPoolId) throw new AuthingError(403, "the token does not belong to user pool " + pool);
    }

    private void VerifySignature(HttpRequest request, string path, byte[] body, string authorization)
    {
        var credential = authorization["authing ".Length..];
        var colon = credential.IndexOf(':');
        if (colon <= 0) throw new AuthingError(401, "malformed authorization", 1306);
        var accessKeyId = credential[..colon];
        var signature = credential[(colon + 1)..];
        string secret;
        lock (_state.Gate) _state.AccessKeys.TryGetValue(accessKeyId, out secret);
        if (secret == null) throw new AuthingError(401, "unknown access key id", 1306);
        var method = request.Headers["x-authing-signature-method"].ToString();
        if (method != "HMAC-SHA1") throw new AuthingError(401, "unsupported signature method: " + method, 1301);
        var version = request.Headers["x-authing-signature-version"].ToString();
        if (version != "1.0") throw new AuthingError(401, "unsupported signature version: " + version, 1302);
        var date = request.Headers["date"].ToString();
        if (string.IsNullOrEmpty(date)) throw new AuthingError(401, "missing date header", 1303);
        if (!DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent)
            || (DateTimeOffset.UtcNow - sent).Duration() > AllowedClockSkew)
            throw new AuthingError(401, "date header is too far from the server's clock", 1304);

        var stringToSign = StringToSign(request, path, body);
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            throw new AuthingError(401, "signature mismatch", 1300);

        var nonce = request.Headers["x-authing-signature-nonce"].ToString();
        if (string.IsNullOrEmpty(nonce)) throw new AuthingError(401, "missing x-authing-signature-nonce", 1305);
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            if (_nonces.Count > 100_000)
                foreach (var old in _nonces.Where(p => now - p.Value > AllowedClockSkew + AllowedClockSkew).Select(p => p.Key).ToList()) _nonces.Remove(old);
            if (_nonces.ContainsKey(nonce)) throw new AuthingError(401, "nonce already used", 1305);
            _nonces[nonce] = now;
        }
    }

    /// <summary>
    /// METHOD\n + sorted <c>x-authing-*</c> and <c>date</c> headers as <c>name:value\n</c> + path + <c>?k=v&amp;…</c> over
    /// the query (GET) or the body's top-level fields (POST; objects and arrays as their JSON text as sent).
    /// </summary>
    public static string StringToSign(HttpRequest request, string path, byte[] body)
    {
        var sb = new StringBuilder();
        sb.Append(request.Method.ToUpperInvariant()).Append('\n');
        var headers = request.Headers
            .Select(h => (name: h.Key.ToLowerInvariant(), value: h.Value.ToString()))
            .Where(h => h.name.StartsWith("x-authing-", StringComparison.Ordinal) || h.name == "date")
            .OrderBy(h => h.name, StringComparer.Ordinal);
        foreach (var (name, value) in headers)
            sb.Append(name).Append(':').Append(value.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ').Replace('\f', ' ').Trim()).Append('\n');
        sb.Append(path);
        var pairs = new List<(string key, string value)>();
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsDelete(request.Method))
        {
            foreach (var q in request.Query) pairs.Add((q.Key, q.Value.ToString()));
        }
        else if (body != null && body.Length > 0)
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var p in doc.RootElement.EnumerateObject())
                    pairs.Add((p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()));
        }
        if (pairs.Count > 0)
        {
            sb.Append('?');
            sb.Append(string.Join("&", pairs.OrderBy(p => p.key, StringComparer.Ordinal).Select(p => p.key + "=" + p.value)));
        }
        return sb.ToString();
    }
}
