using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Http;

namespace WeComSync.WeCom
{
    /// <summary>
    /// The WeCom server API over <see cref="ApiTransport"/>: the access token (cached per corp and secret, refreshed and
    /// the call retried once on 40001/40014/42001), errcode → <see cref="ApiException"/>, and typed calls for the
    /// department and member endpoints. Reading into the model is <see cref="WeComReader"/>; applying plans is
    /// <see cref="WeComDepartmentApplier"/> and <see cref="WeComUserApplier"/>.
    /// </summary>
    public sealed class WeComClient : IDisposable, WeComSync.Http.ITraceable
    {
        private readonly ApiTransport _transport;
        private readonly string _tokenKey;
        private readonly SemaphoreSlim _tokenLock = new SemaphoreSlim(1, 1);

        public WeComClient(WeComConnectionSettings settings, HttpMessageHandler handler = null)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            if (string.IsNullOrWhiteSpace(settings.CorpId)) throw new ArgumentException("The corp id is empty.", nameof(settings));
            if (string.IsNullOrEmpty(settings.Secret)) throw new ArgumentException("The secret is empty.", nameof(settings));
            Settings = settings;
            Redaction.Register(settings.Secret);
            var host = settings.ApiHost ?? new Uri(WeComConnectionSettings.DefaultApiHost);
            if (!host.AbsoluteUri.EndsWith("/", StringComparison.Ordinal)) host = new Uri(host.AbsoluteUri + "/");
            _transport = new ApiTransport(WeComErrors.Service, host, settings.Retry, handler);
            _tokenKey = WeComTokenCache.KeyOf(host, settings.CorpId, settings.Secret);
        }

        // Internal: it holds the secret, and the client is reachable from PowerShell through the connection object.
        internal WeComConnectionSettings Settings { get; }
        public string CorpId => Settings.CorpId;
        public WeComAppMode AppMode => Settings.AppMode;
        public int ReadParallelism => Settings.ReadParallelism;

        /// <summary>The connection's field map (null: the registry's defaults).</summary>
        public Model.FieldMap FieldMap => Settings.FieldMap;
        public RetryOptions RetryOptions => _transport.Options;
        public Uri ApiHost => _transport.BaseAddress;

        /// <summary>Calls per API so far (attempts, retries included), for summaries and benchmarks.</summary>
        public IReadOnlyDictionary<string, int> CallCounts => _transport.CallCounts;

        /// <summary>Receives one redacted line per call and retry (Verbose/Debug).</summary>
        public Action<string> Trace { get => _transport.Trace; set => _transport.Trace = value; }

        /// <summary>Token refreshes after WeCom rejected a cached token (40001/40014/42001).</summary>
        public int TokenRefreshes => _tokenRefreshes;
        private int _tokenRefreshes;

        /// <summary>Forgets the cached token of this corp and secret (Disconnect-WeCom).</summary>
        public void ForgetToken() => WeComTokenCache.Invalidate(_tokenKey, null);

        // ---- token ------------------------------------------------------------------------------------------

        /// <summary>
        /// Fetches a token now (Connect-WeCom), so a wrong corp id or secret (40013/40001), an unreachable host or a
        /// refused IP fails at connect time with its explained errcode rather than in the middle of a sync. The token stays
        /// inside the client.
        /// </summary>
        public Task ConnectAsync(CancellationToken ct) => GetTokenAsync(ct);


