using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using WeComSync.Emulator.Control;

namespace WeComSync.Emulator.Authing;

/// <summary>
/// The Authing Management API v3 under <c>/api/v3/</c>: one dispatcher that counts the call, applies the
/// concurrency cap (429), the rate limits (429) and injected faults, authenticates (token or signature), then runs
/// the endpoint and answers the envelope <c>{statusCode, message, apiCode?, requestId, data}</c>. Business errors
/// travel with HTTP 200 and the status in the envelope; throttling (429) and 5xx also set the HTTP status.
/// </summary>
internal sealed class AuthingApi
{
    private const string Api = "authing";
    private readonly EmulatorState _s;
    private readonly Dictionary<string, (string Method, Func<Call, JsonNode> Run)> _routes;

    private sealed class Call
    {
        public HttpRequest Request;
        public JsonObject Body;
        public string Reorder => Request.HttpContext.Items.TryGetValue(Traffic.ReorderKey, out var r) ? (string)r : null;
        public string Q(string name) => Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
        public bool QBool(string name) => string.Equals(Q(name), "true", StringComparison.OrdinalIgnoreCase);
        public int QInt(string name, int fallback)
        {
            var s = Q(name);
            if (string.IsNullOrEmpty(s)) return fallback;
            return int.TryParse(s, out var i) ? i : throw AuthingError.BadRequest($"{name} must be an integer");
        }
    }

    public AuthingApi(EmulatorState state)
    {
        _s = state;
        _routes = new(StringComparer.Ordinal)
        {
            ["/api/v3/get-management-token"] = ("POST", GetManagementToken),
            ["/api/v3/list-users"] = ("POST", ListUsers),
            ["/api/v3/get-user"] = ("GET", GetUser),
            ["/api/v3/get-user-batch"] = ("GET", GetUserBatch),
            ["/api/v3/create-user"] = ("POST", CreateUser),
            ["/api/v3/create-users-batch"] = ("POST", CreateUsersBatch),
            ["/api/v3/update-user"] = ("POST", UpdateUser),
            ["/api/v3/update-user-batch"] = ("POST", UpdateUserBatch),
            ["/api/v3/delete-users-batch"] = ("POST", DeleteUsersBatch),
            ["/api/v3/set-user-departments"] = ("POST", SetUserDepartments),
            ["/api/v3/list-organizations"] = ("GET", ListOrganizations),
            ["/api/v3/get-department"] = ("GET", GetDepartment),
            ["/api/v3/get-all-departments"] = ("GET", GetAllDepartments),
            ["/api/v3/list-children-departments"] = ("GET", ListChildrenDepartments),
            ["/api/v3/create-department"] = ("POST", CreateDepartment),
            ["/api/v3/update-department"] = ("POST", UpdateDepartment),
            ["/api/v3/delete-department"] = ("POST", DeleteDepartment),
            ["/api/v3/list-department-members"] = ("GET", ListDepartmentMembers),
            ["/api/v3/add-department-members"] = ("POST", c => Members(c, add: true)),
            ["/api/v3/remove-department-members"] = ("POST", c => Members(c, add: false)),
            ["/api/v3/set-custom-fields"] = ("POST", SetCustomFields),
            ["/api/v3/list-custom-fields"] = ("GET", ListCustomFields),
            ["/api/v3/get-custom-fields"] = ("GET", GetCustomFields),
            // Webhooks (Authing/docs reference-new/sdk-v5/*/管理-webhook; authing-java-sdk ManagementClient methods and paths).
            ["/api/v3/create-webhook"] = ("POST", c => _s.Webhooks.Create(c.Body)),
            ["/api/v3/list-webhooks"] = ("GET", c =>
            {
                var (page, limit) = Pagination(c.QInt("page", 1), c.QInt("limit", 10));
                return _s.Webhooks.List(page, limit);
            }),
            ["/api/v3/get-webhook"] = ("GET", c => _s.Webhooks.Get(c.Q("webhookId"))),
            ["/api/v3/update-webhook"] = ("POST", c => _s.Webhooks.Update(c.Body)),
            ["/api/v3/delete-webhook"] = ("POST", c =>
            {
                _s.Webhooks.Delete(c.Body);
                return null;
            }),
            ["/api/v3/get-webhook-event-list"] = ("GET", _ => Events.AuthingWebhooks.EventList()),
            ["/api/v3/trigger-webhook"] = ("POST", c => _s.Webhooks.Trigger(c.Body)),
            ["/api/v3/get-webhook-logs"] = ("GET", c =>
            {
                var (page, limit) = Pagination(c.QInt("page", 1), c.QInt("limit", 10));
                return _s.Webhooks.Logs(c.Q("webhookId"), page, limit);
            }),
        };
    }

