using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WeComSync.Emulator.Authing;

/// <summary>
/// An Authing API error: the envelope's statusCode, message and optional apiCode. Only status codes of Core's table
/// (<see cref="WeComSync.Authing.AuthingErrorCodes"/>, linked into this project) may be answered.
/// </summary>
public sealed class AuthingError : Exception
{
    public AuthingError(int statusCode, string message, int? apiCode = null) : base(message)
    {
        if (!WeComSync.Authing.AuthingErrorCodes.IsKnown(statusCode))
            throw new InvalidOperationException($"statusCode {statusCode} is not in AuthingErrorCodes: add a row there (src/WeComSync.Core/Authing/AuthingErrorCodes.cs).");
        StatusCode = statusCode;
        ApiCode = apiCode;
    }

    public int StatusCode { get; }
    public int? ApiCode { get; }

    public static AuthingError BadRequest(string message) => new(WeComSync.Authing.AuthingErrorCodes.BadRequest, message);
    public static AuthingError UserNotFound(string id) => new(WeComSync.Authing.AuthingErrorCodes.NotFound, "user not found: " + id, 2004);
    public static AuthingError Conflict(string message) => new(WeComSync.Authing.AuthingErrorCodes.Conflict, message);
}

/// <summary>
/// One Authing user pool in memory: users, organizations with their department trees, memberships and custom
/// field definitions. Every public member takes the state's lock. Validation follows docs/ARCHITECTURE.md §11 and docs/ServiceFacts.md; where the
/// documentation is silent the emulator chooses (noted on the member): batch writes are all-or-nothing,
/// delete-users-batch ignores unknown ids, and sibling department names must differ.
/// </summary>
public sealed class AuthingState
{
    internal readonly object Gate = new();

    private readonly List<AuthingUser> _users = new();
    private readonly Dictionary<string, AuthingUser> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuthingUser> _byUsername = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AuthingUser> _byEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AuthingUser> _byPhone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuthingUser> _byExternalId = new(StringComparer.Ordinal);
    private readonly List<AuthingOrganization> _organizations = new();
    private readonly Dictionary<string, AuthingDepartment> _departments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _members = new(StringComparer.Ordinal);
    private readonly List<AuthingCustomField> _customFields = new();
    private static long _idCounter;

    public AuthingState() => Reset();

    /// <summary>
    /// Raised (under the state's lock) after every successful user or department change made through the management API
    /// or a console edit, never by seeding: the webhook sender (<see cref="Events.AuthingWebhooks"/>) turns it into deliveries.
    /// </summary>
    internal Action<Events.AuthingChange> Changed;

    private void Raise(string eventName, AuthingUser user = null, JsonObject updates = null, AuthingDepartment department = null) =>
        Changed?.Invoke(new Events.AuthingChange(eventName, user?.Copy(), updates, department?.Copy(), Events.ChangeOrigins.Current));

    public string UserPoolId { get; set; } = EmulatorDefaults.UserPoolId;

    /// <summary>Access key id → secret accepted by both auth schemes.</summary>
    public Dictionary<string, string> AccessKeys { get; } = new(StringComparer.Ordinal);

    public void Reset()
    {
        lock (Gate)
        {
            ApplyUpdateDefaults = false;
            UpdateUserBatchLimit = 50;
            _usersVersion++;
            _users.Clear(); _byId.Clear(); _byUsername.Clear(); _byEmail.Clear(); _byPhone.Clear(); _byExternalId.Clear();
            _organizations.Clear(); _departments.Clear(); _children.Clear(); _members.Clear(); _customFields.Clear();
            UserPoolId = EmulatorDefaults.UserPoolId;
            AccessKeys.Clear();
            AccessKeys[EmulatorDefaults.AccessKeyId] = EmulatorDefaults.AccessKeySecret;
            AddOrganization(EmulatorDefaults.OrganizationCode, EmulatorDefaults.RootDepartmentName, null);
        }
    }

    public int UserCount { get { lock (Gate) return _users.Count; } }

    internal static string NewId() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x8") + Interlocked.Increment(ref _idCounter).ToString("x16");

    internal static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    private AuthingOrganization AddOrganization(string code, string name, string rootId, string createdAt = null, string description = null)
    {
        var created = createdAt ?? Now();
        var root = new AuthingDepartment { OrganizationCode = code, DepartmentId = rootId ?? NewId(), Name = name, ParentDepartmentId = "", CreatedAt = created, UpdatedAt = created, LeaderUserIds = new() };
        var org = new AuthingOrganization { OrganizationCode = code, OrganizationName = name, DepartmentId = root.DepartmentId, CreatedAt = created, Description = description };
        _organizations.Add(org);
        AddDepartment(root);
        return org;
    }

    private void AddDepartment(AuthingDepartment d)
    {
        _departments[d.DepartmentId] = d;
        _children[d.DepartmentId] = new List<string>();
        _members[d.DepartmentId] = new List<string>();
        if (!string.IsNullOrEmpty(d.ParentDepartmentId)) _children[d.ParentDepartmentId].Add(d.DepartmentId);
    }

    // ------------------------------------------------------------------ custom fields

