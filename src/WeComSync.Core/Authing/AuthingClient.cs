using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Http;

namespace WeComSync.Authing
{
    /// <summary>
    /// The Authing Management API v3 over <see cref="ApiTransport"/>. Authenticates with a management token
    /// (get-management-token), cached until shortly before it expires and fetched again (the call retried once) when the
    /// API answers 401. Every answer is unwrapped from the statusCode/message/apiCode/data envelope; 429/500/502/503 are
    /// transient and retried by the transport; everything else is an <see cref="ApiException"/> with the API's code
    /// ("409" or "404/2004") for callers to match on. Thread safe: the apply steps share one client.
    /// </summary>
    public sealed class AuthingClient : IDisposable, WeComSync.Http.ITraceable
    {
        public const string ServiceName = "Authing";
        public const int PageSize = 50;
        private const string Prefix = "api/v3/";

        private readonly SemaphoreSlim _tokenLock = new SemaphoreSlim(1, 1);
        private string _token;
        private DateTimeOffset _tokenExpires;

        public AuthingClient(AuthingSettings settings, HttpMessageHandler handler = null)
        {
            Settings = settings ?? throw new ArgumentNullException(nameof(settings));
            if (string.IsNullOrEmpty(settings.AccessKeyId)) throw new ArgumentException("The Authing access key id is empty.");
            if (string.IsNullOrEmpty(settings.AccessKeySecret) && settings.AccessKeySecretProvider == null) throw new ArgumentException("The Authing access key secret is empty.");
            Redaction.Register(settings.AccessKeySecret);
            Transport = new ApiTransport(ServiceName, settings.BaseUri(), settings.Retry, handler, settings.SkipCertificateCheck);
        }

        public AuthingSettings Settings { get; }
        public ApiTransport Transport { get; }

        /// <summary>The user pool the token is scoped to (the JWT claim scoped_userpool_id); known after the first call.</summary>
        public string UserPoolId { get; private set; }

        /// <summary>How many management tokens this client fetched (tests check the cache).</summary>
        public int TokenFetches { get; private set; }

        /// <summary>Receives one redacted line per HTTP call (for -Verbose/-Debug).</summary>
        public Action<string> Trace
        {
            get => Transport.Trace;
            set => Transport.Trace = value;
        }

        // ---------------------------------------------------------------- token