    private AuthingState A => _s.Authing;

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        _s.Calls.Increment(path);
        if (!_routes.TryGetValue(path, out var route) || !string.Equals(route.Method, http.Request.Method, StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(http, 404, 404, $"Cannot {http.Request.Method} {path}", null, null);
            return;
        }
        using var slot = _s.Limits.TryEnter(Api);
        if (slot == null)
        {
            await WriteAsync(http, 429, 429, "too many concurrent requests", null, null);
            return;
        }
        if (!_s.Limits.TryAcquire(Api, path, out _))
        {
            await WriteAsync(http, 429, 429, "too many requests", null, null);
            return;
        }
        var raw = await Traffic.ReadBodyAsync(http.Request);
        JsonObject body;
        try
        {
            var node = Json.Parse(raw);
            if (node != null && node is not JsonObject) throw new BadJsonException();
            body = node as JsonObject ?? new JsonObject();
        }
        catch (BadJsonException)
        {
            await WriteAsync(http, 200, 400, "request body is not a JSON object", null, null);
            return;
        }

        int? page = null;
        try
        {
            page = path == "/api/v3/list-users"
                ? (int)(body.Obj("options").Obj("pagination").Long("page") ?? 1)
                : route.Method == "GET" && (path.StartsWith("/api/v3/list-", StringComparison.Ordinal)) ? int.TryParse(http.Request.Query["page"], out var p) ? p : 1 : null;
        }
        catch (BadFieldException) { }
        var (handled, fault) = await Traffic.ApplyFaultsAsync(http, _s.Faults, Api, path, page);
        if (handled) return;
        if (fault != null)
        {
            switch (fault.Kind)
            {
                case "busy":
                    await WriteAsync(http, 500, 500, "internal server error", null, null);
                    return;
                case "throttle":
                    await WriteAsync(http, 429, 429, "too many requests", null, null);
                    return;
                case "throttle-envelope":
                    await WriteAsync(http, 200, 429, "too many requests", null, null);
                    return;
                case "errcode":
                    var status = fault.Status ?? 500;
                    await WriteAsync(http, status is 429 or >= 500 ? status : 200, status, "emulated error", fault.Errcode, null);
                    return;
            }
        }

        try
        {
            if (path != "/api/v3/get-management-token") _s.AuthingAuth.Authenticate(http.Request, path, raw);
            JsonNode data;
            using (Events.ChangeOrigins.Use(Events.ChangeOrigin.Api(syncSecret: false)))
                data = route.Run(new Call { Request = http.Request, Body = body });
            await WriteAsync(http, 200, 200, "", null, data);
        }
        catch (AuthingError e)
        {
            await WriteAsync(http, e.StatusCode is 429 or >= 500 ? e.StatusCode : 200, e.StatusCode, e.Message, e.ApiCode, null);
        }
        catch (BadFieldException e)
        {
            await WriteAsync(http, 200, 400, $"{e.Field} has the wrong type", null, null);
        }
    }

