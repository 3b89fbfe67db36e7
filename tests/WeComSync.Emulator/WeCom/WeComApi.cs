using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using WeComSync.Emulator.Control;
using WeComSync.WeCom;

namespace WeComSync.Emulator.WeCom;

/// <summary>
/// The WeCom server API under <c>/cgi-bin/</c>: one dispatcher that counts the call, applies the concurrency cap,
/// the rate limits and injected faults, checks the access token and the secret's app mode, then runs the endpoint.
/// Every answer is HTTP 200 with <c>errcode</c>/<c>errmsg</c> (except injected HTTP faults).
/// </summary>
internal sealed class WeComApi
{
    private const string Api = "wecom";
    private readonly EmulatorState _s;
    private readonly Dictionary<string, Route> _routes;

    private enum Access { Read, Detail, Write, SyncOnly }

    private sealed record Route(Access Access, Func<Call, JsonObject> Run, string Method = "GET");

    private sealed class Call
    {
        public HttpRequest Request;
        public JsonObject Body;
        public WeComSecret Secret;
        public string Q(string name) => Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
        public long? QLong(string name)
        {
            var s = Q(name);
            if (string.IsNullOrEmpty(s)) return null;
            return long.TryParse(s, out var l) ? l : throw new WeComError(40058, $"invalid parameter {name}");
        }
    }

    public WeComApi(EmulatorState state)
    {
        _s = state;
        _routes = new(StringComparer.Ordinal)
        {
            ["/cgi-bin/department/create"] = new(Access.Write, DepartmentCreate, "POST"),
            ["/cgi-bin/department/update"] = new(Access.Write, DepartmentUpdate, "POST"),
            ["/cgi-bin/department/delete"] = new(Access.Write, DepartmentDelete),
            ["/cgi-bin/department/simplelist"] = new(Access.Read, DepartmentSimpleList),
            ["/cgi-bin/department/get"] = new(Access.Detail, DepartmentGet),
            ["/cgi-bin/department/list"] = new(Access.Detail, DepartmentList),
            ["/cgi-bin/user/list_id"] = new(Access.SyncOnly, UserListId, "POST"),
            ["/cgi-bin/user/get"] = new(Access.Detail, UserGet),
            ["/cgi-bin/user/simplelist"] = new(Access.Read, UserSimpleList),
            ["/cgi-bin/user/list"] = new(Access.Detail, UserList),
            ["/cgi-bin/user/create"] = new(Access.Write, UserCreate, "POST"),
            ["/cgi-bin/user/update"] = new(Access.Write, UserUpdate, "POST"),
            ["/cgi-bin/user/delete"] = new(Access.Write, UserDelete),
            ["/cgi-bin/user/batchdelete"] = new(Access.Write, UserBatchDelete, "POST"),
        };
    }