        /// <summary>Returns a valid management token, fetching one when none is cached, it is about to expire, or <paramref name="stale"/> was rejected.</summary>
        public async Task<string> GetTokenAsync(CancellationToken cancellationToken, string stale = null)
        {
            await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                bool fresh = _token != null && DateTimeOffset.UtcNow < _tokenExpires;
                if (fresh && (stale == null || stale != _token)) return _token; // another caller already refreshed it
                var secret = Settings.ReadSecret();
                if (string.IsNullOrEmpty(secret)) throw new ApiException(ServiceName, "get-management-token", "credentials", "the access key secret is empty", ApiErrorClass.Credentials, "Run Connect-Authing with the access key secret.");
                Redaction.Register(secret);
                var data = await Transport.SendAsync("get-management-token",
                    () => Json(HttpMethod.Post, Prefix + "get-management-token", new JObject { ["accessKeyId"] = Settings.AccessKeyId, ["accessKeySecret"] = secret }, null),
                    (status, body) => Interpret("get-management-token", status, body), cancellationToken).ConfigureAwait(false);
                TokenFetches++;
                var token = (string)data?["access_token"];
                if (string.IsNullOrEmpty(token)) throw new ApiException(ServiceName, "get-management-token", "token", "the answer carried no access_token", ApiErrorClass.PerObject);
                Redaction.Register(token);
                int expiresIn = (int?)data["expires_in"] ?? 3600;
                var margin = TimeSpan.FromSeconds(Math.Min(Settings.TokenRefreshMargin.TotalSeconds, expiresIn / 2.0));
                _tokenExpires = DateTimeOffset.UtcNow.AddSeconds(expiresIn) - margin;
                UserPoolId = ReadPoolId(token) ?? UserPoolId;
                _token = token;
                return token;
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.Unauthorized) || e.Is(AuthingErrorCodes.Forbidden) || e.Is(AuthingErrorCodes.BadRequest))
            {
                // A refused token request is a wrong key, not a stale token: nothing can work.
                throw new ApiException(ServiceName, "get-management-token", e.Code, e.ApiMessage, ApiErrorClass.Credentials,
                    AuthingErrorCodes.Find(AuthingErrorCodes.Unauthorized).Action);
            }
            finally
            {
                _tokenLock.Release();
            }
        }

        /// <summary>Forget the cached token (Disconnect-Authing).</summary>
        public void ForgetToken()
        {
            _token = null;
            _tokenExpires = DateTimeOffset.MinValue;
        }

        /// <summary>The pool id from the token's payload (JWT claim scoped_userpool_id), without verifying the signature: the server does that.</summary>
        internal static string ReadPoolId(string jwt)
        {
            var parts = jwt.Split('.');
            if (parts.Length < 2) return null;
            try
            {
                var payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
                var json = JObject.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
                return (string)json["scoped_userpool_id"];
            }
            catch (Exception e) when (e is FormatException || e is JsonException)
            {
                return null;
            }
        }

        // ---------------------------------------------------------------- calls

        public Task<JToken> GetAsync(string api, IDictionary<string, string> query, CancellationToken cancellationToken) =>
            CallAsync(HttpMethod.Get, api, null, query, true, cancellationToken);

        /// <summary>POST; pass <paramref name="idempotent"/> false for creates (a lost answer is not sent again blindly).</summary>
        public Task<JToken> PostAsync(string api, object body, CancellationToken cancellationToken, bool idempotent = true) =>
            CallAsync(HttpMethod.Post, api, body, null, idempotent, cancellationToken);

        private Task<JToken> CallAsync(HttpMethod method, string api, object body, IDictionary<string, string> query, bool idempotent, CancellationToken cancellationToken) =>
            CallAsync(method, api, body, query, idempotent, (status, text) => Interpret(api, status, text), cancellationToken);

        /// <summary>
        /// A call whose successful answer's data is read straight into <typeparamref name="T"/> (the large answers:
        /// list-users pages, batch creates and reads). Reading it as a JSON tree first and converting that took about
        /// three times the answer's size again per call, garbage that outlived each round trip and made the read of a
        /// large pool the peak of its run. Any other answer goes through <see cref="Interpret"/>, as every call's does.
        /// </summary>
        private Task<T> CallDataAsync<T>(HttpMethod method, string api, object body, IDictionary<string, string> query, bool idempotent, CancellationToken cancellationToken) where T : class =>
            CallAsync(method, api, body, query, idempotent, (status, text) => InterpretData<T>(api, status, text), cancellationToken);

        private async Task<T> CallAsync<T>(HttpMethod method, string api, object body, IDictionary<string, string> query, bool idempotent,
            Func<HttpStatusCode, string, T> interpret, CancellationToken cancellationToken)
        {
            var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await SendOnceAsync(method, api, body, query, token, idempotent, interpret, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.Unauthorized))
            {
                // The token expired early or was revoked: fetch a new one and try once more.
                Trace?.Invoke($"{ServiceName}: {api} answered 401; fetching a new management token and retrying once");
                token = await GetTokenAsync(cancellationToken, stale: token).ConfigureAwait(false);
                return await SendOnceAsync(method, api, body, query, token, idempotent, interpret, cancellationToken).ConfigureAwait(false);
            }
        }

        private Task<T> SendOnceAsync<T>(HttpMethod method, string api, object body, IDictionary<string, string> query, string token, bool idempotent,
            Func<HttpStatusCode, string, T> interpret, CancellationToken cancellationToken)
        {
            string path = Prefix + api;
            if (query != null && query.Count > 0)
            {
                path += "?" + string.Join("&", query.Where(kv => kv.Value != null).Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
            }
            return Transport.SendAsync(api, () => Json(method, path, body, token), interpret, cancellationToken, idempotent);
        }

        private sealed class Envelope<T>
        {
            public int? StatusCode { get; set; }
            public T Data { get; set; }
        }

        /// <summary>The data of a successful answer as <typeparamref name="T"/>; any other answer is judged (and thrown) by <see cref="Interpret"/>.</summary>
        internal static T InterpretData<T>(string api, HttpStatusCode status, string body) where T : class
        {
            if (!string.IsNullOrWhiteSpace(body))
            {
                try
                {
                    using (var reader = new JsonTextReader(new System.IO.StringReader(body)))
                    {
                        var envelope = AuthingJson.Serializer.Deserialize<Envelope<T>>(reader);
                        if (envelope != null && envelope.StatusCode == 200) return envelope.Data;
                    }
                }
                catch (JsonException)
                {
                    // not this shape (or not JSON): Interpret below says what it is
                }
            }
            return As<T>(Interpret(api, status, body));
        }

        private HttpRequestMessage Json(HttpMethod method, string path, object body, string token)
        {
            var request = new HttpRequestMessage(method, path);
            if (body != null)
            {
                var text = body is JToken j ? j.ToString(Formatting.None) : JsonConvert.SerializeObject(body, AuthingJson.Settings);
                request.Content = new StringContent(text, Encoding.UTF8, "application/json");
            }
            if (token != null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                if (UserPoolId != null) request.Headers.TryAddWithoutValidation("x-authing-userpool-id", UserPoolId);
            }
            request.Headers.TryAddWithoutValidation("x-authing-lang", string.IsNullOrEmpty(Settings.Language) ? "zh-CN" : Settings.Language);
            return request;
        }

        /// <summary>Unwraps the envelope: returns data on statusCode 200, otherwise throws with the API's code.</summary>
        internal static JToken Interpret(string api, HttpStatusCode status, string body)
        {
            JObject envelope = null;
            try
            {
                if (!string.IsNullOrWhiteSpace(body)) envelope = JObject.Parse(body);
            }
            catch (JsonException)
            {
                // not JSON: judged by the HTTP status below
            }
            if (envelope == null)
            {
                int http = (int)status;
                // A bare 401 is the token refused (renewed once); any other status without the envelope is not the
                // service's answer (a proxy, a wrong base URL): no row of the table describes it.
                if (http == AuthingErrorCodes.Unauthorized) throw new ApiException(ServiceName, api, "401", "unauthorized", AuthingErrorCodes.Find(http));
                var bare = AuthingErrorCodes.Find(http);
                throw new ApiException(ServiceName, api, "http:" + http, Truncate(body), bare.Class.IsTransient() ? bare.Class : ApiErrorClass.PerObject);
            }
            // Throttling may come as HTTP 200 with statusCode 429 in the envelope: the envelope's code decides, whatever the HTTP status.
            int code = (int?)envelope["statusCode"] ?? (int)status;
            if (code == 200) return envelope["data"];
            var apiCode = envelope["apiCode"];
            string fullCode = apiCode == null || apiCode.Type == JTokenType.Null ? code.ToString() : code + "/" + apiCode;
            string message = (string)envelope["message"] ?? "";
            var row = AuthingErrorCodes.Find(code);
            // A fatal row (402 the pool's plan, 403 the key's rights) refuses every call of the kind: the run stops there.
            throw new ApiException(ServiceName, api, fullCode, message, row) { StopsRun = row.Class.IsFatal() };
        }

        /// <summary>
        /// The service refused a request for its size: 413 (PayloadTooLargeError, docs-v3 error-code.md, in the envelope
        /// or as a bare HTTP status from a proxy in front) or 400 (a batch over a size the service does not document).
        /// A batch caller sends the same items again in halves, down to one per call.
        /// </summary>
        public static bool IsSizeRefusal(ApiException e) =>
            IsPayloadTooLarge(e) || (e != null && (e.Is(AuthingErrorCodes.BadRequest) || e.Code == "http:" + AuthingErrorCodes.BadRequest));

        /// <summary>413 (PayloadTooLargeError), from the service's envelope or a bare HTTP status: the body was too large whatever was in it.</summary>
        public static bool IsPayloadTooLarge(ApiException e) =>
            e != null && (e.Is(AuthingErrorCodes.PayloadTooLarge) || e.Code == "http:" + AuthingErrorCodes.PayloadTooLarge);

        private static string Truncate(string body) => body == null ? "" : body.Length > 300 ? body.Substring(0, 300) + "…" : body;

        private static T As<T>(JToken token) => token == null || token.Type == JTokenType.Null ? default : token.ToObject<T>(AuthingJson.Serializer);

        // ---------------------------------------------------------------- users

        public async Task<AuthingPage<AuthingUserDto>> ListUsersAsync(int page, int limit, JArray advancedFilter, CancellationToken cancellationToken)
        {
            var body = new JObject
            {
                ["options"] = new JObject
                {
                    ["pagination"] = new JObject { ["page"] = page, ["limit"] = Math.Min(limit, PageSize) },
                    // Pages are read in parallel: without an explicit order a user may move between pages and be missed.
                    // createdAt first (users created during the read land on later pages), then id (unique) for ties;
                    // both are sortable fields of SortingDto (authing-node-sdk src/models/SortingDto.ts).
                    ["sort"] = new JArray(
                        new JObject { ["field"] = "createdAt", ["order"] = "asc" },
                        new JObject { ["field"] = "id", ["order"] = "asc" }),
                    ["withCustomData"] = true,
                    ["withDepartmentIds"] = true,
                },
            };
            if (advancedFilter != null && advancedFilter.Count > 0) body["advancedFilter"] = advancedFilter;
            return await CallDataAsync<AuthingPage<AuthingUserDto>>(HttpMethod.Post, "list-users", body, null, true, cancellationToken).ConfigureAwait(false) ?? new AuthingPage<AuthingUserDto>();
        }

        /// <summary>One user, or null when there is none (404).</summary>
        public async Task<AuthingUserDto> GetUserAsync(string userId, string userIdType, CancellationToken cancellationToken)
        {
            try
            {
                var query = new Dictionary<string, string> { ["userId"] = userId, ["userIdType"] = userIdType ?? "user_id", ["withCustomData"] = "true", ["withDepartmentIds"] = "true" };
                return As<AuthingUserDto>(await GetAsync("get-user", query, cancellationToken).ConfigureAwait(false));
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.NotFound))
            {
                return null;
            }
        }

        /// <summary>
        /// Up to 50 users by id in one call (get-user-batch; userIdType user_id, username, phone, email or external_id, as
        /// Authing's get-user-batch documents them); ids with no user are left out of the answer.
        /// </summary>
        public async Task<List<AuthingUserDto>> GetUsersBatchAsync(IReadOnlyList<string> userIds, string userIdType, CancellationToken cancellationToken)
        {
            if (userIds.Count > PageSize) throw new ArgumentException($"get-user-batch takes at most {PageSize} users.");
            var query = new Dictionary<string, string>
            {
                ["userIds"] = string.Join(",", userIds), ["userIdType"] = userIdType ?? "user_id", ["withCustomData"] = "true", ["withDepartmentIds"] = "true",
            };
            var data = await CallDataAsync<AuthingUserList>(HttpMethod.Get, "get-user-batch", null, query, true, cancellationToken).ConfigureAwait(false);
            return data == null ? new List<AuthingUserDto>() : data.Users.Where(u => u != null).ToList();
        }

        /// <summary>Creates up to 50 users in one call; returns the created users as the API answers them.</summary>
        public async Task<List<AuthingUserDto>> CreateUsersBatchAsync(IReadOnlyList<JObject> users, CancellationToken cancellationToken)
        {
            if (users.Count > PageSize) throw new ArgumentException($"create-users-batch takes at most {PageSize} users.");
            var body = new JObject { ["list"] = new JArray(users), ["options"] = new JObject { ["departmentIdType"] = "department_id" } };
            var data = await CallDataAsync<AuthingUserList>(HttpMethod.Post, "create-users-batch", body, null, false, cancellationToken).ConfigureAwait(false);
            return data == null ? new List<AuthingUserDto>() : data.Users;
        }

        public async Task<AuthingUserDto> CreateUserAsync(JObject user, CancellationToken cancellationToken)
        {
            var body = (JObject)user.DeepClone();
            body["options"] = new JObject { ["departmentIdType"] = "department_id" };
            return As<AuthingUserDto>(await PostAsync("create-user", body, cancellationToken, idempotent: false).ConfigureAwait(false));
        }

        /// <summary>
        /// update-user with the given fields. It never relies on what Authing does with a field left out: the documented
        /// defaults of update-user are status "Activated" and gender "U" (Authing docs, 修改用户资料, request parameters),
        /// so a link write-back that sent only customData could reactivate a suspended user or reset a gender. Every body
        /// therefore carries the user's current status and gender unless it changes them (<see cref="KeepUnchanged(JObject, string, string)"/>
        /// with what the caller read; when it read nothing, one get-user first).
        /// </summary>
        public async Task<AuthingUserDto> UpdateUserAsync(string userId, JObject fields, CancellationToken cancellationToken)
        {
            var body = (JObject)fields.DeepClone();
            body["userId"] = userId;
            await KeepUnknownUnchangedAsync(userId, body, cancellationToken).ConfigureAwait(false);
            return As<AuthingUserDto>(await PostAsync("update-user", body, cancellationToken).ConfigureAwait(false));
        }

        /// <summary>The fields update-user gives a documented default when left out: an update always sends them.</summary>
        public static readonly IReadOnlyList<string> DefaultedOnUpdate = new[] { "status", "gender" };

        /// <summary>Puts the user's current status and gender (as read) into an update body that does not change them.</summary>
        public static JObject KeepUnchanged(JObject body, string currentStatus, string currentGender)
        {
            if (body["status"] == null && !string.IsNullOrEmpty(currentStatus)) body["status"] = currentStatus;
            if (body["gender"] == null && !string.IsNullOrEmpty(currentGender)) body["gender"] = currentGender;
            return body;
        }

        /// <summary>The same from a user read from Authing (its status text and gender).</summary>
        public static JObject KeepUnchanged(JObject body, Model.User current) =>
            current == null ? body : KeepUnchanged(body, current.StatusText,
                current.Gender == null ? null : AuthingUserMapper.GenderCode(current.Gender.Value));

        private async Task KeepUnknownUnchangedAsync(string userId, JObject body, CancellationToken cancellationToken)
        {
            if (DefaultedOnUpdate.All(f => body[f] != null)) return;
            var current = await GetUserAsync(userId, "user_id", cancellationToken).ConfigureAwait(false);
            if (current == null) return; // update-user answers the 404 itself
            KeepUnchanged(body, current.Status, current.Gender);
        }

        /// <summary>
        /// Updates up to 50 users in one update-user-batch call (body {list, options}; each item a userId, which is the
        /// Authing user id, and the fields to change). The answer is the updated users (UserListRespDto), so a caller can
        /// see which ones were applied. Shape from Authing's SDKs (authing-java-sdk UpdateUserBatchReqDto/UpdateUserInfoDto,
        /// go SDK UpdateUserBatch → UserListRespDto).
        /// </summary>
        public async Task<List<AuthingUserDto>> UpdateUsersBatchAsync(IReadOnlyList<JObject> users, CancellationToken cancellationToken)
        {
            if (users.Count == 0 || users.Count > PageSize) throw new ArgumentException($"update-user-batch takes 1 to {PageSize} users.");
            var list = new JArray();
            foreach (var user in users)
            {
                // As update-user: never leave a defaulted field out (see UpdateUserAsync).
                var item = (JObject)user.DeepClone();
                await KeepUnknownUnchangedAsync((string)item["userId"], item, cancellationToken).ConfigureAwait(false);
                list.Add(item);
            }
            var data = await PostAsync("update-user-batch", new JObject { ["list"] = list }, cancellationToken).ConfigureAwait(false);
            var answered = data is JObject o && o["list"] is JArray inner ? inner : data as JArray;
            return answered == null ? new List<AuthingUserDto>() : answered.Select(As<AuthingUserDto>).ToList();
        }

        public Task DeleteUsersBatchAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken)
        {
            if (userIds.Count > PageSize) throw new ArgumentException($"delete-users-batch takes at most {PageSize} users.");
            return PostAsync("delete-users-batch", new JObject { ["userIds"] = new JArray(userIds), ["options"] = new JObject { ["userIdType"] = "user_id" } }, cancellationToken);
        }

        /// <summary>
        /// Departments per set-user-departments call: "数组长度限制：50" (Authing docs-v3, 设置用户所在部门). A WeCom member
        /// may be in up to 100 departments; callers cap the list (main department first) and report the rest.
        /// </summary>
        public const int MaxDepartmentsPerUser = 50;

        /// <summary>Sets the user's memberships to exactly these departments (at most <see cref="MaxDepartmentsPerUser"/>); the first is the main department.</summary>
        public Task SetUserDepartmentsAsync(string userId, IReadOnlyList<string> departmentIds, CancellationToken cancellationToken)
        {
            if (departmentIds.Count > MaxDepartmentsPerUser) throw new ArgumentException($"set-user-departments takes at most {MaxDepartmentsPerUser} departments.");
            var list = new JArray(departmentIds.Select((id, i) => new JObject { ["departmentId"] = id, ["isMainDepartment"] = i == 0 }));
            return PostAsync("set-user-departments", new JObject { ["userId"] = userId, ["departments"] = list, ["options"] = new JObject { ["userIdType"] = "user_id" } }, cancellationToken);
        }

        // ---------------------------------------------------------------- organizations and departments

        public async Task<List<AuthingOrganizationDto>> ListOrganizationsAsync(CancellationToken cancellationToken)
        {
            var all = new List<AuthingOrganizationDto>();
            for (int page = 1; ; page++)
            {
                var data = await GetAsync("list-organizations", new Dictionary<string, string> { ["page"] = page.ToString(), ["limit"] = PageSize.ToString() }, cancellationToken).ConfigureAwait(false);
                var result = As<AuthingPage<AuthingOrganizationDto>>(data) ?? new AuthingPage<AuthingOrganizationDto>();
                all.AddRange(result.List);
                if (result.List.Count < PageSize || all.Count >= result.TotalCount) return all;
            }
        }

        public async Task<AuthingOrganizationDto> GetOrganizationAsync(string organizationCode, CancellationToken cancellationToken)
        {
            var org = (await ListOrganizationsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(o => o.OrganizationCode == organizationCode);
            if (org == null) throw new ApiException(ServiceName, "list-organizations", "404", $"there is no organization with code '{organizationCode}' in this user pool", ApiErrorClass.PerObject,
                "Give an existing -OrganizationCode (Get it from the Authing console, Organization > the organization's code).");
            return org;
        }

        /// <summary>Every department of the organization (no paging), with custom data.</summary>
        public async Task<List<AuthingDepartmentDto>> GetAllDepartmentsAsync(string organizationCode, CancellationToken cancellationToken)
        {
            var query = new Dictionary<string, string> { ["organizationCode"] = organizationCode, ["departmentId"] = "root", ["withCustomData"] = "true" };
            var data = await GetAsync("get-all-departments", query, cancellationToken).ConfigureAwait(false);
            var list = data is JObject o && o["list"] is JArray inner ? inner : data as JArray;
            return list == null ? new List<AuthingDepartmentDto>() : list.Select(As<AuthingDepartmentDto>).ToList();
        }

        /// <summary>
        /// One department of the organization by its Authing id ("root": the organization's root), with custom data; null
        /// when the organization has no such department (404). get-department, docs-v3 获取部门信息.
        /// </summary>
        public async Task<AuthingDepartmentDto> GetDepartmentAsync(string organizationCode, string departmentId, CancellationToken cancellationToken)
        {
            var query = new Dictionary<string, string>
            {
                ["organizationCode"] = organizationCode, ["departmentId"] = departmentId, ["departmentIdType"] = "department_id", ["withCustomData"] = "true",
            };
            try { return As<AuthingDepartmentDto>(await GetAsync("get-department", query, cancellationToken).ConfigureAwait(false)); }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.NotFound)) { return null; }
        }

        /// <summary>
        /// The direct children of one department, with custom data (list-children-departments, docs-v3 获取子部门列表:
        /// organizationCode, departmentId; no paging parameters documented, the answer a DepartmentPagingDto).
        /// </summary>
        public async Task<List<AuthingDepartmentDto>> ListChildrenDepartmentsAsync(string organizationCode, string departmentId, CancellationToken cancellationToken)
        {
            var query = new Dictionary<string, string>
            {
                ["organizationCode"] = organizationCode, ["departmentId"] = departmentId, ["departmentIdType"] = "department_id", ["withCustomData"] = "true",
            };
            var data = await GetAsync("list-children-departments", query, cancellationToken).ConfigureAwait(false);
            var list = data is JObject o && o["list"] is JArray inner ? inner : data as JArray;
            return list == null ? new List<AuthingDepartmentDto>() : list.Select(As<AuthingDepartmentDto>).ToList();
        }

        public async Task<AuthingDepartmentDto> CreateDepartmentAsync(string organizationCode, string name, string parentDepartmentId, JObject customData, CancellationToken cancellationToken)
        {
            // metadata is required on create-department (docs-v3 创建部门: "metadata object 是"; authing-node-sdk
            // CreateDepartmentReqDto.metadata has no '?'; the Go SDK's CreateDepartmentReqDto sends it always, json
            // "metadata" without omitempty). We keep none, so an empty object: the documented type, nothing set by it.
            var body = new JObject
            {
                ["organizationCode"] = organizationCode, ["name"] = name, ["parentDepartmentId"] = parentDepartmentId, ["departmentIdType"] = "department_id",
                ["metadata"] = new JObject(),
            };
            if (customData != null) body["customData"] = customData;
            return As<AuthingDepartmentDto>(await PostAsync("create-department", body, cancellationToken, idempotent: false).ConfigureAwait(false));
        }

        /// <summary>
        /// Changes only the given fields (null = leave as is). No metadata: docs-v3 marks it required on update-department
        /// too, but the Go SDK's UpdateDepartmentReqDto has no such field (so the service takes updates without it), and
        /// an empty object sent on every rename or move could clear metadata set in the console.
        /// </summary>
        public async Task<AuthingDepartmentDto> UpdateDepartmentAsync(string organizationCode, string departmentId, string name, string parentDepartmentId, JObject customData, CancellationToken cancellationToken)
        {
            var body = new JObject { ["organizationCode"] = organizationCode, ["departmentId"] = departmentId, ["departmentIdType"] = "department_id" };
            if (name != null) body["name"] = name;
            if (parentDepartmentId != null) body["parentDepartmentId"] = parentDepartmentId;
            if (customData != null) body["customData"] = customData;
            return As<AuthingDepartmentDto>(await PostAsync("update-department", body, cancellationToken).ConfigureAwait(false));
        }

        public Task DeleteDepartmentAsync(string organizationCode, string departmentId, CancellationToken cancellationToken) =>
            PostAsync("delete-department", new JObject { ["organizationCode"] = organizationCode, ["departmentId"] = departmentId, ["departmentIdType"] = "department_id" }, cancellationToken);

        // ---------------------------------------------------------------- custom fields

        /// <summary>
        /// Every custom field defined for the target type (USER or DEPARTMENT), however many the pool has: get-custom-fields
        /// answers the whole list (authing-node-sdk getCustomFields, CustomFieldListRespDto.data is an array), where
        /// list-custom-fields is paged (limit ≤ 50, default 10) and wants a dataType.
        /// </summary>
        public async Task<List<AuthingCustomFieldDto>> ListCustomFieldsAsync(string targetType, CancellationToken cancellationToken)
        {
            var data = await GetAsync("get-custom-fields", new Dictionary<string, string> { ["targetType"] = targetType }, cancellationToken).ConfigureAwait(false);
            var list = data is JObject o && o["list"] is JArray inner ? inner : data as JArray;
            return list == null ? new List<AuthingCustomFieldDto>() : list.Select(As<AuthingCustomFieldDto>).ToList();
        }

        public Task SetCustomFieldsAsync(IEnumerable<AuthingCustomFieldDto> fields, CancellationToken cancellationToken) =>
            PostAsync("set-custom-fields", new JObject { ["list"] = JArray.FromObject(fields, AuthingJson.Serializer) }, cancellationToken);

        // ---------------------------------------------------------------- webhooks

        /// <summary>
        /// Every webhook of the pool (list-webhooks, pages of at most 50; docs-v3 管理 Webhook, GetWebhooksRespDto). A
        /// webhook's <c>events</c> may come as an array or as JSON text of one; both read as a list.
        /// </summary>
        public async Task<List<AuthingWebhookDto>> ListWebhooksAsync(CancellationToken cancellationToken)
        {
            var all = new List<AuthingWebhookDto>();
            for (int page = 1; ; page++)
            {
                var data = await GetAsync("list-webhooks", new Dictionary<string, string> { ["page"] = page.ToString(), ["limit"] = PageSize.ToString() }, cancellationToken).ConfigureAwait(false);
                var list = data is JObject o ? o["list"] : null;
                var items = list is JArray array ? array.OfType<JObject>().ToList() : list is JObject one ? new List<JObject> { one } : new List<JObject>();
                all.AddRange(items.Select(AuthingWebhookDto.From));
                int total = data is JObject t && t["totalCount"] != null && t["totalCount"].Type == JTokenType.Integer ? (int)t["totalCount"] : all.Count;
                if (items.Count < PageSize || all.Count >= total) return all;
            }
        }

        /// <summary>The event names the pool offers for webhooks (get-webhook-event-list: data.events[].value).</summary>
        public async Task<List<string>> ListWebhookEventsAsync(CancellationToken cancellationToken)
        {
            var data = await GetAsync("get-webhook-event-list", new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
            var events = data is JObject o ? o["events"] : data;
            var list = events is JArray a ? a.OfType<JObject>() : events is JObject one ? new[] { one } : Enumerable.Empty<JObject>();
            return list.Select(e => (string)e["value"]).Where(v => !string.IsNullOrEmpty(v)).ToList();
        }

        /// <summary>Creates a webhook (create-webhook): POSTs JSON bodies of <paramref name="events"/> to <paramref name="url"/> with the secret in X-Authing-Token.</summary>
        public async Task<AuthingWebhookDto> CreateWebhookAsync(string name, string url, IEnumerable<string> events, string secret, CancellationToken cancellationToken)
        {
            var body = new JObject
            {
                ["name"] = name,
                ["url"] = url,
                ["events"] = new JArray(events.ToArray()),
                ["contentType"] = "application/json",
                ["enabled"] = true,
                ["secret"] = secret,
            };
            var data = await PostAsync("create-webhook", body, cancellationToken, idempotent: false).ConfigureAwait(false);
            return data is JObject o ? AuthingWebhookDto.From(o) : null;
        }

        /// <summary>Changes a webhook's events, secret and state (update-webhook); omitted fields stay.</summary>
        public Task UpdateWebhookAsync(string webhookId, IEnumerable<string> events, string secret, bool enabled, CancellationToken cancellationToken) =>
            PostAsync("update-webhook", new JObject
            {
                ["webhookId"] = webhookId,
                ["events"] = new JArray(events.ToArray()),
                ["contentType"] = "application/json",
                ["enabled"] = enabled,
                ["secret"] = secret,
            }, cancellationToken);

        public void Dispose()
        {
            Transport.Dispose();
            _tokenLock.Dispose();
        }
    }
}