    private static async Task WriteAsync(HttpContext http, int httpStatus, int statusCode, string message, int? apiCode, JsonNode data)
    {
        http.Response.StatusCode = httpStatus;
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(http.Response.Body, Json.WriterOptions);
        w.WriteStartObject();
        w.WriteNumber("statusCode", statusCode);
        w.WriteString("message", statusCode == 200 && message == "" ? "success" : message);
        if (apiCode.HasValue) w.WriteNumber("apiCode", apiCode.Value);
        w.WriteString("requestId", Guid.NewGuid().ToString("N"));
        if (data != null)
        {
            w.WritePropertyName("data");
            data.WriteTo(w);
        }
        w.WriteEndObject();
        await w.FlushAsync();
    }

    // ------------------------------------------------------------------ DTOs

    internal static JsonObject UserDto(AuthingUser u, bool withCustomData, bool withDepartmentIds, bool flatCustomData = false)
    {
        var o = (JsonObject)Json.ToNode(u);
        if (!withDepartmentIds) o.Remove("departmentIds");
        else o["departmentIds"] ??= new JsonArray();
        var custom = o["customData"] as JsonObject;
        o.Remove("customData");
        if (withCustomData)
        {
            custom ??= new JsonObject();
            if (flatCustomData)
            {
                foreach (var (k, v) in custom.ToList()) { custom.Remove(k); o[k] = v; }
            }
            else o["customData"] = custom;
        }
        o["workStatus"] = "Active";
        o["userSourceType"] = "adminCreated";
        return o;
    }

    private JsonObject DepartmentDto(AuthingDepartment d, bool withCustomData = true)
    {
        var o = (JsonObject)Json.ToNode(d);
        if (!withCustomData) o.Remove("customData");
        else o["customData"] ??= new JsonObject();
        o["leaderUserIds"] ??= new JsonArray();
        var (members, hasChildren, parentCode) = A.DepartmentStats(d);
        o["membersCount"] = members;
        o["hasChildren"] = hasChildren;
        if (parentCode != null) o["parentDepartmentCode"] = parentCode;
        o["isVirtualNode"] = false;
        return o;
    }

    private static JsonObject Paged(int total, IEnumerable<JsonNode> list) => new() { ["totalCount"] = total, ["list"] = new JsonArray(list.ToArray()) };

    private static (int page, int limit) Pagination(int page, int limit)
    {
        if (page < 1) throw AuthingError.BadRequest("page starts at 1");
        if (limit < 1 || limit > 50) throw AuthingError.BadRequest("limit must be within 1..50");
        return (page, limit);
    }

    private static List<JsonObject> Objects(JsonArray a, string name)
    {
        if (a == null) throw AuthingError.BadRequest(name + " is required");
        return a.Select(n => n as JsonObject ?? throw AuthingError.BadRequest(name + " items must be objects")).ToList();
    }

    // ------------------------------------------------------------------ endpoints

    private JsonNode GetManagementToken(Call c)
    {
        var (token, expiresIn) = _s.AuthingAuth.IssueToken(c.Body.Str("accessKeyId"), c.Body.Str("accessKeySecret"));
        return new JsonObject { ["access_token"] = token, ["expires_in"] = expiresIn };
    }

    private JsonNode ListUsers(Call c)
    {
        var options = c.Body.Obj("options");
        var pagination = options.Obj("pagination");
        var (page, limit) = Pagination((int)(pagination.Long("page") ?? 1), (int)(pagination.Long("limit") ?? 10));
        var (total, users) = A.ListUsers(c.Body, page, limit, c.Reorder);
        var wc = options.Bool("withCustomData") == true;
        var wd = options.Bool("withDepartmentIds") == true;
        var flat = options.Bool("flatCustomData") == true;
        return Paged(total, users.Select(u => UserDto(u, wc, wd, flat)));
    }

    private JsonNode GetUser(Call c)
    {
        var u = A.GetUser(c.Q("userId") ?? throw AuthingError.BadRequest("userId is required"), c.Q("userIdType"));
        return UserDto(u, c.QBool("withCustomData"), c.QBool("withDepartmentIds"), c.QBool("flatCustomData"));
    }