    private WeComState W => _s.WeCom;

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        _s.Calls.Increment(path);
        var isToken = path == "/cgi-bin/gettoken";
        if (!isToken && !_routes.ContainsKey(path))
        {
            http.Response.StatusCode = 404;
            await WriteAsync(http, Error(404, "api not found in the emulator: " + path));
            return;
        }
        // Each endpoint takes one method (the documentation's 请求方式). WeCom has no "wrong method" code: a POST-only API
        // called with GET finds no body, so its parameters are missing — 40003 where the userid comes from the body
        // (/90313, 40003 item 5), 40058 elsewhere (40058 item 5). A GET-only API called with POST: silent; refused as 40058.
        var method = isToken ? "GET" : _routes[path].Method;
        if (!string.Equals(http.Request.Method, method, StringComparison.OrdinalIgnoreCase))
        {
            bool userIdInBody = path == "/cgi-bin/user/create" || path == "/cgi-bin/user/update";
            await WriteAsync(http, method == "POST" && userIdInBody
                ? Error(WeComErrorCodes.InvalidUserId, "invalid userid")
                : Error(WeComErrorCodes.InvalidParameter, $"invalid parameter: {path} takes {method}"));
            return;
        }
        using var slot = _s.Limits.TryEnter(Api);
        if (slot == null)
        {
            await WriteAsync(http, Error(WeComErrorCodes.ConcurrencyLimited, "api concurrent out of limit"));
            return;
        }
        if (!_s.Limits.TryAcquire(Api, path, out _))
        {
            // Live 45009 does not say how long the block lasts (a minute or an hour from the hit): neither does this.
            await WriteAsync(http, Error(WeComErrorCodes.FrequencyLimited, "api freq out of limit"));
            return;
        }
        JsonObject body = null;
        try
        {
            if (HttpMethods.IsPost(http.Request.Method))
            {
                var node = Json.Parse(await Traffic.ReadBodyAsync(http.Request));
                if (node != null && node is not JsonObject) throw new BadJsonException();
                body = node as JsonObject;
            }
        }
        catch (BadJsonException)
        {
            // "json不合法，请检查请求体格式是否符合json语法" is a 40058 (/90313, 40058 item 1).
            await WriteAsync(http, Error(WeComErrorCodes.InvalidParameter, "invalid parameter: the body is not valid JSON"));
            return;
        }
        body ??= new JsonObject();
        var typeError = WrongType(path, body);
        if (typeError != null)
        {
            await WriteAsync(http, Error(WeComErrorCodes.InvalidParameter, "invalid parameter: " + typeError));
            return;
        }

        int? page = null;
        if (path == "/cgi-bin/user/list_id")
        {
            try { page = WeComState.Cursor.Decode(body.Str("cursor")).Page; } catch (WeComError) { page = null; }
        }
        var (handled, fault) = await Traffic.ApplyFaultsAsync(http, _s.Faults, Api, path, page);
        if (handled) return;
        if (fault != null)
        {
            switch (fault.Kind)
            {
                case "busy":
                    await WriteAsync(http, Error(WeComErrorCodes.SystemBusy, "system busy"));
                    return;
                case "throttle" or "throttle-envelope":
                    await WriteAsync(http, Error(WeComErrorCodes.FrequencyLimited, "api freq out of limit"));
                    return;
                case "errcode":
                    await WriteAsync(http, Error(fault.Errcode ?? -1, "emulated error"));
                    return;
            }
        }

