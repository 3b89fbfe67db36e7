using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace WeComSync.Tests.WeCom
{
    /// <summary>
    /// A small WeCom server behind an HttpMessageHandler, written from the WeCom facts in docs/ARCHITECTURE.md §11, for unit tests of the client and
    /// appliers without sockets: token, department and member endpoints, app modes, scripted errcodes, call counts.
    /// </summary>
    internal sealed class FakeWeCom : HttpMessageHandler
    {
        public const string CorpId = "ww-fake";
        public const string Secret = "fake-secret-0123456789";

        public enum Mode { Full, NewIp, App }
        public Mode AppMode { get; set; } = Mode.Full;

        public readonly Dictionary<long, (string Name, long Parent, long Order)> Departments = new Dictionary<long, (string, long, long)> { [1] = ("示例科技", 0, 0) };
        public readonly Dictionary<string, JObject> Users = new Dictionary<string, JObject>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _tokens = new HashSet<string>();
        private long _nextDept = 100;
        private int _nextToken;
        public readonly ConcurrentDictionary<string, int> Calls = new ConcurrentDictionary<string, int>();
        public readonly List<(string Api, JObject Body)> Writes = new List<(string, JObject)>();

        /// <summary>errcodes to answer, per api, before the real handling (one per call).</summary>
        public readonly ConcurrentDictionary<string, ConcurrentQueue<(int Code, string Message)>> Faults = new ConcurrentDictionary<string, ConcurrentQueue<(int, string)>>();
        /// <summary>userids that batchdelete rejects (40003), failing the whole call.</summary>
        public readonly HashSet<string> BadUserIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        public int ListIdPageLimit { get; set; } = 10000;
        /// <summary>Every user/list_id page after the first answers -1 (system busy), so the listing fails after its retries.</summary>
        public bool FailListIdAfterFirstPage { get; set; }

        public void Fail(string api, int code, string message = "fault", int times = 1)
        {
            var q = Faults.GetOrAdd(api, _ => new ConcurrentQueue<(int, string)>());
            for (int i = 0; i < times; i++) q.Enqueue((code, message));
        }

        public void InvalidateTokens() { lock (this) _tokens.Clear(); }

        public int Count(string api) => Calls.TryGetValue(api, out var n) ? n : 0;
        public int WriteCalls => Writes.Count;

        public void AddUser(string userId, string name, params long[] departments) =>
            Users[userId] = new JObject
            {
                ["userid"] = userId, ["name"] = name, ["department"] = new JArray(departments), ["main_department"] = departments[0],
                ["mobile"] = "138" + Math.Abs(userId.GetHashCode() % 100000000).ToString("00000000"), ["email"] = userId + "@example.com",
                ["gender"] = "1", ["position"] = "工程师", ["enable"] = 1, ["status"] = 1,
            };

        public long AddDepartment(string name, long parent) { var id = _nextDept++; Departments[id] = (name, parent, 0); return id; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string path = request.RequestUri.AbsolutePath;
            string api = path.Substring(path.IndexOf("/cgi-bin/", StringComparison.Ordinal) + "/cgi-bin/".Length);
            var query = ParseQuery(request.RequestUri.Query);
            JObject body = request.Content == null ? new JObject() : JObject.Parse(await request.Content.ReadAsStringAsync());
            Calls.AddOrUpdate(api, 1, (_, n) => n + 1);
            JObject answer;
            lock (this) answer = Handle(api, query, body);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToString(), Encoding.UTF8, "application/json") };
        }

        private static Dictionary<string, string> ParseQuery(string q) =>
            q.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(new[] { '=' }, 2))
                .ToDictionary(p => p[0], p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");

        private static JObject Error(int code, string message) => new JObject { ["errcode"] = code, ["errmsg"] = message };
        private static JObject Ok(JObject extra = null, string message = "ok")
        {
            var o = new JObject { ["errcode"] = 0, ["errmsg"] = message };
            if (extra != null) o.Merge(extra);
            return o;
        }

        private static readonly string[] DetailApis = { "user/get", "user/list", "department/get", "department/list" };
        private static readonly string[] WriteApis = { "department/create", "department/update", "department/delete", "user/create", "user/update", "user/delete", "user/batchdelete" };

        private JObject Handle(string api, Dictionary<string, string> q, JObject body)
        {
            if (api == "gettoken")
            {
                if (q.GetValueOrDefault("corpid") != CorpId || q.GetValueOrDefault("corpsecret") != Secret) return Error(40001, "invalid credential");
                var token = "fake-token-" + (++_nextToken) + "-abcdef";
                _tokens.Add(token);
                return Ok(new JObject { ["access_token"] = token, ["expires_in"] = 7200 });
            }
            if (!_tokens.Contains(q.GetValueOrDefault("access_token") ?? "")) return Error(40014, "invalid access_token");
            if (Faults.TryGetValue(api, out var faults) && faults.TryDequeue(out var f)) return Error(f.Code, f.Message);
            if (AppMode == Mode.NewIp && DetailApis.Contains(api)) return Error(48009, "api forbidden for new ip");
            if (AppMode == Mode.App && (WriteApis.Contains(api) || api == "user/list_id")) return Error(48002, "api forbidden");
            if (WriteApis.Contains(api)) Writes.Add((api, body));

            switch (api)
            {
                case "department/simplelist":
                    return Ok(new JObject { ["department_id"] = new JArray(Departments.Select(d => new JObject { ["id"] = d.Key, ["parentid"] = d.Value.Parent, ["order"] = d.Value.Order })) });
                case "department/list":
                    return Ok(new JObject { ["department"] = new JArray(Departments.Where(d => !q.ContainsKey("id") || d.Key == long.Parse(q["id"]) || d.Value.Parent == long.Parse(q["id"]))
                        .Select(d => new JObject { ["id"] = d.Key, ["name"] = d.Value.Name, ["parentid"] = d.Value.Parent, ["order"] = d.Value.Order })) });
                case "department/get":
                    {
                        long id = long.Parse(q["id"]);
                        if (!Departments.TryGetValue(id, out var d)) return Error(60003, "department not found");
                        return Ok(new JObject { ["department"] = new JObject { ["id"] = id, ["name"] = d.Name, ["parentid"] = d.Parent } });
                    }
                case "department/create":
                    {
                        long parent = (long)body["parentid"];
                        string name = (string)body["name"];
                        if (!Departments.ContainsKey(parent)) return Error(60004, "parent department not found");
                        if (Departments.Any(d => d.Value.Parent == parent && d.Value.Name == name)) return Error(60008, "department existed");
                        long id = _nextDept++;
                        Departments[id] = (name, parent, (long?)body["order"] ?? 0);
                        return Ok(new JObject { ["id"] = id }, "created");
                    }
                case "department/update":
                    {
                        long id = (long)body["id"];
                        if (!Departments.TryGetValue(id, out var d)) return Error(60003, "department not found");
                        Departments[id] = ((string)body["name"] ?? d.Name, (long?)body["parentid"] ?? d.Parent, (long?)body["order"] ?? d.Order);
                        return Ok(null, "updated");
                    }
                case "department/delete":
                    {
                        long id = long.Parse(q["id"]);
                        if (id == 1) return Error(60007, "not allow to delete root department");
                        if (!Departments.ContainsKey(id)) return Error(60003, "department not found");
                        if (Departments.Any(d => d.Value.Parent == id)) return Error(60006, "department contains sub-department");
                        if (Users.Values.Any(u => u["department"].Any(x => (long)x == id))) return Error(60005, "department contains user");
                        Departments.Remove(id);
                        return Ok(null, "deleted");
                    }
                case "user/list_id":
                    {
                        if (FailListIdAfterFirstPage && !string.IsNullOrEmpty((string)body["cursor"])) return Error(-1, "system busy");
                        var rows = Users.Values.SelectMany(u => u["department"].Select(d => new JObject { ["userid"] = u["userid"], ["department"] = d })).ToList();
                        int start = string.IsNullOrEmpty((string)body["cursor"]) ? 0 : int.Parse((string)body["cursor"]);
                        int limit = Math.Min(ListIdPageLimit, (int)body["limit"]);
                        var page = rows.Skip(start).Take(limit).ToList();
                        string next = start + limit < rows.Count ? (start + limit).ToString() : "";
                        return Ok(new JObject { ["next_cursor"] = next, ["dept_user"] = new JArray(page) });
                    }
                case "user/simplelist":
                    return Ok(new JObject { ["userlist"] = new JArray(Users.Values.Select(u => new JObject { ["userid"] = u["userid"], ["name"] = u["name"], ["department"] = u["department"] })) });
                case "user/list":
                    {
                        long dept = long.Parse(q["department_id"]);
                        return Ok(new JObject { ["userlist"] = new JArray(Users.Values.Where(u => u["department"].Any(x => (long)x == dept)).Select(Visible)) });
                    }
                case "user/get":
                    return Users.TryGetValue(q["userid"], out var user) ? Ok(Visible(user)) : Error(60111, "userid not found");
                case "user/create":
                    {
                        string id = (string)body["userid"];
                        if (Users.ContainsKey(id)) return Error(60102, "userid existed");
                        var mobile = (string)body["mobile"];
                        var holder = mobile == null ? null : Users.Values.FirstOrDefault(u => (string)u["mobile"] == mobile);
                        if (holder != null) return Error(60104, "mobile existed:" + holder["userid"]);
                        if (mobile == null && body["email"] == null) return Error(60129, "missing mobile or email");
                        if (body["department"] is not JArray depts || depts.Count == 0 || depts.Any(d => !Departments.ContainsKey((long)d))) return Error(60123, "invalid department");
                        Users[id] = (JObject)body.DeepClone();
                        return Ok(null, "created");
                    }
                case "user/update":
                    {
                        string id = (string)body["userid"];
                        if (!Users.TryGetValue(id, out var u)) return Error(60111, "userid not found");
                        foreach (var p in body.Properties()) u[p.Name] = p.Value.DeepClone();
                        return Ok(null, "updated");
                    }
                case "user/batchdelete":
                    {
                        var ids = body["useridlist"].Select(x => (string)x).ToList();
                        if (ids.Count > 200) return Error(60140, "too many userids");
                        if (ids.Any(i => BadUserIds.Contains(i) || !Users.ContainsKey(i))) return Error(40003, "invalid userid");
                        foreach (var i in ids) Users.Remove(i);
                        return Ok(null, "deleted");
                    }
                default:
                    return Error(404, "unknown api " + api);
            }
        }

        private JObject Visible(JObject user)
        {
            var copy = (JObject)user.DeepClone();
            if (AppMode == Mode.App) foreach (var f in new[] { "mobile", "email", "gender", "biz_mail", "address", "avatar" }) copy.Remove(f);
            return copy;
        }
    }
}