    public List<AuthingCustomField> SetCustomFields(JsonArray list)
    {
        lock (Gate)
        {
            if (list == null || list.Count == 0) throw AuthingError.BadRequest("list is required");
            var result = new List<AuthingCustomField>();
            var parsed = new List<AuthingCustomField>();
            foreach (var n in list)
            {
                if (n is not JsonObject o) throw AuthingError.BadRequest("list items must be objects");
                var f = new AuthingCustomField
                {
                    TargetType = o.Str("targetType"),
                    Key = o.Str("key"),
                    DataType = o.Str("dataType") ?? "STRING",
                    Label = o.Str("label"),
                    Description = o.Str("description"),
                    IsUnique = o.Bool("isUnique") ?? false,
                };
                if (f.TargetType is not ("USER" or "DEPARTMENT" or "ROLE" or "GROUP")) throw AuthingError.BadRequest("targetType must be USER, DEPARTMENT, ROLE or GROUP");
                if (string.IsNullOrEmpty(f.Key) || !Regex.IsMatch(f.Key, "^[A-Za-z_][A-Za-z0-9_]{0,63}$")) throw AuthingError.BadRequest("invalid key: " + f.Key);
                if (f.DataType is not ("STRING" or "NUMBER" or "DATETIME" or "BOOLEAN" or "ENUM")) throw AuthingError.BadRequest("invalid dataType: " + f.DataType);
                parsed.Add(f);
            }
            foreach (var f in parsed)
            {
                var existing = _customFields.FirstOrDefault(c => c.TargetType == f.TargetType && c.Key == f.Key);
                if (existing != null)
                {
                    existing.Label = f.Label ?? existing.Label;
                    existing.Description = f.Description ?? existing.Description;
                    existing.DataType = f.DataType;
                    result.Add(existing);
                }
                else
                {
                    f.Label ??= f.Key;
                    f.CreatedAt = Now();
                    _customFields.Add(f);
                    result.Add(f);
                }
            }
            return result;
        }
    }

    public List<AuthingCustomField> ListCustomFields(string targetType)
    {
        lock (Gate) return _customFields.Where(f => string.IsNullOrEmpty(targetType) || f.TargetType == targetType).ToList();
    }

    private AuthingCustomField CustomField(string targetType, string key) =>
        _customFields.FirstOrDefault(f => f.TargetType == targetType && f.Key == key);