        JsonObject result;
        try
        {
            var q = http.Request.Query;
            if (isToken)
            {
                var token = W.IssueToken(q["corpid"].ToString(), q["corpsecret"].ToString(), out var expiresIn);
                result = Ok("ok");
                result["access_token"] = token;
                result["expires_in"] = expiresIn;
            }
            else
            {
                var secret = W.Authorize(q["access_token"].ToString());
                if (!secret.TrustedIp) throw new WeComError(60020, "not allow to access from your ip");
                var route = _routes[path];
                switch (route.Access)
                {
                    case Access.Write when !secret.IsSync:
                        throw new WeComError(48002, "api forbidden: contact writes need the address-book sync secret");
                    case Access.SyncOnly when !secret.IsSync:
                        throw new WeComError(48002, "api forbidden: needs the address-book sync secret");
                    case Access.Detail when secret.IsSync && secret.NewIp:
                        throw new WeComError(48009, "api forbidden: this IP may not read member or department details");
                }
                using (Events.ChangeOrigins.Use(Events.ChangeOrigin.Api(secret.IsSync)))
                    result = route.Run(new Call { Request = http.Request, Body = body, Secret = secret });
            }
        }
        catch (WeComError e)
        {
            result = Error(e.Errcode, e.Message);
        }
        catch (BadFieldException e)
        {
            result = Error(40058, $"invalid parameter: {e.Field}");
        }
        await WriteAsync(http, result);
    }

    // ------------------------------------------------------------ request shapes

    private enum JsonType { String, Int, IntList, StringList, Bool, Object, IntOrString }

    private static readonly Dictionary<string, JsonType> MemberFields = new(StringComparer.Ordinal)
    {
        // user/create and user/update (developer.work.weixin.qq.com/document/path/90195, /90197): the documented types.
        ["userid"] = JsonType.String, ["new_userid"] = JsonType.String, ["name"] = JsonType.String, ["alias"] = JsonType.String,
        ["mobile"] = JsonType.String, ["department"] = JsonType.IntList, ["order"] = JsonType.IntList, ["position"] = JsonType.String,
        ["gender"] = JsonType.IntOrString, ["email"] = JsonType.String, ["biz_mail"] = JsonType.String, ["telephone"] = JsonType.String,
        ["is_leader_in_dept"] = JsonType.IntList, ["direct_leader"] = JsonType.StringList, ["avatar_mediaid"] = JsonType.String,
        ["enable"] = JsonType.Int, ["extattr"] = JsonType.Object, ["to_invite"] = JsonType.Bool, ["external_position"] = JsonType.String,
        ["external_profile"] = JsonType.Object, ["address"] = JsonType.String, ["main_department"] = JsonType.Int,
    };

    private static readonly Dictionary<string, JsonType> DepartmentFields = new(StringComparer.Ordinal)
    {
        // department/create and department/update (/90205, /90206).
        ["name"] = JsonType.String, ["name_en"] = JsonType.String, ["parentid"] = JsonType.Int, ["order"] = JsonType.Int, ["id"] = JsonType.Int,
    };

    private static readonly Dictionary<string, Dictionary<string, JsonType>> BodyTypes = new(StringComparer.Ordinal)
    {
        ["/cgi-bin/user/create"] = MemberFields,
        ["/cgi-bin/user/update"] = MemberFields,
        ["/cgi-bin/department/create"] = DepartmentFields,
        ["/cgi-bin/department/update"] = DepartmentFields,
        ["/cgi-bin/user/list_id"] = new(StringComparer.Ordinal) { ["cursor"] = JsonType.String, ["limit"] = JsonType.Int },
        ["/cgi-bin/user/batchdelete"] = new(StringComparer.Ordinal) { ["useridlist"] = JsonType.StringList },
    };

    /// <summary>The first body field whose JSON type is not the documented one ("an int given a string"), or null. WeCom answers 40058.</summary>
    private static string WrongType(string path, JsonObject body)
    {
        if (!BodyTypes.TryGetValue(path, out var types)) return null;
        foreach (var (name, node) in body)
        {
            if (node == null || !types.TryGetValue(name, out var type)) continue;
            bool ok = type switch
            {
                JsonType.String => IsKind(node, JsonValueKind.String),
                JsonType.Int => IsKind(node, JsonValueKind.Number),
                JsonType.IntOrString => IsKind(node, JsonValueKind.Number) || IsKind(node, JsonValueKind.String),
                JsonType.Bool => IsKind(node, JsonValueKind.True) || IsKind(node, JsonValueKind.False),
                JsonType.Object => node is JsonObject,
                JsonType.IntList => node is JsonArray a && a.All(n => n != null && IsKind(n, JsonValueKind.Number)),
                JsonType.StringList => node is JsonArray l && l.All(n => n != null && IsKind(n, JsonValueKind.String)),
                _ => true,
            };
            if (!ok) return $"{name} must be {type switch { JsonType.IntList => "an array of integers", JsonType.StringList => "an array of strings", JsonType.Int => "an integer", JsonType.Bool => "true or false", JsonType.Object => "an object", _ => "a string" }}";
        }
        return null;
    }

    private static bool IsKind(JsonNode node, JsonValueKind kind) => node is JsonValue v && v.GetValueKind() == kind;

    private static JsonObject Ok(string errmsg) => new() { ["errcode"] = 0, ["errmsg"] = errmsg };

    // Live messages carry a hint suffix; clients must match on errcode, never on errmsg.
    private static JsonObject Error(int code, string message) => new()
    {
        ["errcode"] = code,
        ["errmsg"] = $"{message}, hint: [{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}-emulator], from ip: 127.0.0.1, more info at devtool/query?e={code}",
    };

    private static async Task WriteAsync(HttpContext http, JsonObject o)
    {
        http.Response.ContentType = "application/json; charset=UTF-8";
        await using var writer = new System.Text.Json.Utf8JsonWriter(http.Response.Body, Json.WriterOptions);
        o.WriteTo(writer);
        await writer.FlushAsync();
    }

    // ------------------------------------------------------------ departments

    private JsonObject DepartmentCreate(Call c)
    {
        var b = c.Body;
        var id = W.CreateDepartment(b.Str("name"), b.Str("name_en"), b.Long("parentid"), b.Long("order"), b.Long("id"));
        var r = Ok("created");
        r["id"] = id;
        return r;
    }

    private JsonObject DepartmentUpdate(Call c)
    {
        W.UpdateDepartment(c.Body.Long("id"), c.Body);
        return Ok("updated");
    }

    private JsonObject DepartmentDelete(Call c)
    {
        W.DeleteDepartment(c.QLong("id"));
        return Ok("deleted");
    }

    /// <summary>The departments a call may list: the subtree of id (or of the root), within the app's visible range.</summary>
    private List<WeComDepartment> VisibleSubtree(Call c)
    {
        var id = c.QLong("id");
        var visible = W.VisibleDepartments(c.Secret);
        if (id.HasValue) W.CheckVisible(c.Secret, id);
        if (visible == null || id.HasValue) return W.Subtree(id).Where(d => visible == null || visible.Contains(d.Id)).ToList();
        // No id: every department of the range, whichever subtree it is in (the root itself may be outside it).
        return W.Subtree(null).Where(d => visible.Contains(d.Id)).ToList();
    }

    private JsonObject DepartmentSimpleList(Call c)
    {
        var list = new JsonArray();
        foreach (var d in VisibleSubtree(c))
            list.Add(new JsonObject { ["id"] = d.Id, ["parentid"] = d.ParentId, ["order"] = d.Order });
        var r = Ok("ok");
        r["department_id"] = list;
        return r;
    }

    private static JsonObject DepartmentJson(WeComDepartment d)
    {
        var o = new JsonObject { ["id"] = d.Id, ["name"] = d.Name };
        if (!string.IsNullOrEmpty(d.NameEn)) o["name_en"] = d.NameEn;
        o["department_leader"] = new JsonArray((d.DepartmentLeader ?? new()).Select(l => (JsonNode)l).ToArray());
        o["parentid"] = d.ParentId;
        o["order"] = d.Order;
        return o;
    }

    private JsonObject DepartmentGet(Call c)
    {
        var id = c.QLong("id") ?? throw new WeComError(60003, "department not found: id missing");
        W.CheckVisible(c.Secret, id);
        var r = Ok("ok");
        r["department"] = DepartmentJson(W.GetDepartment(id));
        return r;
    }

    private JsonObject DepartmentList(Call c)
    {
        var r = Ok("ok");
        r["department"] = new JsonArray(VisibleSubtree(c).Select(d => (JsonNode)DepartmentJson(d)).ToArray());
        return r;
    }

    // ------------------------------------------------------------ members

    private JsonObject UserListId(Call c)
    {
        var limit = c.Body.Long("limit") ?? 1000;
        if (limit < 1 || limit > 10000) throw new WeComError(40058, "invalid limit (1-10000)");
        var cursor = WeComState.Cursor.Decode(c.Body.Str("cursor"));
        var (rows, next) = W.ListIds(cursor, (int)limit);
        var list = new JsonArray();
        foreach (var (userid, department) in rows) list.Add(new JsonObject { ["userid"] = userid, ["department"] = department });
        var r = Ok("ok");
        r["next_cursor"] = next;
        r["dept_user"] = list;
        return r;
    }

    private static JsonArray Ints<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).Cast<JsonNode>().ToArray());

    /// <summary>A member as user/get answers it; self-built and agent apps do not receive the sensitive fields.</summary>
    internal static JsonObject UserJson(WeComUser u, WeComSecret secret)
    {
        var full = secret.IsSync;
        var o = new JsonObject
        {
            ["userid"] = u.UserId,
            ["name"] = u.Name ?? "",
            ["department"] = Ints(u.Department ?? new()),
            ["order"] = Ints(u.Order ?? new()),
            ["position"] = u.Position ?? "",
        };
        if (full)
        {
            o["mobile"] = u.Mobile ?? "";
            o["gender"] = u.Gender ?? "0";
            o["email"] = u.Email ?? "";
            o["biz_mail"] = u.BizMail ?? "";
        }
        o["is_leader_in_dept"] = Ints(u.IsLeaderInDept ?? new());
        o["direct_leader"] = new JsonArray((u.DirectLeader ?? new()).Select(l => (JsonNode)l).ToArray());
        if (full)
        {
            o["avatar"] = u.Avatar ?? "";
            o["thumb_avatar"] = u.ThumbAvatar ?? "";
        }
        o["telephone"] = u.Telephone ?? "";
        o["alias"] = u.Alias ?? "";
        if (full) o["address"] = u.Address ?? "";
        if (!string.IsNullOrEmpty(u.OpenUserId)) o["open_userid"] = u.OpenUserId;
        o["main_department"] = u.MainDepartment;
        o["extattr"] = u.Extattr?.DeepClone() ?? new JsonObject { ["attrs"] = new JsonArray() };
        o["status"] = u.Status;
        if (full) o["qr_code"] = u.QrCode ?? "";
        o["external_position"] = u.ExternalPosition ?? "";
        if (u.ExternalProfile != null) o["external_profile"] = u.ExternalProfile.DeepClone();
        o["enable"] = u.Enable;
        return o;
    }

    private JsonObject UserGet(Call c)
    {
        var userId = c.Q("userid");
        JsonObject user;
        var found = W.GetUser(userId);
        W.CheckVisible(c.Secret, found);
        lock (W.Gate) user = UserJson(found, c.Secret);
        var r = Ok("ok");
        foreach (var p in user.ToList())
        {
            user.Remove(p.Key);
            r[p.Key] = p.Value;
        }
        return r;
    }

    // user/simplelist and user/list take department_id only: fetch_child was removed from the documentation, which now
    // says to walk the sub-departments ("如需获取该部门及其子部门的所有成员,需先获取该部门下的子部门…逐层递归获取",
    // developer.work.weixin.qq.com/document/path/96259, updated 2022-08-22). The emulator ignores it: direct members only.
    private List<WeComUser> DepartmentMembers(Call c)
    {
        var departmentId = c.QLong("department_id");
        W.CheckVisible(c.Secret, departmentId);
        return W.Members(departmentId, fetchChild: false);
    }

    private JsonObject UserSimpleList(Call c)
    {
        var members = DepartmentMembers(c);
        var list = new JsonArray();
        lock (W.Gate)
            foreach (var u in members)
                list.Add(new JsonObject { ["userid"] = u.UserId, ["name"] = u.Name ?? "", ["department"] = Ints(u.Department ?? new()) });
        var r = Ok("ok");
        r["userlist"] = list;
        return r;
    }

    private JsonObject UserList(Call c)
    {
        var members = DepartmentMembers(c);
        if (W.ListLimit > 0 && members.Count > W.ListLimit) throw new WeComError(45029, "response size out of limit: fetch per department");
        var list = new JsonArray();
        lock (W.Gate)
            foreach (var u in members) list.Add(UserJson(u, c.Secret));
        var r = Ok("ok");
        r["userlist"] = list;
        return r;
    }

    private JsonObject UserCreate(Call c)
    {
        W.CreateUser(c.Body);
        return Ok("created");
    }

    private JsonObject UserUpdate(Call c)
    {
        W.UpdateUser(c.Body);
        return Ok("updated");
    }

    private JsonObject UserDelete(Call c)
    {
        W.DeleteUser(c.Q("userid"));
        return Ok("deleted");
    }

    private JsonObject UserBatchDelete(Call c)
    {
        W.BatchDeleteUsers(c.Body.Strings("useridlist"));
        return Ok("deleted");
    }
}