        /// <summary>Returns the cached token or fetches one. Never exposes the token outside the client.</summary>
        internal async Task<string> GetTokenAsync(CancellationToken ct)
        {
            var cached = WeComTokenCache.Get(_tokenKey);
            if (cached != null) return cached.Token;
            await _tokenLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                cached = WeComTokenCache.Get(_tokenKey);
                if (cached != null) return cached.Token;
                string query = "cgi-bin/gettoken?corpid=" + Uri.EscapeDataString(Settings.CorpId) + "&corpsecret=" + Uri.EscapeDataString(Settings.Secret);
                var json = await _transport.SendAsync("gettoken", () => new HttpRequestMessage(HttpMethod.Get, query),
                    (status, body) => Interpret("gettoken", status, body), ct).ConfigureAwait(false);
                string token = (string)json["access_token"];
                if (string.IsNullOrEmpty(token)) throw new ApiException(WeComErrors.Service, "gettoken", "response", "gettoken returned no access_token", ApiErrorClass.PerObject);
                Redaction.Register(token);
                int expiresIn = json.Value<int?>("expires_in") ?? 7200;
                var margin = Settings.TokenRenewalMargin;
                if (margin.TotalSeconds > expiresIn / 2.0) margin = TimeSpan.FromSeconds(expiresIn / 2.0);
                WeComTokenCache.Set(_tokenKey, new WeComTokenCache.Entry(token, DateTimeOffset.UtcNow.AddSeconds(expiresIn) - margin));
                return token;
            }
            finally { _tokenLock.Release(); }
        }

        // ---- calls ------------------------------------------------------------------------------------------

        /// <summary>GET cgi-bin/<paramref name="api"/>?<paramref name="query"/> with the token; returns the JSON answer (errcode 0).</summary>
        public Task<JObject> GetAsync(string api, string query, CancellationToken ct) => CallAsync(api, HttpMethod.Get, query, null, ct, true);

        /// <summary>POST a JSON body to cgi-bin/<paramref name="api"/>. Pass <paramref name="idempotent"/> false for creates.</summary>
        public Task<JObject> PostAsync(string api, object body, CancellationToken ct, bool idempotent = true) => CallAsync(api, HttpMethod.Post, null, body, ct, idempotent);

        private async Task<JObject> CallAsync(string api, HttpMethod method, string query, object body, CancellationToken ct, bool idempotent)
        {
            string payload = body == null ? null : body as string ?? JsonConvert.SerializeObject(body, JsonSettings);
            for (int attempt = 0; ; attempt++)
            {
                string token = await GetTokenAsync(ct).ConfigureAwait(false);
                string url = "cgi-bin/" + api + "?access_token=" + Uri.EscapeDataString(token) + (string.IsNullOrEmpty(query) ? "" : "&" + query);
                try
                {
                    return await _transport.SendAsync(api, () =>
                    {
                        var request = new HttpRequestMessage(method, url);
                        if (payload != null) request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
                        return request;
                    }, (status, text) => Interpret(api, status, text), ct, idempotent).ConfigureAwait(false);
                }
                catch (ApiException e) when (attempt == 0 && e.RenewsToken)
                {
                    // The cached token was rejected (expired early, invalidated, secret reset): fetch a new one and retry once.
                    WeComTokenCache.Invalidate(_tokenKey, token);
                    Interlocked.Increment(ref _tokenRefreshes);
                    _transport.Trace?.Invoke($"WeCom: {api} answered {e.Code}; refreshing the token and retrying once");
                }
            }
        }

        private static readonly JsonSerializerSettings JsonSettings = new JsonSerializerSettings { NullValueHandling = NullValueHandling.Ignore };

        private JObject Interpret(string api, HttpStatusCode status, string body)
        {
            JObject json;
            try { json = string.IsNullOrWhiteSpace(body) ? null : JObject.Parse(body); }
            catch (JsonException) { json = null; }
            if (json == null)
            {
                throw new ApiException(WeComErrors.Service, api, "http:" + (int)status, "the answer is not WeCom JSON: " + Truncate(body), ApiErrorClass.PerObject);
            }
            int code = json.Value<int?>("errcode") ?? 0;
            if (code != 0) throw WeComErrors.Create(api, code, (string)json["errmsg"], _transport.Options.RateWindow);
            return json;
        }

        private static string Truncate(string s) => s == null ? "" : s.Length > 200 ? s.Substring(0, 200) + "…" : s;

        // ---- what a "not found" proves ---------------------------------------------------------------------

        private bool? _seesWholeCorp;

        /// <summary>
        /// Whether this app sees the whole corp: the address-book sync secret does; any other app when department/simplelist
        /// lists the root department (1). Asked once per client; a failed look-up answers false (no proof) and is asked again.
        /// </summary>
        public async Task<bool> SeesWholeCorpAsync(CancellationToken ct)
        {
            if (_seesWholeCorp.HasValue) return _seesWholeCorp.Value;
            if (AppMode == WeComAppMode.AddressBookSync) return (_seesWholeCorp = true).Value;
            try
            {
                var ids = await ListDepartmentIdsAsync(ct).ConfigureAwait(false);
                _seesWholeCorp = ids.Any(d => (long?)d["id"] == WeComReader.RootDepartmentId);
                return _seesWholeCorp.Value;
            }
            catch (ApiException e) when (!e.IsFatal) { return false; }
        }

        /// <summary>
        /// Whether an answer proves the member does not exist. WeCom answers 60111 (and 46004) both for a userid that
        /// does not exist and for a member outside the app's visible range ("UserID不存在 … d) 成员不在应用可见范围内",
        /// developer.work.weixin.qq.com/document/path/90313): only an app that sees the whole corp may take it as "gone".
        /// </summary>
        public async Task<bool> ProvesAbsentAsync(ApiException e, CancellationToken ct) =>
            e != null && (e.Is(WeComErrorCodes.UserNotFound) || e.Is(WeComErrorCodes.UserNotExist)) && await SeesWholeCorpAsync(ct).ConfigureAwait(false);

        /// <summary>Why a 60111 / 46004 proves nothing for this app: one sentence for results and warnings.</summary>
        public static string AmbiguousAbsence(string userId, ApiException e) =>
            $"user/get answered {e.Code} for '{userId}', which WeCom answers both for a member that does not exist and for one outside the app's visible range (可见范围); this app does not see the whole corp, so it cannot tell which";

        // ---- typed endpoints --------------------------------------------------------------------------------

        /// <summary>department/simplelist: every department id the app may see (ids, parent, order; no names).</summary>
        public async Task<JArray> ListDepartmentIdsAsync(CancellationToken ct, long? rootId = null)
        {
            var json = await GetAsync("department/simplelist", rootId.HasValue ? "id=" + rootId.Value.ToString(CultureInfo.InvariantCulture) : null, ct).ConfigureAwait(false);
            return json["department_id"] as JArray ?? new JArray();
        }

        /// <summary>department/list: the subtree with names (detail read: 48009 from new IPs).</summary>
        public async Task<JArray> ListDepartmentsAsync(CancellationToken ct, long? rootId = null)
        {
            var json = await GetAsync("department/list", rootId.HasValue ? "id=" + rootId.Value.ToString(CultureInfo.InvariantCulture) : null, ct).ConfigureAwait(false);
            return json["department"] as JArray ?? new JArray();
        }

        public async Task<JObject> GetDepartmentAsync(long id, CancellationToken ct)
        {
            var json = await GetAsync("department/get", "id=" + id.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
            return json["department"] as JObject;
        }

        /// <summary>department/create; returns the new id. Not idempotent: a lost answer is reported as outcome unknown.</summary>
        public async Task<long> CreateDepartmentAsync(string name, long parentId, long? order, CancellationToken ct)
        {
            var body = new JObject { ["name"] = name, ["parentid"] = parentId };
            if (order.HasValue) body["order"] = order.Value;
            var json = await PostAsync("department/create", body.ToString(Formatting.None), ct, idempotent: false).ConfigureAwait(false);
            return json.Value<long>("id");
        }

        public Task UpdateDepartmentAsync(JObject body, CancellationToken ct) => PostAsync("department/update", body.ToString(Formatting.None), ct);

        public Task DeleteDepartmentAsync(long id, CancellationToken ct) => GetAsync("department/delete", "id=" + id.ToString(CultureInfo.InvariantCulture), ct);

        /// <summary>One page of user/list_id: one row per (user, department). An empty next_cursor ends the listing.</summary>
        public Task<JObject> ListUserIdsPageAsync(string cursor, int limit, CancellationToken ct)
        {
            var body = new JObject { ["limit"] = limit };
            if (!string.IsNullOrEmpty(cursor)) body["cursor"] = cursor;
            return PostAsync("user/list_id", body.ToString(Formatting.None), ct);
        }

        /// <summary>user/simplelist of one department: its direct members' userid, name, departments (fetch_child is no longer documented).</summary>
        public async Task<JArray> ListUsersSimpleAsync(long departmentId, CancellationToken ct)
        {
            var json = await GetAsync("user/simplelist", "department_id=" + departmentId.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
            return json["userlist"] as JArray ?? new JArray();
        }

        /// <summary>user/list of one department (its direct members with details).</summary>
        public async Task<JArray> ListUsersDetailedAsync(long departmentId, CancellationToken ct)
        {
            var json = await GetAsync("user/list", "department_id=" + departmentId.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
            return json["userlist"] as JArray ?? new JArray();
        }

        public Task<JObject> GetUserAsync(string userId, CancellationToken ct) => GetAsync("user/get", "userid=" + Uri.EscapeDataString(userId), ct);

        public Task CreateUserAsync(JObject body, CancellationToken ct) => PostAsync("user/create", body.ToString(Formatting.None), ct, idempotent: false);

        public Task UpdateUserAsync(JObject body, CancellationToken ct) => PostAsync("user/update", body.ToString(Formatting.None), ct);

        /// <summary>user/batchdelete: at most 200 userids; one bad userid fails the whole call.</summary>
        public Task DeleteUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
        {
            if (userIds.Count > MaxBatchDelete) throw new ArgumentException($"batchdelete takes at most {MaxBatchDelete} userids.", nameof(userIds));
            return PostAsync("user/batchdelete", new JObject { ["useridlist"] = new JArray(userIds) }.ToString(Formatting.None), ct);
        }

        public const int MaxBatchDelete = 200;

        /// <summary>WeCom's documented frequency limit per corp and API (calls per minute); 45009 blocks the API beyond it.</summary>
        public const int DocumentedCallsPerMinute = 10000;

        public void Dispose()
        {
            _transport.Dispose();
            _tokenLock.Dispose();
        }
    }
}