    /// <summary>Merges customData into <paramref name="target"/>; every key must be defined for the target type.</summary>
    private JsonObject MergeCustomData(JsonObject target, JsonObject data, string targetType)
    {
        if (data == null) return target;
        var result = target?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var (key, value) in data)
        {
            var field = CustomField(targetType, key) ?? throw AuthingError.BadRequest($"custom field '{key}' is not defined for {targetType}: define it with set-custom-fields first");
            if (value == null) { result.Remove(key); continue; }
            if (value is not JsonValue v) throw AuthingError.BadRequest($"custom field '{key}' must be a scalar");
            JsonNode stored = field.DataType switch
            {
                "NUMBER" => v.TryGetValue<double>(out var d) ? JsonValue.Create(d) : double.TryParse(v.ToString(), out d) ? JsonValue.Create(d) : throw AuthingError.BadRequest($"custom field '{key}' must be a number"),
                "BOOLEAN" => v.TryGetValue<bool>(out var b) ? JsonValue.Create(b) : throw AuthingError.BadRequest($"custom field '{key}' must be a boolean"),
                _ => JsonValue.Create(v.TryGetValue<string>(out var s) ? s : v.ToJsonString()),
            };
            result[key] = stored;
        }
        return result;
    }

    // ------------------------------------------------------------------ users

    private static readonly Regex EmailPattern = new(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.Compiled);
    private static readonly Regex PhonePattern = new(@"^[0-9]{5,20}$", RegexOptions.Compiled);
    private static readonly string[] ProfileStrings =
    {
        "birthdate", "country", "province", "city", "streetAddress", "postalCode", "givenName", "familyName", "middleName",
        "profile", "preferredUsername", "website", "zoneinfo", "locale", "formatted", "region", "identityNumber", "browser", "device",
    };
    private static readonly HashSet<string> Statuses = new() { "Activated", "Suspended", "Deactivated", "Resigned", "Archived" };

    public AuthingUser FindUser(string id, string idType)
    {
        if (string.IsNullOrEmpty(id)) return null;
        AuthingUser u;
        switch (idType ?? "user_id")
        {
            case "user_id": _byId.TryGetValue(id, out u); return u;
            case "external_id": _byExternalId.TryGetValue(id, out u); return u;
            case "phone": _byPhone.TryGetValue(id, out u); return u;
            case "email": _byEmail.TryGetValue(id, out u); return u;
            case "username": _byUsername.TryGetValue(id, out u); return u;
            default: throw AuthingError.BadRequest("unsupported userIdType: " + idType);
        }
    }

    public AuthingUser GetUser(string id, string idType)
    {
        lock (Gate) return FindUser(id, idType)?.Copy() ?? throw AuthingError.UserNotFound(id);
    }

    public List<AuthingUser> GetUsers(IEnumerable<string> ids, string idType)
    {
        lock (Gate) return ids.Select(i => FindUser(i, idType)).Where(u => u != null).Select(u => u.Copy()).ToList();
    }

    /// <summary>Applies the body's profile fields to <paramref name="u"/>, validating formats.</summary>
    private void ApplyProfile(AuthingUser u, JsonObject b)
    {
        string S(string name) => b.Str(name);
        if (b.Has("username")) u.Username = NullIfEmpty(S("username"));
        if (b.Has("name")) u.Name = S("name");
        if (b.Has("nickname")) u.Nickname = S("nickname");
        if (b.Has("email"))
        {
            var email = NullIfEmpty(S("email"));
            if (email != null && !EmailPattern.IsMatch(email)) throw AuthingError.BadRequest("invalid email: " + email);
            u.Email = email;
        }
        if (b.Has("phone"))
        {
            var phone = NullIfEmpty(S("phone"));
            if (phone != null && !PhonePattern.IsMatch(phone)) throw AuthingError.BadRequest("invalid phone (digits only, without country code): " + phone);
            u.Phone = phone;
        }
        if (b.Has("phoneCountryCode"))
        {
            var cc = NullIfEmpty(S("phoneCountryCode"));
            if (cc != null && !Regex.IsMatch(cc, @"^\+[0-9]{1,4}$")) throw AuthingError.BadRequest("invalid phoneCountryCode (e.g. +86): " + cc);
            u.PhoneCountryCode = cc;
        }
        if (b.Has("gender"))
        {
            var g = S("gender") ?? "U";
            if (g is not ("M" or "F" or "U")) throw AuthingError.BadRequest("gender must be M, F or U");
            u.Gender = g;
        }
        if (b.Has("status"))
        {
            var s = S("status");
            if (s == null || !Statuses.Contains(s)) throw AuthingError.BadRequest("invalid status: " + s);
            u.Status = s;
        }
        if (b.Has("externalId")) u.ExternalId = NullIfEmpty(S("externalId"));
        if (b.Has("address")) u.Address = S("address");
        if (b.Has("company")) u.Company = S("company");
        if (b.Has("photo")) u.Photo = S("photo");
        if (b.Has("emailVerified")) u.EmailVerified = b.Bool("emailVerified") ?? false;
        if (b.Has("phoneVerified")) u.PhoneVerified = b.Bool("phoneVerified") ?? false;
        foreach (var p in ProfileStrings)
        {
            if (!b.Has(p)) continue;
            u.Profile ??= new Dictionary<string, object>();
            u.Profile[p] = JsonSerializer.SerializeToElement(S(p));
        }
        if (b.Has("customData")) u.CustomData = MergeCustomData(u.CustomData, b.Obj("customData"), "USER");
    }

    private static string NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>409 when another user (not <paramref name="self"/>, not one of <paramref name="batch"/>'s others) holds a unique value.</summary>
    private void CheckUnique(AuthingUser u, AuthingUser self, List<AuthingUser> batch)
    {
        void Check(Dictionary<string, AuthingUser> index, string value, string label, Func<AuthingUser, string> get, StringComparison cmp)
        {
            if (value == null) return;
            if (index.TryGetValue(value, out var holder) && holder != self) throw AuthingError.Conflict($"{label} already exists: {value}");
            if (batch != null && batch.Any(o => o != u && string.Equals(get(o), value, cmp))) throw AuthingError.Conflict($"{label} is duplicated in the request: {value}");
        }
        Check(_byUsername, u.Username, "username", x => x.Username, StringComparison.OrdinalIgnoreCase);
        Check(_byEmail, u.Email, "email", x => x.Email, StringComparison.OrdinalIgnoreCase);
        Check(_byPhone, u.Phone, "phone", x => x.Phone, StringComparison.Ordinal);
        Check(_byExternalId, u.ExternalId, "externalId", x => x.ExternalId, StringComparison.Ordinal);
    }

    private void Index(AuthingUser u)
    {
        _byId[u.UserId] = u;
        if (u.Username != null) _byUsername[u.Username] = u;
        if (u.Email != null) _byEmail[u.Email] = u;
        if (u.Phone != null) _byPhone[u.Phone] = u;
        if (u.ExternalId != null) _byExternalId[u.ExternalId] = u;
    }

    private void Unindex(AuthingUser u)
    {
        _byId.Remove(u.UserId);
        if (u.Username != null) _byUsername.Remove(u.Username);
        if (u.Email != null) _byEmail.Remove(u.Email);
        if (u.Phone != null) _byPhone.Remove(u.Phone);
        if (u.ExternalId != null) _byExternalId.Remove(u.ExternalId);
    }

    /// <summary>create-user / create-users-batch: validates every user first, then creates all or none.</summary>
    public List<AuthingUser> CreateUsers(IList<JsonObject> list, JsonObject options)
    {
        lock (Gate)
        {
            var idType = options.Str("departmentIdType");
            var created = new List<AuthingUser>();
            var now = Now();
            foreach (var b in list)
            {
                var u = new AuthingUser { UserId = NewId(), CreatedAt = now, UpdatedAt = now, DepartmentIds = new List<string>() };
                ApplyProfile(u, b);
                if (u.Email == null && u.Phone == null && u.Username == null)
                    throw AuthingError.BadRequest("at least one of email, phone and username is required");
                var depts = b.Strings("departmentIds");
                if (depts != null) u.DepartmentIds = depts.Select(d => ResolveDepartment(null, d, idType).DepartmentId).Distinct().ToList();
                created.Add(u);
            }
            foreach (var u in created) CheckUnique(u, null, created);
            foreach (var u in created)
            {
                _users.Add(u);
                _usersVersion++;
                Index(u);
                foreach (var d in u.DepartmentIds) _members[d].Add(u.UserId);
            }
            foreach (var u in created) Raise("user:created", u);
            return created.Select(u => u.Copy()).ToList();
        }
    }

    /// <summary>update-user / update-user-batch: all or none; omitted fields stay.</summary>
    /// <summary>
    /// update-user and update-user-batch apply the documented defaults to fields the body leaves out (status Activated,
    /// gender U), as the documentation allows; off by default (the fields stay as they are).
    /// </summary>
    public bool ApplyUpdateDefaults { get; set; }

    /// <summary>
    /// Users per update-user-batch call before the answer is 413 (PayloadTooLargeError). docs-v3 documents no size
    /// for this call (its list has no 数组长度限制, unlike create-users-batch's 50); 50 as the other batch calls, lower
    /// with <c>POST /_emulator/authing/settings {"updateUserBatchLimit": n}</c>.
    /// </summary>
    public int UpdateUserBatchLimit { get; set; } = 50;

    public List<AuthingUser> UpdateUsers(IList<JsonObject> list)
    {
        lock (Gate)
        {
            var pending = new List<(AuthingUser original, AuthingUser updated)>();
            var updates = new List<JsonObject>();
            foreach (var b in list)
            {
                var idType = b.Obj("options").Str("userIdType");
                var id = b.Str("userId");
                if (string.IsNullOrEmpty(id)) throw AuthingError.BadRequest("userId is required");
                var original = FindUser(id, idType) ?? throw AuthingError.UserNotFound(id);
                if (pending.Any(p => p.original == original)) throw AuthingError.BadRequest("the same user appears twice: " + id);
                var updated = original.Copy();
                var fields = new JsonObject();
                foreach (var (k, v) in b) if (k is not ("userId" or "options")) fields[k] = v?.DeepClone();
                if (ApplyUpdateDefaults)
                {
                    // The documented defaults of update-user's optional fields (Authing docs, 修改用户资料: status
                    // "Activated", gender "U"): what a service that applies them does with a field left out.
                    if (!fields.ContainsKey("status")) fields["status"] = "Activated";
                    if (!fields.ContainsKey("gender")) fields["gender"] = "U";
                }
                ApplyProfile(updated, fields);
                updates.Add(fields.DeepClone().AsObject());
                if (updated.Email == null && updated.Phone == null && updated.Username == null)
                    throw AuthingError.BadRequest("at least one of email, phone and username must remain");
                updated.UpdatedAt = Now();
                pending.Add((original, updated));
            }
            var batch = pending.Select(p => p.updated).ToList();
            foreach (var (original, updated) in pending) CheckUnique(updated, original, batch);
            var result = new List<AuthingUser>();
            foreach (var (original, updated) in pending)
            {
                Unindex(original);
                var i = _users.IndexOf(original);
                _users[i] = updated;
                Index(updated);
                result.Add(updated.Copy());
            }
            for (var i = 0; i < pending.Count; i++) Raise("user:updated", pending[i].updated, updates[i]);
            return result;
        }
    }

    /// <summary>delete-users-batch: ids that name no user are ignored (the call is idempotent).</summary>
    public int DeleteUsers(List<string> ids, string idType)
    {
        lock (Gate)
        {
            var doomed = new HashSet<AuthingUser>();
            foreach (var id in ids)
            {
                var u = FindUser(id, idType);
                if (u != null) doomed.Add(u);
            }
            if (doomed.Count == 0) return 0;
            foreach (var u in doomed)
            {
                Unindex(u);
                foreach (var d in u.DepartmentIds ?? new()) _members[d].Remove(u.UserId);
                foreach (var d in _departments.Values) d.LeaderUserIds?.Remove(u.UserId);
            }
            _users.RemoveAll(doomed.Contains);
            _usersVersion++;
            foreach (var u in doomed) Raise("user:deleted", u);
            return doomed.Count;
        }
    }

    public void SetUserDepartments(string userId, string idType, JsonArray departments, string departmentIdType)
    {
        lock (Gate)
        {
            var u = FindUser(userId, idType) ?? throw AuthingError.UserNotFound(userId);
            if (departments == null) throw AuthingError.BadRequest("departments is required");
            if (departments.Count > 50) throw AuthingError.BadRequest("at most 50 departments");
            var ids = new List<string>();
            string main = null;
            foreach (var n in departments)
            {
                if (n is not JsonObject o) throw AuthingError.BadRequest("departments items must be objects");
                var d = ResolveDepartment(null, o.Str("departmentId"), departmentIdType);
                if (!ids.Contains(d.DepartmentId)) ids.Add(d.DepartmentId);
                if (o.Bool("isMainDepartment") == true) main = d.DepartmentId;
                var leader = o.Bool("isLeader") == true;
                d.LeaderUserIds ??= new();
                if (leader && !d.LeaderUserIds.Contains(u.UserId)) d.LeaderUserIds.Add(u.UserId);
                if (!leader) d.LeaderUserIds.Remove(u.UserId);
            }
            SetMembership(u, ids);
            u.MainDepartmentId = main ?? ids.FirstOrDefault();
            u.UpdatedAt = Now();
            Raise("user:updated", u, DepartmentUpdates(u));
        }
    }

    private void SetMembership(AuthingUser u, List<string> ids)
    {
        foreach (var d in u.DepartmentIds ?? new()) if (!ids.Contains(d)) _members[d].Remove(u.UserId);
        foreach (var d in ids) if (u.DepartmentIds == null || !u.DepartmentIds.Contains(d)) _members[d].Add(u.UserId);
        u.DepartmentIds = ids;
        if (u.MainDepartmentId != null && !ids.Contains(u.MainDepartmentId)) u.MainDepartmentId = ids.FirstOrDefault();
    }

    /// <summary>
    /// list-users: filters, then one page (1-based, limit ≤ 50). The order is the request's <c>options.sort</c>
    /// (fields and orders of authing-node-sdk src/models/SortingDto.ts; an unknown one is 400), else creation order.
    /// With <paramref name="reorder"/> (the <c>reorder</c> fault) whatever the sort leaves open ("ties"), or everything
    /// ("all": the sort is ignored), is shuffled anew on every call, as a service without a stable default order answers.
    /// </summary>
    public (int total, List<AuthingUser> page) ListUsers(JsonObject body, int page, int limit, string reorder = null)
    {
        var sort = ParseSort(body.Obj("options")?.Arr("sort"));
        if (reorder == "all") sort.Clear(); // a service that ignores the requested sort
        lock (Gate)
        {
            var filters = new List<Func<AuthingUser, bool>>();
            var keywords = body.Str("keywords");
            if (!string.IsNullOrEmpty(keywords))
                filters.Add(u => new[] { u.Name, u.Username, u.Email, u.Phone, u.Nickname, u.ExternalId, u.UserId }
                    .Any(v => v != null && v.Contains(keywords, StringComparison.OrdinalIgnoreCase)));
            var advanced = body.Arr("advancedFilter");
            if (advanced != null)
                foreach (var n in advanced)
                {
                    if (n is not JsonObject f) throw AuthingError.BadRequest("advancedFilter items must be objects");
                    filters.Add(BuildFilter(f));
                }
            if (filters.Count == 0 && sort.Count == 0 && reorder == null)
            {
                var start = Math.Min((long)(page - 1) * limit, _users.Count);
                return (_users.Count, _users.Skip((int)start).Take(limit).Select(u => u.Copy()).ToList());
            }
            // A sort on fields that never change (createdAt, id) of the whole pool is kept until a user is added or removed:
            // a paged read of 100 000 users then sorts once, not once per page.
            var spec = string.Join(",", sort.Select(k => k.field + (k.desc ? " desc" : "")));
            bool cacheable = filters.Count == 0 && reorder == null && sort.Count > 0 && sort.All(k => k.field is "createdAt" or "id");
            // The cache keeps the order (ids): updates replace user objects, so they are looked up now.
            if (cacheable && _sorted.spec == spec && _sorted.version == _usersVersion)
                return (_sorted.ids.Count, _sorted.ids.Skip((page - 1) * limit).Take(limit).Select(id => _byId[id].Copy()).ToList());
            IEnumerable<AuthingUser> q = _users;
            if (filters.Count > 0) q = q.Where(u => filters.All(f => f(u)));
            var all = q.ToList();
            if (reorder != null)
            {
                var random = new Random(++_reorderCalls);
                for (var i = all.Count - 1; i > 0; i--) { var j = random.Next(i + 1); (all[i], all[j]) = (all[j], all[i]); }
            }
            if (sort.Count > 0)
            {
                IOrderedEnumerable<AuthingUser> ordered = null;
                foreach (var (_, key, desc) in sort)
                {
                    // Ordinal string order; ISO timestamps and ids sort correctly as text. OrderBy is stable: ties keep the order above.
                    ordered = ordered == null
                        ? (desc ? all.OrderByDescending(key, StringComparer.Ordinal) : all.OrderBy(key, StringComparer.Ordinal))
                        : (desc ? ordered.ThenByDescending(key, StringComparer.Ordinal) : ordered.ThenBy(key, StringComparer.Ordinal));
                }
                all = ordered.ToList();
                if (cacheable) _sorted = (spec, _usersVersion, all.Select(u => u.UserId).ToList());
            }
            return (all.Count, all.Skip((page - 1) * limit).Take(limit).Select(u => u.Copy()).ToList());
        }
    }

    private int _reorderCalls;
    private int _usersVersion;
    private (string spec, int version, List<string> ids) _sorted;

    // authing-node-sdk src/models/SortingDto.ts: the sortable fields; those the emulator does not keep sort as empty.
    private static readonly HashSet<string> SortFields = new(StringComparer.Ordinal)
    {
        "id", "createdAt", "updatedAt", "email", "username", "externalId", "phone", "status", "statusChangedAt", "passwordLastSetAt",
        "loginsCount", "gender", "lastLogin", "userSourceType", "lastMfaTime", "passwordSecurityLevel", "phoneCountryCode", "lastIp",
    };

    private static List<(string field, Func<AuthingUser, string> key, bool desc)> ParseSort(JsonArray sort)
    {
        var result = new List<(string, Func<AuthingUser, string>, bool)>();
        foreach (var n in sort ?? new JsonArray())
        {
            if (n is not JsonObject item) throw AuthingError.BadRequest("options.sort items must be objects {field, order}");
            var field = item.Str("field");
            var order = item.Str("order");
            if (field == null || !SortFields.Contains(field)) throw AuthingError.BadRequest("options.sort.field is not sortable: " + field);
            if (order is not ("asc" or "desc")) throw AuthingError.BadRequest("options.sort.order must be asc or desc");
            var key = BaseFields.TryGetValue(field, out var get) ? get : (_ => "");
            result.Add((field, u => key(u) ?? "", order == "desc"));
        }
        return result;
    }

    private static readonly Dictionary<string, Func<AuthingUser, string>> BaseFields = new(StringComparer.Ordinal)
    {
        ["userId"] = u => u.UserId, ["id"] = u => u.UserId, ["username"] = u => u.Username, ["name"] = u => u.Name,
        ["nickname"] = u => u.Nickname, ["email"] = u => u.Email, ["phone"] = u => u.Phone, ["externalId"] = u => u.ExternalId,
        ["status"] = u => u.Status, ["gender"] = u => u.Gender, ["company"] = u => u.Company, ["address"] = u => u.Address,
        ["createdAt"] = u => u.CreatedAt, ["updatedAt"] = u => u.UpdatedAt,
    };

    private Func<AuthingUser, bool> BuildFilter(JsonObject f)
    {
        var field = f.Str("field");
        var op = f.Str("operator");
        if (string.IsNullOrEmpty(field)) throw AuthingError.BadRequest("advancedFilter.field is required");
        Func<AuthingUser, string> get;
        if (BaseFields.TryGetValue(field, out var g)) get = g;
        else if (field == "department" || field == "departmentId")
        {
            var depts = f["value"] is JsonArray a ? a.Select(x => x?.ToString()).ToHashSet() : new HashSet<string> { f.Str("value") };
            return op switch
            {
                "IN" or "EQUAL" or "CONTAINS" => u => u.DepartmentIds?.Any(depts.Contains) == true,
                "NOT_EQUAL" or "NOT_CONTAINS" => u => u.DepartmentIds?.Any(depts.Contains) != true,
                _ => throw AuthingError.BadRequest("unsupported operator for department: " + op),
            };
        }
        else
        {
            if (CustomField("USER", field) == null) throw AuthingError.BadRequest($"unknown filter field '{field}' (custom keys must be defined with set-custom-fields)");
            get = u => u.CustomData != null && u.CustomData.TryGetPropertyValue(field, out var v) && v != null ? (v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;
        }
        var value = f["value"];
        string One() => value is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : value?.ToJsonString();
        List<string> Many() => value is JsonArray arr ? arr.Select(x => x is JsonValue xv && xv.TryGetValue<string>(out var s) ? s : x?.ToJsonString()).ToList() : throw AuthingError.BadRequest($"operator {op} needs an array value");
        int Cmp(string a, string b) => double.TryParse(a, out var x) && double.TryParse(b, out var y) ? x.CompareTo(y) : string.CompareOrdinal(a, b);
        switch (op)
        {
            case "EQUAL": { var v = One(); return u => string.Equals(get(u), v, StringComparison.Ordinal); }
            case "NOT_EQUAL": { var v = One(); return u => !string.Equals(get(u), v, StringComparison.Ordinal); }
            case "CONTAINS": { var v = One() ?? ""; return u => get(u)?.Contains(v, StringComparison.OrdinalIgnoreCase) == true; }
            case "NOT_CONTAINS": { var v = One() ?? ""; return u => get(u)?.Contains(v, StringComparison.OrdinalIgnoreCase) != true; }
            case "IS_NULL": return u => string.IsNullOrEmpty(get(u));
            case "NOT_NULL": return u => !string.IsNullOrEmpty(get(u));
            case "IN": { var set = Many().ToHashSet(StringComparer.Ordinal); return u => get(u) != null && set.Contains(get(u)); }
            case "GREATER": { var v = One(); return u => get(u) != null && Cmp(get(u), v) > 0; }
            case "LESSER": { var v = One(); return u => get(u) != null && Cmp(get(u), v) < 0; }
            case "BETWEEN":
                {
                    var m = Many();
                    if (m.Count != 2) throw AuthingError.BadRequest("BETWEEN needs two values");
                    return u => get(u) != null && Cmp(get(u), m[0]) >= 0 && Cmp(get(u), m[1]) <= 0;
                }
            default: throw AuthingError.BadRequest("unsupported operator: " + op);
        }
    }

    // ------------------------------------------------------------------ organizations and departments

    public List<AuthingOrganization> Organizations { get { lock (Gate) return _organizations.ToList(); } }

    private AuthingOrganization Organization(string code) =>
        _organizations.FirstOrDefault(o => o.OrganizationCode == code) ?? throw new AuthingError(404, "organization not found: " + code);

    /// <summary>Finds a department by id of the given type (department_id, open_department_id, code); <c>root</c> names the root.</summary>
    internal AuthingDepartment ResolveDepartment(string organizationCode, string id, string idType)
    {
        if (string.IsNullOrEmpty(id)) throw AuthingError.BadRequest("departmentId is required");
        AuthingOrganization org = null;
        if (organizationCode != null) org = Organization(organizationCode);
        if (id == "root")
        {
            org ??= _organizations.Count == 1 ? _organizations[0] : throw AuthingError.BadRequest("'root' needs an organizationCode");
            return _departments[org.DepartmentId];
        }
        AuthingDepartment d;
        switch (idType ?? "department_id")
        {
            case "department_id":
                _departments.TryGetValue(id, out d);
                break;
            case "open_department_id":
                d = _departments.Values.FirstOrDefault(x => x.OpenDepartmentId == id && (org == null || x.OrganizationCode == org.OrganizationCode));
                break;
            case "code":
                d = _departments.Values.FirstOrDefault(x => x.Code == id && (org == null || x.OrganizationCode == org.OrganizationCode));
                break;
            default:
                throw AuthingError.BadRequest("unsupported departmentIdType: " + idType);
        }
        if (d == null || (org != null && d.OrganizationCode != org.OrganizationCode)) throw new AuthingError(404, "department not found: " + id);
        return d;
    }

    private bool IsRoot(AuthingDepartment d) => string.IsNullOrEmpty(d.ParentDepartmentId);

    private void CheckDepartmentUnique(AuthingDepartment d)
    {
        foreach (var s in _children[d.ParentDepartmentId])
            if (s != d.DepartmentId && _departments[s].Name == d.Name) throw AuthingError.Conflict("a sibling department has the same name: " + d.Name);
        foreach (var x in _departments.Values)
        {
            if (x == d || x.DepartmentId == d.DepartmentId || x.OrganizationCode != d.OrganizationCode) continue;
            if (d.OpenDepartmentId != null && x.OpenDepartmentId == d.OpenDepartmentId) throw AuthingError.Conflict("openDepartmentId already exists: " + d.OpenDepartmentId);
            if (d.Code != null && x.Code == d.Code) throw AuthingError.Conflict("code already exists: " + d.Code);
        }
    }

    public AuthingDepartment CreateDepartment(JsonObject b)
    {
        lock (Gate)
        {
            var org = Organization(b.Str("organizationCode") ?? throw AuthingError.BadRequest("organizationCode is required"));
            var name = b.Str("name");
            if (string.IsNullOrWhiteSpace(name)) throw AuthingError.BadRequest("name is required");
            var parent = ResolveDepartment(org.OrganizationCode, b.Str("parentDepartmentId") ?? throw AuthingError.BadRequest("parentDepartmentId is required"), b.Str("departmentIdType"));
            // Required by docs-v3 (创建部门: metadata object 是); the Go SDK always sends the key (null when unset), so
            // null is taken, and anything but an object or null is refused.
            if (!b.Has("metadata")) throw AuthingError.BadRequest("metadata is required");
            _ = b.Obj("metadata");
            var d = new AuthingDepartment
            {
                OrganizationCode = org.OrganizationCode,
                DepartmentId = NewId(),
                Name = name,
                ParentDepartmentId = parent.DepartmentId,
                OpenDepartmentId = NullIfEmpty(b.Str("openDepartmentId")),
                Code = NullIfEmpty(b.Str("code")),
                Description = b.Str("description"),
                LeaderUserIds = new(),
                CreatedAt = Now(),
                UpdatedAt = Now(),
            };
            d.CustomData = MergeCustomData(null, b.Obj("customData"), "DEPARTMENT");
            var leaders = b.Strings("leaderUserIds");
            if (leaders != null) d.LeaderUserIds = leaders.Select(l => (FindUser(l, "user_id") ?? throw AuthingError.UserNotFound(l)).UserId).ToList();
            CheckDepartmentUnique(d);
            AddDepartment(d);
            Raise("organization:created", department: d);
            return d.Copy();
        }
    }

    public AuthingDepartment UpdateDepartment(JsonObject b)
    {
        lock (Gate)
        {
            var org = Organization(b.Str("organizationCode") ?? throw AuthingError.BadRequest("organizationCode is required"));
            var idType = b.Str("departmentIdType");
            var d = ResolveDepartment(org.OrganizationCode, b.Str("departmentId"), idType);
            // Optional here: the Go SDK's UpdateDepartmentReqDto has no metadata, though docs-v3 lists it; when sent it is an object.
            _ = b.Obj("metadata");
            var u = d.Copy();
            if (b.Has("name"))
            {
                if (string.IsNullOrWhiteSpace(b.Str("name"))) throw AuthingError.BadRequest("name cannot be empty");
                u.Name = b.Str("name");
            }
            if (b.Has("description")) u.Description = b.Str("description");
            if (b.Has("code")) u.Code = NullIfEmpty(b.Str("code"));
            if (b.Has("openDepartmentId")) u.OpenDepartmentId = NullIfEmpty(b.Str("openDepartmentId"));
            if (b.Has("leaderUserIds")) u.LeaderUserIds = (b.Strings("leaderUserIds") ?? new()).Select(l => (FindUser(l, "user_id") ?? throw AuthingError.UserNotFound(l)).UserId).ToList();
            if (b.Has("customData")) u.CustomData = MergeCustomData(u.CustomData, b.Obj("customData"), "DEPARTMENT");
            var parentId = b.Str("parentDepartmentId");
            if (!string.IsNullOrEmpty(parentId))
            {
                var parent = ResolveDepartment(org.OrganizationCode, parentId, idType);
                if (parent.DepartmentId != d.ParentDepartmentId)
                {
                    if (IsRoot(d)) throw AuthingError.BadRequest("the root department cannot be moved");
                    for (var p = parent; p != null; p = string.IsNullOrEmpty(p.ParentDepartmentId) ? null : _departments[p.ParentDepartmentId])
                        if (p.DepartmentId == d.DepartmentId) throw AuthingError.BadRequest("cycle: the new parent is inside the department");
                    u.ParentDepartmentId = parent.DepartmentId;
                }
            }
            if (!IsRoot(u)) CheckDepartmentUnique(u);
            if (u.ParentDepartmentId != d.ParentDepartmentId)
            {
                _children[d.ParentDepartmentId].Remove(d.DepartmentId);
                _children[u.ParentDepartmentId].Add(d.DepartmentId);
            }
            u.UpdatedAt = Now();
            _departments[d.DepartmentId] = u;
            if (IsRoot(u)) Organization(org.OrganizationCode).OrganizationName = u.Name;
            Raise("organization:updated", department: u);
            return u.Copy();
        }
    }

    public void DeleteDepartment(JsonObject b)
    {
        lock (Gate)
        {
            var org = Organization(b.Str("organizationCode") ?? throw AuthingError.BadRequest("organizationCode is required"));
            var d = ResolveDepartment(org.OrganizationCode, b.Str("departmentId"), b.Str("departmentIdType"));
            if (IsRoot(d)) throw AuthingError.BadRequest("the root department cannot be deleted");
            if (_children[d.DepartmentId].Count > 0) throw AuthingError.BadRequest("the department has sub-departments: delete them first");
            if (_members[d.DepartmentId].Count > 0) throw AuthingError.BadRequest("the department has members: remove them first");
            _children[d.ParentDepartmentId].Remove(d.DepartmentId);
            _children.Remove(d.DepartmentId);
            _members.Remove(d.DepartmentId);
            _departments.Remove(d.DepartmentId);
            Raise("organization:deleted", department: d);
        }
    }

    public List<AuthingDepartment> Children(string organizationCode, string id, string idType)
    {
        lock (Gate)
        {
            var d = ResolveDepartment(organizationCode ?? throw AuthingError.BadRequest("organizationCode is required"), id, idType);
            return _children[d.DepartmentId].Select(c => _departments[c].Copy()).ToList();
        }
    }

    /// <summary>Every department below the given one (not the department itself), parents first.</summary>
    public List<AuthingDepartment> Descendants(string organizationCode, string id, string idType)
    {
        lock (Gate)
        {
            var d = ResolveDepartment(organizationCode ?? throw AuthingError.BadRequest("organizationCode is required"), id ?? "root", idType);
            var result = new List<AuthingDepartment>();
            var queue = new Queue<string>(_children[d.DepartmentId]);
            while (queue.Count > 0)
            {
                var c = queue.Dequeue();
                result.Add(_departments[c].Copy());
                foreach (var g in _children[c]) queue.Enqueue(g);
            }
            return result;
        }
    }

    public (int membersCount, bool hasChildren, string parentCode) DepartmentStats(AuthingDepartment d)
    {
        lock (Gate)
        {
            var parentCode = !string.IsNullOrEmpty(d.ParentDepartmentId) && _departments.TryGetValue(d.ParentDepartmentId, out var p) ? p.Code : null;
            return (_members.TryGetValue(d.DepartmentId, out var m) ? m.Count : 0, _children.TryGetValue(d.DepartmentId, out var c) && c.Count > 0, parentCode);
        }
    }

    public (int total, List<AuthingUser> page) Members(string organizationCode, string id, string idType, bool includeChildren, int page, int limit)
    {
        lock (Gate)
        {
            var d = ResolveDepartment(organizationCode ?? throw AuthingError.BadRequest("organizationCode is required"), id, idType);
            var ids = new List<string>(_members[d.DepartmentId]);
            if (includeChildren)
            {
                var seen = new HashSet<string>(ids);
                foreach (var c in Descendants(organizationCode, d.DepartmentId, "department_id"))
                    foreach (var m in _members[c.DepartmentId])
                        if (seen.Add(m)) ids.Add(m);
            }
            return (ids.Count, ids.Skip((page - 1) * limit).Take(limit).Select(i => _byId[i].Copy()).ToList());
        }
    }

    public void AddMembers(JsonObject b, bool add)
    {
        lock (Gate)
        {
            var org = Organization(b.Str("organizationCode") ?? throw AuthingError.BadRequest("organizationCode is required"));
            var d = ResolveDepartment(org.OrganizationCode, b.Str("departmentId"), b.Str("departmentIdType"));
            var userIds = b.Strings("userIds") ?? throw AuthingError.BadRequest("userIds is required");
            var users = userIds.Select(i => FindUser(i, "user_id") ?? throw AuthingError.UserNotFound(i)).ToList();
            foreach (var u in users)
            {
                var ids = (u.DepartmentIds ?? new()).ToList();
                if (add && !ids.Contains(d.DepartmentId)) ids.Add(d.DepartmentId);
                if (!add) ids.Remove(d.DepartmentId);
                SetMembership(u, ids);
                u.UpdatedAt = Now();
                Raise("user:updated", u, DepartmentUpdates(u));
            }
        }
    }

    private static JsonObject DepartmentUpdates(AuthingUser u) => new()
    {
        ["departmentIds"] = new JsonArray((u.DepartmentIds ?? new()).Select(d => (JsonNode)d).ToArray()),
        ["mainDepartmentId"] = u.MainDepartmentId,
    };

    // ------------------------------------------------------------------ seed and dump

    /// <summary>Replaces the pool with the given organizations, departments, users and custom fields.</summary>
    public void Load(List<AuthingOrganization> organizations, List<AuthingDepartment> departments, List<AuthingUser> users, List<AuthingCustomField> customFields)
    {
        lock (Gate)
        {
            var keys = new Dictionary<string, string>(AccessKeys);
            var poolId = UserPoolId;
            Reset();
            UserPoolId = poolId;
            foreach (var k in keys) AccessKeys[k.Key] = k.Value;
            if (organizations != null && organizations.Count > 0)
            {
                _organizations.Clear(); _departments.Clear(); _children.Clear(); _members.Clear();
                foreach (var o in organizations)
                {
                    if (string.IsNullOrEmpty(o.OrganizationCode)) throw new ArgumentException("authing.organizations: organizationCode is required");
                    if (_organizations.Any(x => x.OrganizationCode == o.OrganizationCode)) throw new ArgumentException("authing.organizations: duplicate " + o.OrganizationCode);
                    AddOrganization(o.OrganizationCode, o.OrganizationName ?? o.OrganizationCode, o.DepartmentId, o.CreatedAt, o.Description);
                }
            }
            foreach (var f in customFields ?? new())
            {
                f.CreatedAt ??= Now();
                f.DataType ??= "STRING";
                _customFields.RemoveAll(x => x.TargetType == f.TargetType && x.Key == f.Key);
                _customFields.Add(f);
            }
            var pending = (departments ?? new()).ToList();
            foreach (var d in pending)
            {
                d.OrganizationCode ??= _organizations[0].OrganizationCode;
                d.DepartmentId ??= NewId();
                d.LeaderUserIds ??= new();
                d.CreatedAt ??= Now();
                d.UpdatedAt ??= d.CreatedAt;
                Organization(d.OrganizationCode);
                if (string.IsNullOrEmpty(d.ParentDepartmentId) || d.ParentDepartmentId == "root")
                    d.ParentDepartmentId = Organization(d.OrganizationCode).DepartmentId;
            }
            while (pending.Count > 0)
            {
                var ready = pending.Where(d => _departments.ContainsKey(d.ParentDepartmentId)).ToList();
                if (ready.Count == 0) throw new ArgumentException($"authing.departments: {pending[0].Name} has a missing parent {pending[0].ParentDepartmentId}");
                foreach (var d in ready)
                {
                    if (_departments.ContainsKey(d.DepartmentId)) throw new ArgumentException("authing.departments: duplicate departmentId " + d.DepartmentId);
                    AddDepartment(d);
                }
                var done = ready.ToHashSet();
                pending = pending.Where(d => !done.Contains(d)).ToList();
            }
            foreach (var u in users ?? new())
            {
                u.UserId ??= NewId();
                u.CreatedAt ??= Now();
                u.UpdatedAt ??= u.CreatedAt;
                u.Gender ??= "U";
                u.Status ??= "Activated";
                if (_byId.ContainsKey(u.UserId)) throw new ArgumentException("authing.users: duplicate userId " + u.UserId);
                if (u.Username == null && u.Email == null && u.Phone == null) throw new ArgumentException($"authing.users: {u.UserId} needs a username, email or phone");
                try { CheckUnique(u, null, null); }
                catch (AuthingError e) { throw new ArgumentException("authing.users: " + e.Message); }
                var ids = new List<string>();
                foreach (var d in u.DepartmentIds ?? new())
                {
                    var dept = d == "root" ? _departments[_organizations[0].DepartmentId] : _departments.GetValueOrDefault(d) ?? throw new ArgumentException($"authing.users: {u.UserId} is in missing department {d}");
                    if (!ids.Contains(dept.DepartmentId)) ids.Add(dept.DepartmentId);
                }
                u.DepartmentIds = ids;
                _users.Add(u);
                _usersVersion++;
                Index(u);
                foreach (var d in ids) _members[d].Add(u.UserId);
            }
        }
    }

    public (List<AuthingOrganization> organizations, List<AuthingDepartment> departments, List<AuthingUser> users, List<AuthingCustomField> customFields) Dump()
    {
        lock (Gate)
        {
            var departments = new List<AuthingDepartment>();
            foreach (var org in _organizations)
            {
                var queue = new Queue<string>(_children[org.DepartmentId]);
                while (queue.Count > 0)
                {
                    var c = queue.Dequeue();
                    departments.Add(_departments[c]);
                    foreach (var g in _children[c]) queue.Enqueue(g);
                }
            }
            return (_organizations.ToList(), departments, _users.ToList(), _customFields.ToList());
        }
    }
}
