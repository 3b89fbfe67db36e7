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

    private sealed record Route(Access Access, Func<Call, JsonObject> Run);

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
            ["/cgi-bin/department/create"] = new(Access.Write, DepartmentCreate),
            ["/cgi-bin/department/update"] = new(Access.Write, DepartmentUpdate),
            ["/cgi-bin/department/delete"] = new(Access.Write, DepartmentDelete),
            ["/cgi-bin/department/simplelist"] = new(Access.Read, DepartmentSimpleList),
            ["/cgi-bin/department/get"] = new(Access.Detail, DepartmentGet),
            ["/cgi-bin/department/list"] = new(Access.Detail, DepartmentList),
            ["/cgi-bin/user/list_id"] = new(Access.SyncOnly, UserListId),
            ["/cgi-bin/user/get"] = new(Access.Detail, UserGet),
            ["/cgi-bin/user/simplelist"] = new(Access.Read, UserSimpleList),
            ["/cgi-bin/user/list"] = new(Access.Detail, UserList),
            ["/cgi-bin/user/create"] = new(Access.Write, UserCreate),
            ["/cgi-bin/user/update"] = new(Access.Write, UserUpdate),
            ["/cgi-bin/user/delete"] = new(Access.Write, UserDelete),
            ["/cgi-bin/user/batchdelete"] = new(Access.Write, UserBatchDelete),
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
            await WriteAsync(http, Error(47001, "data format error"));
            return;
        }
        body ??= new JsonObject();

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

    private JsonObject DepartmentSimpleList(Call c)
    {
        var list = new JsonArray();
        foreach (var d in W.Subtree(c.QLong("id")))
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
        var r = Ok("ok");
        r["department"] = DepartmentJson(W.GetDepartment(id));
        return r;
    }

    private JsonObject DepartmentList(Call c)
    {
        var r = Ok("ok");
        r["department"] = new JsonArray(W.Subtree(c.QLong("id")).Select(d => (JsonNode)DepartmentJson(d)).ToArray());
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
        lock (W.Gate) user = UserJson(W.GetUser(userId), c.Secret);
        var r = Ok("ok");
        foreach (var p in user.ToList())
        {
            user.Remove(p.Key);
            r[p.Key] = p.Value;
        }
        return r;
    }

    private JsonObject UserSimpleList(Call c)
    {
        var members = W.Members(c.QLong("department_id"), c.Q("fetch_child") == "1");
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
        var members = W.Members(c.QLong("department_id"), c.Q("fetch_child") == "1");
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
