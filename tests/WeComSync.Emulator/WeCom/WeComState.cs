using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WeComSync.Emulator.WeCom;

/// <summary>
/// A WeCom API error: the errcode and errmsg the endpoint answers. Only codes of Core's table
/// (<see cref="WeComSync.WeCom.WeComErrorCodes"/>, linked into this project) may be answered: a code the clients do not
/// know about is a bug in the emulator or a missing row in the table, and fails loudly here.
/// </summary>
public sealed class WeComError : Exception
{
    public WeComError(int errcode, string errmsg) : base(errmsg)
    {
        if (!WeComSync.WeCom.WeComErrorCodes.IsKnown(errcode))
            throw new InvalidOperationException($"errcode {errcode} is not in WeComErrorCodes: add a row there (src/WeComSync.Core/WeCom/WeComErrorCodes.cs).");
        Errcode = errcode;
    }

    public int Errcode { get; }
}

/// <summary>
/// One WeCom corp in memory: departments, members, app secrets and access tokens. Every public member takes the
/// state's lock, so endpoints and control calls may run concurrently. Validation follows docs/ARCHITECTURE.md §11 and docs/ServiceFacts.md.
/// </summary>
public sealed partial class WeComState
{
    internal readonly object Gate = new();

    private readonly Dictionary<int, WeComDepartment> _departments = new();
    private readonly Dictionary<int, List<int>> _children = new();
    private readonly Dictionary<string, WeComUser> _users = new(StringComparer.OrdinalIgnoreCase);
    // Sorted lower-case userids: list_id pages walk it with a cursor.
    private readonly SortedSet<string> _userKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _mobiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _emails = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, HashSet<string>> _members = new();
    private readonly Dictionary<string, WeComSecret> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);
    private readonly List<string> _invitations = new();
    private int _nextDepartmentId = 2;
    private int _tokenGeneration;
    private int _invalidatedErrcode = 40014;

    private sealed record Token(string Secret, DateTime ExpiresUtc, int Generation);

    public WeComState() => Reset();

    /// <summary>
    /// Raised (under the state's lock) after every successful member or department change made through the API or a
    /// console edit, never by seeding: the callback sender (<see cref="Events.WeComCallbacks"/>) turns it into an event.
    /// </summary>
    internal Action<Events.WeComChange> Changed;

    private void Raise(string changeType, WeComUser oldUser = null, WeComUser newUser = null, WeComDepartment oldDept = null, WeComDepartment newDept = null) =>
        Changed?.Invoke(new Events.WeComChange(changeType, oldUser, newUser, oldDept, newDept, Events.ChangeOrigins.Current));

    /// <summary>The corp id gettoken accepts.</summary>
    public string CorpId { get; set; } = EmulatorDefaults.CorpId;

    /// <summary>Lifetime of new access tokens, seconds (gettoken's <c>expires_in</c>).</summary>
    public int TokenExpiresIn { get; set; } = 7200;

    /// <summary>Most members the corp may hold (45024 past it).</summary>
    public int SeatLimit { get; set; } = 1_000_000;

    /// <summary>
    /// Most members user/create may add per month: "每企业创建账号数不可超过账号上限数*3/月" (developer.work.weixin.qq.com/document/path/90454),
    /// null = three times <see cref="SeatLimit"/>. Past it user/create answers 45009 until the month-long block lifts
    /// ("按月拦截则屏蔽一个月(30天,非自然月)"): in the emulator, until <see cref="Reset"/>.
    /// </summary>
    public int? MonthlyCreateLimit { get; set; }

    /// <summary>Members user/create added since the last reset (the month's count).</summary>
    public int CreatedThisMonth { get { lock (Gate) return _createdThisMonth; } }
    private int _createdThisMonth;

    /// <summary>Most members one <c>user/list</c> answer may hold before 45029 (0 = no limit).</summary>
    public int ListLimit { get; set; }

    /// <summary>The corp's creator (cannot be deleted: 301005), or null.</summary>
    public string Creator { get; set; }

    /// <summary>Back to an empty corp: only the root department, the default secret, no tokens.</summary>
    public void Reset()
    {
        lock (Gate)
        {
            _departments.Clear(); _children.Clear(); _users.Clear(); _userKeys.Clear();
            _mobiles.Clear(); _emails.Clear(); _members.Clear(); _secrets.Clear(); _tokens.Clear(); _invitations.Clear();
            _departments[1] = new WeComDepartment { Id = 1, Name = EmulatorDefaults.RootDepartmentName, ParentId = 0, Order = 100000000, DepartmentLeader = new() };
            _children[1] = new List<int>();
            _members[1] = new HashSet<string>(StringComparer.Ordinal);
            _nextDepartmentId = 2;
            _secrets[EmulatorDefaults.CorpSecret] = new WeComSecret();
            CorpId = EmulatorDefaults.CorpId;
            TokenExpiresIn = 7200;
            SeatLimit = 1_000_000;
            MonthlyCreateLimit = null;
            _createdThisMonth = 0;
            ListLimit = 0;
            Creator = null;
            _tokenGeneration++;
        }
    }

    public int DepartmentCount { get { lock (Gate) return _departments.Count; } }

    /// <summary>Members user/create invited (to_invite true or absent), in order, since the last reset.</summary>
    public IReadOnlyList<string> Invitations { get { lock (Gate) return _invitations.ToList(); } }

    public int UserCount { get { lock (Gate) return _users.Count; } }

    // ---------------------------------------------------------------- secrets and tokens

    /// <summary>Sets (or with null removes) what a secret may do.</summary>
    public void SetSecret(string secret, WeComSecret mode)
    {
        lock (Gate)
        {
            if (mode == null) _secrets.Remove(secret);
            else _secrets[secret] = mode;
        }
    }

    public IReadOnlyDictionary<string, WeComSecret> Secrets { get { lock (Gate) return new Dictionary<string, WeComSecret>(_secrets); } }

    public string IssueToken(string corpId, string secret, out int expiresIn)
    {
        lock (Gate)
        {
            if (string.IsNullOrEmpty(corpId)) throw new WeComError(41002, "corpid missing");
            if (corpId != CorpId) throw new WeComError(40013, "invalid corpid");
            if (string.IsNullOrEmpty(secret)) throw new WeComError(41004, "corpsecret missing");
            if (!_secrets.ContainsKey(secret)) throw new WeComError(40001, "invalid credential, access_token is invalid or not latest");
            var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
            expiresIn = TokenExpiresIn;
            _tokens[token] = new Token(secret, DateTime.UtcNow.AddSeconds(TokenExpiresIn), _tokenGeneration);
            return token;
        }
    }

    /// <summary>Checks an access token and returns what its secret may do (40014 / 42001 / 40001 / 41001).</summary>
    public WeComSecret Authorize(string token)
    {
        lock (Gate)
        {
            if (string.IsNullOrEmpty(token)) throw new WeComError(41001, "access_token missing");
            if (!_tokens.TryGetValue(token, out var t)) throw new WeComError(40014, "invalid access_token");
            if (t.Generation != _tokenGeneration) throw new WeComError(_invalidatedErrcode, _invalidatedErrcode == 42001 ? "access_token expired" : "invalid access_token");
            if (DateTime.UtcNow >= t.ExpiresUtc) throw new WeComError(42001, "access_token expired");
            if (!_secrets.TryGetValue(t.Secret, out var mode)) throw new WeComError(40001, "invalid credential, access_token is invalid or not latest");
            return mode;
        }
    }

    /// <summary>Every access token issued since the last reset, valid or not (tests search their output for them).</summary>
    public IReadOnlyList<string> IssuedTokens { get { lock (Gate) return _tokens.Keys.ToList(); } }

    /// <summary>Invalidates every token issued so far; their next use answers <paramref name="errcode"/> (40014 or 42001).</summary>
    public void InvalidateTokens(int errcode = 40014)
    {
        lock (Gate)
        {
            _tokenGeneration++;
            _invalidatedErrcode = errcode;
        }
    }

    // ---------------------------------------------------------------- departments

    private static readonly char[] BadNameChars = { '\\', ':', '*', '?', '"', '<', '>', '|' };

    private static void CheckDepartmentName(string name, bool english = false)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64) throw new WeComError(60001, english ? "name_en length invalid" : "department name length invalid (1-64)");
        if (name.IndexOfAny(BadNameChars) >= 0) throw new WeComError(60009, "department name contains invalid characters");
    }

    /// <summary>"部门最多15层" (81002, /90313; go-workwx errcodes/mod.go, WxJava WxCpErrorMsgEnum): the root is level 1.</summary>
    public const int MaxDepth = 15;

    private int Depth(int id)
    {
        var depth = 0;
        while (id != 0 && _departments.TryGetValue(id, out var d)) { depth++; id = d.ParentId; }
        return depth;
    }

    private int SubtreeHeight(int id)
    {
        var max = 0;
        foreach (var c in _children[id]) max = Math.Max(max, SubtreeHeight(c));
        return max + 1;
    }

    private void CheckSiblingName(int parentId, string name, int selfId)
    {
        foreach (var c in _children[parentId])
        {
            if (c != selfId && string.Equals(_departments[c].Name, name, StringComparison.Ordinal))
                throw new WeComError(60008, "department name exists under the parent: " + name);
        }
    }

    public int CreateDepartment(string name, string nameEn, long? parentId, long? order, long? id)
    {
        lock (Gate)
        {
            CheckDepartmentName(name);
            if (nameEn != null) CheckDepartmentName(nameEn, english: true);
            if (parentId == null) throw new WeComError(60004, "parent department not found (parentid missing)");
            if (!_departments.ContainsKey((int)parentId)) throw new WeComError(60004, "parent department not found: " + parentId);
            if (order.HasValue && (order < 0 || order >= 4294967296L)) throw new WeComError(40058, "invalid order");
            if (Depth((int)parentId) + 1 > MaxDepth) throw new WeComError(81002, "department depth exceeds 15 levels");
            int newId;
            if (id.HasValue)
            {
                if (id <= 1 || id > int.MaxValue) throw new WeComError(60123, "invalid department id");
                if (_departments.ContainsKey((int)id)) throw new WeComError(60008, "department id exists: " + id);
                newId = (int)id;
            }
            else
            {
                while (_departments.ContainsKey(_nextDepartmentId)) _nextDepartmentId++;
                newId = _nextDepartmentId++;
            }
            CheckSiblingName((int)parentId, name, newId);
            AddDepartment(new WeComDepartment { Id = newId, Name = name, NameEn = nameEn, ParentId = (int)parentId, Order = order ?? 0, DepartmentLeader = new() });
            Raise("create_party", newDept: _departments[newId].Clone());
            return newId;
        }
    }

    private void AddDepartment(WeComDepartment d)
    {
        _departments[d.Id] = d;
        _children[d.Id] = new List<int>();
        _members[d.Id] = new HashSet<string>(StringComparer.Ordinal);
        if (d.ParentId != 0) _children[d.ParentId].Add(d.Id);
        if (d.Id >= _nextDepartmentId) _nextDepartmentId = d.Id + 1;
    }

    public void UpdateDepartment(long? id, JsonObject body)
    {
        lock (Gate)
        {
            if (id == null || !_departments.TryGetValue((int)id, out var d)) throw new WeComError(60003, "department not found: " + id);
            var before = d.Clone();
            var name = body.Str("name");
            var nameEn = body.Str("name_en");
            var parentId = body.Long("parentid");
            var order = body.Long("order");
            if (name != null) CheckDepartmentName(name);
            if (nameEn != null) CheckDepartmentName(nameEn, english: true);
            if (order.HasValue && (order < 0 || order >= 4294967296L)) throw new WeComError(40058, "invalid order");
            var newParent = d.ParentId;
            if (parentId.HasValue && parentId != d.ParentId)
            {
                if (d.Id == 1) throw new WeComError(60007, "the root department cannot be moved");
                if (!_departments.ContainsKey((int)parentId)) throw new WeComError(60004, "parent department not found: " + parentId);
                for (var p = (int)parentId; p != 0; p = _departments[p].ParentId)
                    if (p == d.Id) throw new WeComError(60010, "department cycle: the new parent is inside the department");
                if (Depth((int)parentId) + SubtreeHeight(d.Id) > MaxDepth) throw new WeComError(81002, "department depth exceeds 15 levels");
                newParent = (int)parentId;
            }
            if (newParent != 0) CheckSiblingName(newParent, name ?? d.Name, d.Id);
            if (newParent != d.ParentId)
            {
                _children[d.ParentId].Remove(d.Id);
                _children[newParent].Add(d.Id);
                d.ParentId = newParent;
            }
            if (name != null) d.Name = name;
            if (nameEn != null) d.NameEn = nameEn;
            if (order.HasValue) d.Order = order.Value;
            Raise("update_party", oldDept: before, newDept: d.Clone());
        }
    }

    public void DeleteDepartment(long? id)
    {
        lock (Gate)
        {
            if (id == 1) throw new WeComError(60007, "the root department cannot be deleted");
            if (id == null || !_departments.TryGetValue((int)id, out var d)) throw new WeComError(60003, "department not found: " + id);
            if (_members[d.Id].Count > 0) throw new WeComError(60005, "department has members");
            if (_children[d.Id].Count > 0) throw new WeComError(60006, "department has sub-departments");
            _children[d.ParentId].Remove(d.Id);
            _departments.Remove(d.Id);
            _children.Remove(d.Id);
            _members.Remove(d.Id);
            Raise("delete_party", oldDept: d.Clone());
        }
    }

    /// <summary>The department and every department below it, parents first (null id: the whole corp).</summary>
    public List<WeComDepartment> Subtree(long? id)
    {
        lock (Gate)
        {
            var start = (int)(id ?? 1);
            if (!_departments.ContainsKey(start)) throw new WeComError(60003, "department not found: " + id);
            var result = new List<WeComDepartment>();
            var queue = new Queue<int>();
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                var d = queue.Dequeue();
                result.Add(_departments[d].Clone());
                foreach (var c in _children[d]) queue.Enqueue(c);
            }
            return result;
        }
    }

    // ---------------------------------------------------------------- visible ranges

    /// <summary>
    /// The departments a secret's app may see: the subtrees of its visible range (null: all). "应用须拥有指定部门的查看权限"
    /// (user/simplelist, developer.work.weixin.qq.com/document/path/90200, /96259); outside the range WeCom answers 60011.
    /// </summary>
    public HashSet<int> VisibleDepartments(WeComSecret secret)
    {
        if (secret == null || secret.SeesWholeCorp) return null;
        lock (Gate)
        {
            var visible = new HashSet<int>();
            foreach (var top in secret.AllowParties ?? new List<int>())
            {
                if (!_departments.ContainsKey(top)) continue;
                var queue = new Queue<int>(new[] { top });
                while (queue.Count > 0)
                {
                    var d = queue.Dequeue();
                    if (!visible.Add(d)) continue;
                    foreach (var c in _children[d]) queue.Enqueue(c);
                }
            }
            return visible;
        }
    }

    /// <summary>60011 unless the secret's app may see the department.</summary>
    public void CheckVisible(WeComSecret secret, long? departmentId)
    {
        var visible = VisibleDepartments(secret);
        if (visible != null && departmentId.HasValue && !visible.Contains((int)departmentId.Value))
            throw new WeComError(60011, "no privilege to access/modify contact/party/agent: department " + departmentId + " is outside the app's visible range");
    }

    /// <summary>
    /// 60111 unless the secret's app may see the member (a visible department, or named in the range): WeCom answers a
    /// member outside the visible range as it answers one that does not exist ("UserID不存在 … d) 成员不在应用可见范围内",
    /// developer.work.weixin.qq.com/document/path/90313, as crawled into go-workwx errcodes/mod.go).
    /// </summary>
    public void CheckVisible(WeComSecret secret, WeComUser user)
    {
        var visible = VisibleDepartments(secret);
        if (visible == null) return;
        bool named = secret.AllowUsers?.Any(u => string.Equals(u, user.UserId, StringComparison.OrdinalIgnoreCase)) == true;
        if (!named && !(user.Department ?? new List<int>()).Any(visible.Contains))
            throw new WeComError(60111, "userid not found: " + user.UserId); // "UserID不存在 … d) 成员不在应用可见范围内" (/90313)
    }

    public WeComDepartment GetDepartment(long? id)
    {
        lock (Gate)
        {
            if (id == null || !_departments.TryGetValue((int)id, out var d)) throw new WeComError(60003, "department not found: " + id);
            return d.Clone();
        }
    }

    // ---------------------------------------------------------------- members

    private static readonly Regex UserIdPattern = new(@"^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$", RegexOptions.Compiled);
    private static readonly Regex MobilePattern = new(@"^(\+[0-9]{1,4}[ \-]?)?[0-9][0-9\-]{4,19}$", RegexOptions.Compiled);
    private static readonly Regex EmailPattern = new(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.Compiled);
    private static readonly Regex TelephonePattern = new(@"^[0-9+\-() ]{1,32}$", RegexOptions.Compiled);

    private static bool Empty(string s) => string.IsNullOrEmpty(s);

    public WeComUser GetUser(string userId)
    {
        lock (Gate)
        {
            if (Empty(userId) || !_users.TryGetValue(userId, out var u)) throw new WeComError(60111, "userid not found: " + userId);
            return u;
        }
    }

    /// <summary>Validates and adds one member (user/create).</summary>
    public void CreateUser(JsonObject b)
    {
        lock (Gate)
        {
            var userId = b.Str("userid");
            if (Empty(userId) || System.Text.Encoding.UTF8.GetByteCount(userId) > 64 || !UserIdPattern.IsMatch(userId))
                throw new WeComError(40003, "invalid userid: " + userId);
            if (_users.ContainsKey(userId)) throw new WeComError(60102, "userid existed: " + userId);
            var u = new WeComUser { UserId = userId, Status = 4, Enable = 1, Gender = "0" };
            var name = b.Str("name");
            if (Empty(name) || Characters(name) > 64) throw new WeComError(60112, "invalid name (1-64 characters)");
            u.Name = name;
            var departments = b.Longs("department");
            if (departments == null || departments.Count == 0) throw new WeComError(60127, "department missing");
            ApplyUserFields(u, b, departments, creating: true);
            if (_users.Count >= SeatLimit) throw new WeComError(45024, "account number exceeds the seat limit");
            if (_createdThisMonth >= (MonthlyCreateLimit ?? (long)SeatLimit * 3)) throw new WeComError(45009, "api freq out of limit");
            AddUser(u);
            _createdThisMonth++;
            Raise("create_user", newUser: Copy(u));
            // user/create invites the new member by default ("to_invite … 默认值为true", document/path/90195).
            if (b.Has("to_invite") ? b.Bool("to_invite") != false : true) _invitations.Add(u.UserId);
        }
    }

    /// <summary>A length as WeCom counts it: characters (code points, "长度为1~64个utf8字符"), an emoji once (docs/ServiceFacts.md).</summary>
    private static int Characters(string text) => text.EnumerateRunes().Count();

    /// <summary>Validates and applies an update (user/update): omitted fields stay.</summary>
    public void UpdateUser(JsonObject b)
    {
        lock (Gate)
        {
            var userId = b.Str("userid");
            if (Empty(userId) || !_users.TryGetValue(userId, out var existing)) throw new WeComError(60111, "userid not found: " + userId);
            var u = Copy(existing);
            var name = b.Str("name");
            if (name != null)
            {
                if (name.Length == 0 || Characters(name) > 64) throw new WeComError(60112, "invalid name (1-64 characters)");
                u.Name = name;
            }
            var departments = b.Longs("department");
            if (departments != null && departments.Count == 0) throw new WeComError(60127, "department missing");
            // A member who activated WeCom keeps their own mobile: the update ignores it silently.
            if (existing.Status == 1 && b.Has("mobile")) b = CopyWithout(b, "mobile");
            ApplyUserFields(u, b, departments, creating: false);
            var newUserId = b.Str("new_userid");
            RemoveUser(existing);
            try
            {
                if (!Empty(newUserId) && !string.Equals(newUserId, existing.UserId, StringComparison.Ordinal))
                {
                    if (!existing.GeneratedUserId) throw new WeComError(301036, "userid cannot be changed: only a generated userid may be renamed, once");
                    if (System.Text.Encoding.UTF8.GetByteCount(newUserId) > 64 || !UserIdPattern.IsMatch(newUserId)) throw new WeComError(40003, "invalid new_userid: " + newUserId);
                    if (_users.ContainsKey(newUserId)) throw new WeComError(60102, "userid existed: " + newUserId);
                    u.UserId = newUserId;
                    u.GeneratedUserId = false;
                }
            }
            catch
            {
                AddUser(existing);
                throw;
            }
            AddUser(u);
            Raise("update_user", oldUser: existing, newUser: Copy(u));
        }
    }

    private static JsonObject CopyWithout(JsonObject b, string name)
    {
        var copy = new JsonObject();
        foreach (var p in b) if (p.Key != name) copy[p.Key] = p.Value?.DeepClone();
        return copy;
    }

    private static WeComUser Copy(WeComUser u)
    {
        var c = u.ShallowCopy();
        c.Department = u.Department?.ToList();
        c.Order = u.Order?.ToList();
        c.IsLeaderInDept = u.IsLeaderInDept?.ToList();
        c.DirectLeader = u.DirectLeader?.ToList();
        return c;
    }

    /// <summary>Checks and applies every optional field; uniqueness is checked against other members.</summary>
    private void ApplyUserFields(WeComUser u, JsonObject b, List<long> departments, bool creating)
    {
        if (departments != null)
        {
            if (departments.Count > 100) throw new WeComError(60110, "too many departments (at most 100)");
            foreach (var d in departments)
                if (d > int.MaxValue || d < 1 || !_departments.ContainsKey((int)d)) throw new WeComError(60123, "invalid department: " + d);
            if (departments.Distinct().Count() != departments.Count) throw new WeComError(60123, "duplicate department in list");
            var oldCount = u.Department?.Count ?? 0;
            u.Department = departments.Select(d => (int)d).ToList();
            if (!b.Has("order") && u.Order?.Count != u.Department.Count) u.Order = u.Department.Select(_ => 0L).ToList();
            if (!b.Has("is_leader_in_dept") && u.IsLeaderInDept?.Count != u.Department.Count) u.IsLeaderInDept = u.Department.Select(_ => 0).ToList();
            if (!b.Has("main_department") && (u.MainDepartment == 0 || !u.Department.Contains(u.MainDepartment))) u.MainDepartment = u.Department[0];
            _ = oldCount;
        }
        var deptCount = u.Department?.Count ?? 0;
        var order = b.Longs("order");
        if (order != null)
        {
            if (order.Count != deptCount) throw new WeComError(40058, "order must have one entry per department");
            u.Order = order;
        }
        var leader = b.Longs("is_leader_in_dept");
        if (leader != null)
        {
            if (leader.Count != deptCount) throw new WeComError(60132, "is_leader_in_dept length differs from department length");
            u.IsLeaderInDept = leader.Select(l => (int)l).ToList();
        }
        var main = b.Long("main_department");
        if (main.HasValue)
        {
            if (u.Department == null || !u.Department.Contains((int)main)) throw new WeComError(60123, "main_department is not one of the member's departments");
            u.MainDepartment = (int)main;
        }
        var direct = b.Strings("direct_leader");
        if (direct != null)
        {
            if (direct.Count > 5) throw new WeComError(40058, "direct_leader has more than 5 entries");
            foreach (var l in direct)
                if (!_users.ContainsKey(l)) throw new WeComError(60111, "direct_leader userid not found: " + l);
            u.DirectLeader = direct;
        }
        if (b.Has("mobile"))
        {
            var mobile = b.Str("mobile") ?? "";
            if (mobile.Length > 0)
            {
                if (!MobilePattern.IsMatch(mobile)) throw new WeComError(60103, "invalid mobile: " + mobile);
                if (_mobiles.TryGetValue(mobile, out var holder) && !string.Equals(holder, u.UserId, StringComparison.OrdinalIgnoreCase))
                    throw new WeComError(60104, "mobile existed:" + _users[holder].UserId);
            }
            u.Mobile = mobile;
        }
        if (b.Has("email"))
        {
            var email = b.Str("email") ?? "";
            if (email.Length > 0)
            {
                if (email.Length > 64 || !EmailPattern.IsMatch(email)) throw new WeComError(60105, "invalid email: " + email);
                if (_emails.TryGetValue(email, out var holder) && !string.Equals(holder, u.UserId, StringComparison.OrdinalIgnoreCase))
                    throw new WeComError(60106, "email existed:" + _users[holder].UserId);
            }
            u.Email = email;
        }
        if (b.Has("biz_mail"))
        {
            var biz = b.Str("biz_mail") ?? "";
            if (biz.Length > 0 && (biz.Length > 64 || !EmailPattern.IsMatch(biz))) throw new WeComError(60105, "invalid biz_mail: " + biz);
            u.BizMail = biz;
        }
        if (creating && Empty(u.Mobile) && Empty(u.Email)) throw new WeComError(60129, "mobile and email can not be both empty");
        if (!creating && Empty(u.Mobile) && Empty(u.Email)) throw new WeComError(60129, "mobile and email can not be both empty");
        if (b.Has("position"))
        {
            var p = b.Str("position") ?? "";
            if (Characters(p) > 128) throw new WeComError(301012, "position too long (at most 128 characters)");
            u.Position = p;
        }
        if (b.Has("address"))
        {
            var a = b.Str("address") ?? "";
            if (a.Length > 128) throw new WeComError(40058, "address too long (at most 128 characters)");
            u.Address = a;
        }
        if (b.Has("telephone"))
        {
            var t = b.Str("telephone") ?? "";
            if (t.Length > 0 && !TelephonePattern.IsMatch(t)) throw new WeComError(301013, "invalid telephone: " + t);
            u.Telephone = t;
        }
        if (b.Has("alias"))
        {
            var a = b.Str("alias") ?? "";
            if (a.Length > 64) throw new WeComError(40058, "alias too long (at most 64 characters)");
            u.Alias = a;
        }
        if (b.Has("gender"))
        {
            // user/create and user/update define only "1表示男性，2表示女性" (/90195, /90197); "0" (未定义) is what reads
            // answer for a member without one (WxJava Gender.UNDEFINED), not a value to send: refused, never taken silently.
            var g = b.Str("gender");
            if (g != "1" && g != "2") throw new WeComError(40058, "invalid gender (1 or 2)");
            u.Gender = g;
        }
        if (b.Has("enable"))
        {
            var e = b.Long("enable");
            if (e != 0 && e != 1) throw new WeComError(40058, "invalid enable (0 or 1)");
            u.Enable = (int)e;
            if (e == 0 && u.Status != 5) u.Status = 2;
            else if (e == 1 && u.Status == 2) u.Status = 4;
        }
        if (b.Has("extattr")) u.Extattr = CheckedExtattr(b.Obj("extattr"));
        if (b.Has("external_position")) u.ExternalPosition = b.Str("external_position");
        if (b.Has("external_profile")) u.ExternalProfile = b.Obj("external_profile")?.DeepClone() as JsonObject;
        if (b.Has("avatar_mediaid")) u.Avatar = "https://emulator.invalid/avatar/" + b.Str("avatar_mediaid");
    }

    /// <summary>
    /// extattr as user/create and user/update take it (WeCom 成员扩展属性, developer.work.weixin.qq.com/document/path/100111):
    /// {"attrs":[{"type":0,"name":…,"text":{"value":…}} or {"type":1,"name":…,"web":{"url":…,"title":…}}]}; a text value
    /// of at most 64 characters, a web attribute with url and title both set (url http/https, title at most 12) or both
    /// empty (which clears it). Anything else is refused (40058). The list replaces the member's attributes: the documents
    /// do not say that an attribute left out is kept, so this takes the strictest reading (docs/ServiceFacts.md), and a
    /// client must send every attribute it means to keep.
    /// </summary>
    private static JsonObject CheckedExtattr(JsonObject extattr)
    {
        if (extattr == null) return null;
        if (extattr["attrs"] is not JsonArray attrs) throw new WeComError(40058, "invalid extattr: attrs must be an array");
        foreach (var node in attrs)
        {
            if (node is not JsonObject a || string.IsNullOrEmpty(a["name"]?.GetValue<string>())) throw new WeComError(40058, "invalid extattr: every attr needs a name");
            var type = a["type"]?.GetValue<int>() ?? -1;
            string name = a["name"].GetValue<string>();
            if (type == 0)
            {
                var value = a["text"]?["value"]?.GetValue<string>() ?? throw new WeComError(40058, $"invalid extattr attr '{name}': type 0 needs text.value");
                if (value.Length > 64) throw new WeComError(40058, $"invalid extattr attr '{name}': text.value longer than 64 characters");
            }
            else if (type == 1)
            {
                string url = a["web"]?["url"]?.GetValue<string>() ?? "", title = a["web"]?["title"]?.GetValue<string>() ?? "";
                bool cleared = url.Length == 0 && title.Length == 0;
                if (!cleared && (url.Length == 0 || title.Length == 0)) throw new WeComError(40058, $"invalid extattr attr '{name}': web.url and web.title are set together or cleared together");
                if (!cleared && !(url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                    throw new WeComError(40058, $"invalid extattr attr '{name}': web.url must start with http:// or https://");
                if (title.Length > 12) throw new WeComError(40058, $"invalid extattr attr '{name}': web.title longer than 12 characters");
            }
            else throw new WeComError(40058, $"invalid extattr attr '{name}': type must be 0 (text) or 1 (web)");
        }
        return extattr.DeepClone() as JsonObject;
    }

    private void AddUser(WeComUser u)
    {
        var key = u.UserId.ToLowerInvariant();
        _users[u.UserId] = u;
        _userKeys.Add(key);
        if (!Empty(u.Mobile)) _mobiles[u.Mobile] = u.UserId;
        if (!Empty(u.Email)) _emails[u.Email] = u.UserId;
        foreach (var d in u.Department ?? new List<int>()) _members[d].Add(key);
    }

    private void RemoveUser(WeComUser u)
    {
        var key = u.UserId.ToLowerInvariant();
        _users.Remove(u.UserId);
        _userKeys.Remove(key);
        if (!Empty(u.Mobile) && _mobiles.TryGetValue(u.Mobile, out var m) && string.Equals(m, u.UserId, StringComparison.OrdinalIgnoreCase)) _mobiles.Remove(u.Mobile);
        if (!Empty(u.Email) && _emails.TryGetValue(u.Email, out var e) && string.Equals(e, u.UserId, StringComparison.OrdinalIgnoreCase)) _emails.Remove(u.Email);
        foreach (var d in u.Department ?? new List<int>()) if (_members.TryGetValue(d, out var set)) set.Remove(key);
    }

    public void DeleteUser(string userId)
    {
        lock (Gate)
        {
            if (Empty(userId) || !_users.TryGetValue(userId, out var u)) throw new WeComError(60111, "userid not found: " + userId);
            if (Creator != null && string.Equals(Creator, u.UserId, StringComparison.OrdinalIgnoreCase)) throw new WeComError(301005, "the creator cannot be deleted");
            RemoveUser(u);
            Raise("delete_user", oldUser: u);
        }
    }

    /// <summary>user/batchdelete: at most 200 userids; one bad userid fails the whole call and deletes nothing.</summary>
    public void BatchDeleteUsers(List<string> userIds)
    {
        lock (Gate)
        {
            if (userIds == null || userIds.Count == 0) throw new WeComError(40058, "useridlist missing");
            if (userIds.Count > 200) throw new WeComError(40058, "useridlist has more than 200 userids");
            foreach (var id in userIds)
            {
                if (Empty(id) || !_users.TryGetValue(id, out var u)) throw new WeComError(60111, "userid not found: " + id);
                if (Creator != null && string.Equals(Creator, u.UserId, StringComparison.OrdinalIgnoreCase)) throw new WeComError(301005, "the creator cannot be deleted");
            }
            foreach (var id in userIds)
                if (_users.TryGetValue(id, out var u))
                {
                    RemoveUser(u);
                    Raise("delete_user", oldUser: u);
                }
        }
    }

    /// <summary>Members of a department (and with <paramref name="fetchChild"/> of its subtree), each once.</summary>
    public List<WeComUser> Members(long? departmentId, bool fetchChild)
    {
        lock (Gate)
        {
            if (departmentId == null || !_departments.ContainsKey((int)departmentId)) throw new WeComError(60003, "department not found: " + departmentId);
            var ids = fetchChild ? Subtree(departmentId).Select(d => d.Id) : new[] { (int)departmentId };
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var keys = new List<string>();
            foreach (var d in ids)
                foreach (var k in _members[d])
                    if (seen.Add(k)) keys.Add(k);
            keys.Sort(StringComparer.Ordinal);
            return keys.Select(k => _users[k]).ToList();
        }
    }

    /// <summary>
    /// One page of user/list_id: rows of (userid, department), one per membership, in userid order. The cursor
    /// names the page number and where the next page starts; an empty next cursor ends the listing.
    /// </summary>
    public (List<(string userid, int department)> rows, string nextCursor) ListIds(Cursor cursor, int limit)
    {
        lock (Gate)
        {
            var rows = new List<(string, int)>(Math.Min(limit, _users.Count * 2 + 1));
            IEnumerable<string> keys;
            if (cursor.After == null) keys = _userKeys;
            else if (_userKeys.Count == 0 || string.CompareOrdinal(cursor.After, _userKeys.Max) > 0) keys = Array.Empty<string>();
            else keys = _userKeys.GetViewBetween(cursor.After, _userKeys.Max);
            foreach (var key in keys)
            {
                var u = _users[key];
                var depts = u.Department ?? new List<int>();
                // The page starts at membership Index of the cursor's user (that user may have been deleted since).
                var start = key == cursor.After ? cursor.Index : 0;
                for (var i = start; i < depts.Count; i++)
                {
                    if (rows.Count == limit) return (rows, new Cursor(cursor.Page + 1, key, i).Encode());
                    rows.Add((u.UserId, depts[i]));
                }
                if (depts.Count == 0 && start == 0)
                {
                    if (rows.Count == limit) return (rows, new Cursor(cursor.Page + 1, key, 0).Encode());
                    rows.Add((u.UserId, 0));
                }
            }
            return (rows, "");
        }
    }

    /// <summary>A list_id cursor: the page it opens, and the user key and membership index the page starts at.</summary>
    public sealed record Cursor(int Page, string After, int Index)
    {
        public static readonly Cursor First = new(1, null, 0);

        public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Page}|{Index}|{After}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Cursor Decode(string s)
        {
            if (string.IsNullOrEmpty(s)) return First;
            try
            {
                var b64 = s.Replace('-', '+').Replace('_', '/');
                b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
                var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64)).Split('|', 3);
                if (parts.Length != 3 || !int.TryParse(parts[0], out var page) || !int.TryParse(parts[1], out var index) || page < 2 || index < 0 || parts[2].Length == 0)
                    throw new WeComError(50100, "invalid cursor");
                return new Cursor(page, parts[2], index);
            }
            catch (FormatException)
            {
                throw new WeComError(50100, "invalid cursor");
            }
        }
    }

    // ---------------------------------------------------------------- seed and dump

    /// <summary>Replaces the corp's departments and members (and optional settings) with the given ones.</summary>
    public void Load(IEnumerable<WeComDepartment> departments, IEnumerable<WeComUser> users, string corpId = null, string creator = null)
    {
        lock (Gate)
        {
            var root = _departments[1];
            _departments.Clear(); _children.Clear(); _users.Clear(); _userKeys.Clear();
            _mobiles.Clear(); _emails.Clear(); _members.Clear();
            _nextDepartmentId = 2;
            var list = (departments ?? Enumerable.Empty<WeComDepartment>()).ToList();
            var seededRoot = list.FirstOrDefault(d => d.Id == 1);
            AddDepartment(new WeComDepartment { Id = 1, Name = seededRoot?.Name ?? root.Name, NameEn = seededRoot?.NameEn, ParentId = 0, Order = seededRoot?.Order ?? root.Order, DepartmentLeader = seededRoot?.DepartmentLeader ?? new() });
            // Parents before children, whatever order the seed lists them in.
            var pending = list.Where(d => d.Id != 1).ToList();
            var ids = new HashSet<int>(pending.Select(d => d.Id));
            if (ids.Count != pending.Count) throw new ArgumentException("wecom.departments: duplicate id");
            while (pending.Count > 0)
            {
                var ready = pending.Where(d => _departments.ContainsKey(d.ParentId)).ToList();
                if (ready.Count == 0)
                    throw new ArgumentException($"wecom.departments: department {pending[0].Id} has a missing parent {pending[0].ParentId} (or a cycle)");
                foreach (var d in ready)
                {
                    if (d.Id <= 1) throw new ArgumentException($"wecom.departments: invalid id {d.Id}");
                    if (string.IsNullOrEmpty(d.Name)) throw new ArgumentException($"wecom.departments: department {d.Id} has no name");
                    d.DepartmentLeader ??= new();
                    AddDepartment(d);
                }
                var done = new HashSet<int>(ready.Select(d => d.Id));
                pending = pending.Where(d => !done.Contains(d.Id)).ToList();
            }
            foreach (var u in users ?? Enumerable.Empty<WeComUser>())
            {
                if (string.IsNullOrEmpty(u.UserId)) throw new ArgumentException("wecom.users: a member has no userid");
                if (_users.ContainsKey(u.UserId)) throw new ArgumentException($"wecom.users: duplicate userid {u.UserId}");
                u.Department ??= new List<int> { 1 };
                foreach (var d in u.Department)
                    if (!_departments.ContainsKey(d)) throw new ArgumentException($"wecom.users: {u.UserId} is in missing department {d}");
                if (u.Order == null || u.Order.Count != u.Department.Count) u.Order = u.Department.Select(_ => 0L).ToList();
                if (u.IsLeaderInDept == null || u.IsLeaderInDept.Count != u.Department.Count) u.IsLeaderInDept = u.Department.Select(_ => 0).ToList();
                if (u.MainDepartment == 0 && u.Department.Count > 0) u.MainDepartment = u.Department[0];
                u.Gender ??= "0";
                if (!string.IsNullOrEmpty(u.Mobile) && _mobiles.ContainsKey(u.Mobile)) throw new ArgumentException($"wecom.users: duplicate mobile of {u.UserId}");
                if (!string.IsNullOrEmpty(u.Email) && _emails.ContainsKey(u.Email)) throw new ArgumentException($"wecom.users: duplicate email of {u.UserId}");
                AddUser(u);
            }
            if (corpId != null) CorpId = corpId;
            Creator = creator;
        }
    }

    public (List<WeComDepartment> departments, List<WeComUser> users) Dump()
    {
        lock (Gate)
        {
            var departments = Subtree(1);
            var users = _userKeys.Select(k => _users[k]).ToList();
            return (departments, users);
        }
    }
}
