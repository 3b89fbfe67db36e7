using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Authing
{
    /// <summary>
    /// Authing user DTO ↔ model, field by field from the registry and the connection's field map. Authing is the full
    /// record of its own fields, so a field Authing leaves out reads as known-empty (""); fields Authing has no place
    /// for (BizMail, WeCom status, and Position/Telephone unless mapped to a custom data key) are unknown and listed in
    /// WithheldFields, so a comparison never plans a change for them. Mapped fields are read into User.Extra under
    /// their source name (工号 ← externalId) and written back from there.
    /// </summary>
    public sealed class AuthingUserMapper
    {
        private readonly AuthingSettings _settings;
        private readonly IReadOnlyList<(UserFieldDefinition Field, string Target)> _fields;
        private readonly HashSet<string> _mappedKeys;
        private readonly string[] _withheld;
        private readonly string[] _unplaced; // withheld because Authing has no place for them: never read, never written

        /// <param name="settings">The pool's settings: link field names and the connection's field map.</param>
        /// <param name="fieldMap">A field map for this use instead of the connection's (already merged over it).</param>
        public AuthingUserMapper(AuthingSettings settings, FieldMap fieldMap = null)
        {
            _settings = settings ?? new AuthingSettings();
            var map = fieldMap ?? _settings.FieldMap ?? FieldMap.Empty(FieldSide.Authing);
            _fields = map.Effective().Where(f => f.Field.Kind != FieldKind.Departments).ToList();
            _mappedKeys = new HashSet<string>(StringComparer.Ordinal) { Links.UserId, Links.UserDepartmentIds };
            foreach (var (field, target) in _fields)
            {
                var key = CustomKey(target);
                if (key == null) continue;
                if (key == Links.UserId || key == Links.UserDepartmentIds)
                    throw new ArgumentException($"-FieldMap: '{field.Name}' = '{target}' would overwrite the link field {key}; map it to another key.");
                _mappedKeys.Add(key);
            }
            _unplaced = _fields.Where(f => f.Target == null && f.Field.IsBuiltIn).Select(f => f.Field.Name).Concat(new[] { nameof(User.Status) }).ToArray();
            _withheld = _unplaced;
        }

        private LinkFieldNames Links => _settings.LinkFields ?? new LinkFieldNames();

        /// <summary>The custom data keys the field map writes (to be defined in the pool: Initialize-AuthingLinkField).</summary>
        public IEnumerable<string> CustomDataKeys => _fields.Select(f => CustomKey(f.Target)).Where(k => k != null);

        private static string CustomKey(string target) =>
            target != null && target.StartsWith(FieldMap.CustomDataPrefix, StringComparison.Ordinal) ? target.Substring(FieldMap.CustomDataPrefix.Length) : null;

        public User ToModel(AuthingUserDto dto, AuthingDepartmentMap departments)
        {
            var withheld = new HashSet<string>(_withheld, StringComparer.OrdinalIgnoreCase);
            var user = new User
            {
                Source = DirectorySource.Authing,
                SourceId = dto.UserId,
                UserId = Blank(AuthingJson.Text(dto.CustomData, Links.UserId)),
                Username = dto.Username,
                StatusText = dto.Status,
            };
            if (dto.CustomData != null)
            {
                foreach (var p in dto.CustomData.Properties())
                {
                    if (_mappedKeys.Contains(p.Name)) continue;
                    user.Extra[p.Name] = AuthingJson.Text(dto.CustomData, p.Name);
                }
            }
            foreach (var (field, target) in _fields)
                if (target != null) field.Set(user, Read(dto, target));

            if (dto.DepartmentIds == null)
            {
                withheld.Add(nameof(User.Departments));
            }
            else
            {
                var ordered = dto.DepartmentIds.ToList();
                if (!string.IsNullOrEmpty(dto.MainDepartmentId) && ordered.Remove(dto.MainDepartmentId)) ordered.Insert(0, dto.MainDepartmentId);
                // Named as the other side of the comparison names them (AuthingDepartmentMap.ReferenceOf): upstream by
                // export path even where the department holds WeCom's id, downstream by WeCom id.
                var links = ordered
                    .Where(id => departments == null || departments.IsRootId(id) || departments.ById.ContainsKey(id) || departments.IdOf(departments.ReferenceOf(id)) == id)
                    .Select(id => departments == null ? AuthingDepartmentMap.UnlinkedPrefix + id : departments.ReferenceOf(id) ?? AuthingDepartmentMap.UnlinkedPrefix + id)
                    .Distinct(StringComparer.Ordinal).ToList();
                // Authing does not say which membership is the main one; the link field keeps WeCom's order, main first.
                var recorded = SplitList(AuthingJson.Text(dto.CustomData, Links.UserDepartmentIds));
                if (departments != null) recorded = recorded.Select(l => departments.IdOf(l) is string id ? departments.ReferenceOf(id) ?? l : l).ToList();
                if (dto.MainDepartmentId == null && recorded.Count == links.Count && !recorded.Except(links, StringComparer.Ordinal).Any()) links = recorded;
                user.Departments = links;
                if (departments != null) user.DepartmentPaths = user.Departments.Select(l => departments.PathOf(departments.IdOf(l)) ?? l).ToList();
            }
            user.WithheldFields = withheld; // after the adds above: the setter keeps its own copy (a FieldNameSet)
            user.UnplacedFields = new HashSet<string>(_unplaced, StringComparer.OrdinalIgnoreCase);
            return user;
        }

        /// <summary>One field's model value from the DTO by its target: the special encodings first, then custom data and text fields.</summary>
        private static object Read(AuthingUserDto dto, string target)
        {
            switch (target)
            {
                case "phone":
                    return string.IsNullOrEmpty(dto.Phone) ? "" : MobileNumber.Normalize(string.IsNullOrEmpty(dto.PhoneCountryCode) ? dto.Phone : Plus(dto.PhoneCountryCode) + " " + dto.Phone);
                case "gender":
                    return ReadGender(dto.Gender);
                case "status":
                    return dto.Status == null ? (bool?)null : string.Equals(dto.Status, "Activated", StringComparison.OrdinalIgnoreCase);
            }
            var key = CustomKey(target);
            return (key != null ? AuthingJson.Text(dto.CustomData, key) : dto.TextOf(target)) ?? "";
        }

        /// <summary>
        /// The create-user body for a desired user: username = userid, link fields, every known field; departments as
        /// Authing ids. <paramref name="departmentLinks"/>: what wechatwork_department_ids holds (each department's WeCom id
        /// where it holds one, else its path); null: the user's own references.
        /// </summary>
        public JObject ToCreateBody(User user, IReadOnlyList<string> departmentIds, IReadOnlyList<string> departmentLinks = null)
        {
            var body = new JObject { ["username"] = user.UserId };
            foreach (var (field, target) in _fields)
                if (target != null) Write(body, target, field.Get(user), forUpdate: false);
            var custom = Custom(body);
            custom[Links.UserId] = user.UserId;
            if (user.Departments != null) custom[Links.UserDepartmentIds] = string.Join(LinkFieldNames.ListSeparator.ToString(), departmentLinks ?? user.Departments);
            if (departmentIds != null && departmentIds.Count > 0) body["departmentIds"] = new JArray(departmentIds);
            return body;
        }

        /// <summary>
        /// The update-user body for the given model fields only (null when none of them is written to Authing). The link
        /// fields go with it when the user's link (userid) or departments change.
        /// </summary>
        public JObject ToUpdateBody(User desired, IEnumerable<string> fields, bool writeLink, IReadOnlyList<string> departmentLinks = null)
        {
            var body = new JObject();
            var names = new HashSet<string>(fields, StringComparer.OrdinalIgnoreCase);
            foreach (var (field, target) in _fields)
                if (target != null && names.Contains(field.Name)) Write(body, target, field.Get(desired), forUpdate: true);
            var custom = (JObject)body["customData"] ?? new JObject();
            if (writeLink) custom[Links.UserId] = desired.UserId;
            if (names.Contains(nameof(User.Departments)) && desired.Departments != null)
                custom[Links.UserDepartmentIds] = string.Join(LinkFieldNames.ListSeparator.ToString(), departmentLinks ?? desired.Departments);
            if (custom.Count > 0) body["customData"] = custom;
            return body.Count == 0 ? null : body;
        }

        /// <summary>The update-user body that suspends (false) or reactivates (true) a user.</summary>
        /// <summary>Authing's gender codes M / F / U (authing-node-sdk 4.0.1, UserDto and UpdateUserReqDto), in one place.</summary>
        public static string GenderCode(Gender gender) => gender == Gender.Male ? "M" : gender == Gender.Female ? "F" : "U";

        /// <summary>The model's gender from Authing's code; null when Authing gave none.</summary>
        public static Gender? ReadGender(string code) =>
            code == "M" ? Gender.Male : code == "F" ? Gender.Female : code == null ? (Gender?)null : Gender.Unknown;

        public static JObject StatusBody(bool enabled) => new JObject { ["status"] = enabled ? "Activated" : "Suspended" };

        /// <summary>Writes one known value to its target; unknown (null) is never written.</summary>
        private static void Write(JObject body, string target, object value, bool forUpdate)
        {
            if (value == null) return;
            switch (target)
            {
                case "phone":
                    var normalized = MobileNumber.Normalize((string)value);
                    if (normalized.Length == 0) { if (forUpdate) body["phone"] = JValue.CreateNull(); return; }
                    var (cc, number) = MobileNumber.Split(normalized);
                    body["phone"] = number;
                    if (cc != null) body["phoneCountryCode"] = Plus(cc);
                    return;
                case "gender":
                    body["gender"] = GenderCode((Gender)value);
                    return;
                case "status":
                    body["status"] = (bool)value ? "Activated" : "Suspended";
                    return;
                case "email":
                case "externalId":
                    // Unique in the pool: an empty value is a removal (null), never "".
                    var unique = (string)value;
                    if (unique.Length > 0) body[target] = unique; else if (forUpdate) body[target] = JValue.CreateNull();
                    return;
            }
            var key = CustomKey(target);
            if (key != null) Custom(body)[key] = (string)value;
            else Set(body, target, (string)value, forUpdate);
        }

        private static void Set(JObject body, string key, string value, bool forUpdate)
        {
            // Unknown is never written; empty is written only as an update (a create simply leaves it out).
            if (value == null || value.Length == 0 && !forUpdate) return;
            body[key] = value;
        }

        private static JObject Custom(JObject body) => (JObject)(body["customData"] ?? (body["customData"] = new JObject()));

        private static string Plus(string cc) => cc.StartsWith("+") ? cc : "+" + cc;

        private static string Blank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

        internal static List<string> SplitList(string value) =>
            string.IsNullOrEmpty(value) ? new List<string>() : value.Split(LinkFieldNames.ListSeparator).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }
}