    private JsonNode GetUserBatch(Call c)
    {
        var ids = (c.Q("userIds") ?? throw AuthingError.BadRequest("userIds is required")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 50) throw AuthingError.BadRequest("at most 50 userIds");
        var users = A.GetUsers(ids, c.Q("userIdType"));
        return new JsonArray(users.Select(u => (JsonNode)UserDto(u, c.QBool("withCustomData"), c.QBool("withDepartmentIds"), c.QBool("flatCustomData"))).ToArray());
    }

    private JsonNode CreateUser(Call c)
    {
        var created = A.CreateUsers(new[] { c.Body }, c.Body.Obj("options"));
        return UserDto(created[0], true, true);
    }

    private JsonNode CreateUsersBatch(Call c)
    {
        var list = Objects(c.Body.Arr("list"), "list");
        if (list.Count == 0 || list.Count > 50) throw AuthingError.BadRequest("list must hold 1..50 users");
        var created = A.CreateUsers(list, c.Body.Obj("options"));
        return new JsonArray(created.Select(u => (JsonNode)UserDto(u, true, true)).ToArray());
    }

    private JsonNode UpdateUser(Call c) => UserDto(A.UpdateUsers(new[] { c.Body })[0], true, true);

    private JsonNode UpdateUserBatch(Call c)
    {
        var list = Objects(c.Body.Arr("list"), "list");
        if (list.Count == 0) throw AuthingError.BadRequest("list must hold at least one user");
        if (list.Count > A.UpdateUserBatchLimit) throw new AuthingError(WeComSync.Authing.AuthingErrorCodes.PayloadTooLarge, $"request body too large: at most {A.UpdateUserBatchLimit} users");
        // The batch form takes no userIdType (authing-java-sdk UpdateUserBatchOptionsDto has none, UpdateUserInfoDto no
        // options): every userId is an Authing user id, whatever the request says.
        foreach (var o in list) o.Remove("options");
        return new JsonArray(A.UpdateUsers(list).Select(u => (JsonNode)UserDto(u, true, true)).ToArray());
    }

    private JsonNode DeleteUsersBatch(Call c)
    {
        var ids = c.Body.Strings("userIds") ?? throw AuthingError.BadRequest("userIds is required");
        if (ids.Count == 0 || ids.Count > 50) throw AuthingError.BadRequest("userIds must hold 1..50 ids");
        A.DeleteUsers(ids, c.Body.Obj("options").Str("userIdType"));
        return new JsonObject { ["success"] = true };
    }

    private JsonNode SetUserDepartments(Call c)
    {
        var options = c.Body.Obj("options");
        A.SetUserDepartments(c.Body.Str("userId") ?? throw AuthingError.BadRequest("userId is required"), options.Str("userIdType"),
            c.Body.Arr("departments"), options.Str("departmentIdType") ?? c.Body.Str("departmentIdType"));
        return new JsonObject { ["success"] = true };
    }

    private JsonNode ListOrganizations(Call c)
    {
        var (page, limit) = Pagination(c.QInt("page", 1), c.QInt("limit", 10));
        var orgs = A.Organizations;
        var list = orgs.Skip((page - 1) * limit).Take(limit).Select(o =>
        {
            var root = A.Children(o.OrganizationCode, "root", null);
            var rootDept = new AuthingDepartment { DepartmentId = o.DepartmentId };
            var (members, _, _) = A.DepartmentStats(rootDept);
            return (JsonNode)new JsonObject
            {
                ["organizationCode"] = o.OrganizationCode,
                ["organizationName"] = o.OrganizationName,
                ["description"] = o.Description,
                ["createdAt"] = o.CreatedAt,
                ["departmentId"] = o.DepartmentId,
                ["hasChildren"] = root.Count > 0,
                ["leaderUserIds"] = new JsonArray(),
                ["membersCount"] = members,
                ["isVirtualNode"] = false,
            };
        });
        return Paged(orgs.Count, list);
    }

    private JsonNode GetDepartment(Call c)
    {
        AuthingDepartment d;
        lock (A.Gate) d = A.ResolveDepartment(c.Q("organizationCode") ?? throw AuthingError.BadRequest("organizationCode is required"),
            c.Q("departmentId") ?? c.Q("departmentCode"), c.Q("departmentId") == null ? "code" : c.Q("departmentIdType")).Copy();
        return DepartmentDto(d, c.QBool("withCustomData"));
    }

    private JsonNode GetAllDepartments(Call c)
    {
        var list = A.Descendants(c.Q("organizationCode"), c.Q("departmentId") ?? "root", c.Q("departmentIdType"));
        return Paged(list.Count, list.Select(d => (JsonNode)DepartmentDto(d, c.QBool("withCustomData"))));
    }

    private JsonNode ListChildrenDepartments(Call c)
    {
        var list = A.Children(c.Q("organizationCode"), c.Q("departmentId") ?? throw AuthingError.BadRequest("departmentId is required"), c.Q("departmentIdType"));
        return Paged(list.Count, list.Select(d => (JsonNode)DepartmentDto(d, c.QBool("withCustomData"))));
    }

    private JsonNode CreateDepartment(Call c) => DepartmentDto(A.CreateDepartment(c.Body));

    private JsonNode UpdateDepartment(Call c) => DepartmentDto(A.UpdateDepartment(c.Body));

    private JsonNode DeleteDepartment(Call c)
    {
        A.DeleteDepartment(c.Body);
        return new JsonObject { ["success"] = true };
    }

    private JsonNode ListDepartmentMembers(Call c)
    {
        var (page, limit) = Pagination(c.QInt("page", 1), c.QInt("limit", 10));
        var (total, users) = A.Members(c.Q("organizationCode"), c.Q("departmentId") ?? throw AuthingError.BadRequest("departmentId is required"),
            c.Q("departmentIdType"), c.QBool("includeChildrenDepartments"), page, limit);
        return Paged(total, users.Select(u => (JsonNode)UserDto(u, c.QBool("withCustomData"), c.QBool("withDepartmentIds"))));
    }

    private JsonNode Members(Call c, bool add)
    {
        A.AddMembers(c.Body, add);
        return new JsonObject { ["success"] = true };
    }

    private JsonNode SetCustomFields(Call c) =>
        new JsonArray(A.SetCustomFields(c.Body.Arr("list")).Select(f => Json.ToNode(f)).ToArray());

    // authing-node-sdk ManagementClient.listCustFields: GET list-custom-fields, targetType and dataType required, paged
    // (page from 1, "每页数目，最大不能超过 50，默认为 10"); getCustomFields: GET get-custom-fields?targetType=, the whole
    // list as an array (CustomFieldListRespDto.data: Array<CustomFieldDto>).
    private static readonly string[] DataTypes = { "STRING", "NUMBER", "DATETIME", "BOOLEAN", "OBJECT", "SELECT" };

    private JsonNode ListCustomFields(Call c)
    {
        var targetType = c.Q("targetType");
        if (string.IsNullOrEmpty(targetType)) throw AuthingError.BadRequest("targetType is required");
        var dataType = c.Q("dataType");
        if (string.IsNullOrEmpty(dataType)) throw AuthingError.BadRequest("dataType is required");
        if (!DataTypes.Contains(dataType)) throw AuthingError.BadRequest("dataType must be one of " + string.Join(", ", DataTypes));
        var (page, limit) = Pagination(c.QInt("page", 1), c.QInt("limit", 10));
        var all = A.ListCustomFields(targetType).Where(f => f.DataType == dataType).ToList();
        return Paged(all.Count, all.Skip((page - 1) * limit).Take(limit).Select(f => Json.ToNode(f)));
    }

    private JsonNode GetCustomFields(Call c)
    {
        var targetType = c.Q("targetType");
        if (string.IsNullOrEmpty(targetType)) throw AuthingError.BadRequest("targetType is required");
        return new JsonArray(A.ListCustomFields(targetType).Select(f => Json.ToNode(f)).ToArray());
    }
}
