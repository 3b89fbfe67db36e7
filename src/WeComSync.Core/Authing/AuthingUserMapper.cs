using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Authing
{
    /// <summary>
    /// Authing user DTO ↔ model. Authing is the full record of its own standard fields, so a field Authing leaves out
    /// reads as known-empty (""); fields Authing has no place for (BizMail, WeCom status, and Position/Telephone unless a
    /// custom key is configured) are unknown and listed in WithheldFields, so a comparison never plans a change for them.
    /// </summary>
    public sealed class AuthingUserMapper
    {
        private readonly AuthingSettings _settings;

        public AuthingUserMapper(AuthingSettings settings)
        {
            _settings = settings ?? new AuthingSettings();
        }

        private LinkFieldNames Links => _settings.LinkFields ?? new LinkFieldNames();

        public User ToModel(AuthingUserDto dto, AuthingDepartmentMap departments)
        {
            var withheld = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(User.BizMail), nameof(User.Status) };
            var user = new User
            {
                Source = DirectorySource.Authing,
                SourceId = dto.UserId,
                UserId = Blank(AuthingJson.Text(dto.CustomData, Links.UserId)),
                Username = dto.Username,
                Name = dto.Name ?? "",
                Alias = dto.Nickname ?? "",
                Email = dto.Email ?? "",
                Address = dto.Address ?? "",
                Mobile = string.IsNullOrEmpty(dto.Phone) ? "" : MobileNumber.Normalize(string.IsNullOrEmpty(dto.PhoneCountryCode) ? dto.Phone : Plus(dto.PhoneCountryCode) + " " + dto.Phone),
                Gender = dto.Gender == "M" ? Gender.Male : dto.Gender == "F" ? Gender.Female : dto.Gender == null ? (Gender?)null : Gender.Unknown,
                Enabled = dto.Status == null ? (bool?)null : string.Equals(dto.Status, "Activated", StringComparison.OrdinalIgnoreCase),
                StatusText = dto.Status,
            };
            if (_settings.PositionField != null) user.Position = AuthingJson.Text(dto.CustomData, _settings.PositionField) ?? ""; else withheld.Add(nameof(User.Position));
            if (_settings.TelephoneField != null) user.Telephone = AuthingJson.Text(dto.CustomData, _settings.TelephoneField) ?? ""; else withheld.Add(nameof(User.Telephone));

            if (dto.DepartmentIds == null)
            {
                withheld.Add(nameof(User.Departments));
            }
            else
            {
                var ordered = dto.DepartmentIds.ToList();
                if (!string.IsNullOrEmpty(dto.MainDepartmentId) && ordered.Remove(dto.MainDepartmentId)) ordered.Insert(0, dto.MainDepartmentId);
                var links = ordered
                    .Where(id => departments == null || departments.IsRootId(id) || departments.ById.ContainsKey(id) || departments.IdOf(departments.LinkIdOf(id)) == id)
                    .Select(id => departments == null ? AuthingDepartmentMap.UnlinkedPrefix + id : departments.LinkIdOf(id) ?? AuthingDepartmentMap.UnlinkedPrefix + id)
                    .Distinct(StringComparer.Ordinal).ToList();
                // Authing does not say which membership is the main one; the link field keeps WeCom's order, main first.
                var recorded = SplitList(AuthingJson.Text(dto.CustomData, Links.UserDepartmentIds));
                if (dto.MainDepartmentId == null && recorded.Count == links.Count && !recorded.Except(links, StringComparer.Ordinal).Any()) links = recorded;
                user.Departments = links;
            }

            user.WithheldFields = withheld; // after the adds above: the setter keeps its own copy (a FieldNameSet)
            if (dto.CustomData != null)
            {
                foreach (var p in dto.CustomData.Properties())
                {
                    if (IsMappedKey(p.Name)) continue;
                    user.Extra[p.Name] = AuthingJson.Text(dto.CustomData, p.Name);
                }
            }
            return user;
        }

        private bool IsMappedKey(string key) =>
            key == Links.UserId || key == Links.UserDepartmentIds || key == _settings.PositionField || key == _settings.TelephoneField;

        /// <summary>The create-user body for a desired user: username = userid, link fields, every known field; departments as Authing ids.</summary>
        public JObject ToCreateBody(User user, IReadOnlyList<string> departmentIds)
        {
            var body = new JObject { ["username"] = user.UserId };
            AddFields(body, user, Enum.GetNames(typeof(WritableField)));
            var custom = (JObject)body["customData"] ?? new JObject();
            custom[Links.UserId] = user.UserId;
            if (user.Departments != null) custom[Links.UserDepartmentIds] = string.Join(LinkFieldNames.ListSeparator.ToString(), user.Departments);
            body["customData"] = custom;
            if (departmentIds != null && departmentIds.Count > 0) body["departmentIds"] = new JArray(departmentIds);
            return body;
        }

        /// <summary>
        /// The update-user body for the given model fields only (null when none of them is written to Authing). The link
        /// fields go with it when the user's link (userid) or departments change.
        /// </summary>
        public JObject ToUpdateBody(User desired, IEnumerable<string> fields, bool writeLink)
        {
            var body = new JObject();
            var names = fields.Where(f => Enum.TryParse<WritableField>(f, true, out _)).ToList();
            AddFields(body, desired, names, forUpdate: true);
            var custom = (JObject)body["customData"] ?? new JObject();
            if (writeLink) custom[Links.UserId] = desired.UserId;
            if (fields.Contains(nameof(User.Departments), StringComparer.OrdinalIgnoreCase) && desired.Departments != null)
                custom[Links.UserDepartmentIds] = string.Join(LinkFieldNames.ListSeparator.ToString(), desired.Departments);
            if (custom.Count > 0) body["customData"] = custom;
            return body.Count == 0 ? null : body;
        }

        /// <summary>The model fields Authing stores (Position/Telephone only with a configured custom key).</summary>
        private enum WritableField { Name, Alias, Gender, Mobile, Email, Address, Enabled, Position, Telephone }

        private void AddFields(JObject body, User u, IEnumerable<string> fields, bool forUpdate = false)
        {
            foreach (var field in fields)
            {
                switch ((WritableField)Enum.Parse(typeof(WritableField), field, true))
                {
                    case WritableField.Name: Set(body, "name", u.Name, forUpdate); break;
                    case WritableField.Alias: Set(body, "nickname", u.Alias, forUpdate); break;
                    case WritableField.Address: Set(body, "address", u.Address, forUpdate); break;
                    case WritableField.Email:
                        if (u.Email != null) { if (u.Email.Length > 0) body["email"] = u.Email; else if (forUpdate) body["email"] = JValue.CreateNull(); }
                        break;
                    case WritableField.Mobile:
                        if (u.Mobile == null) break;
                        var normalized = MobileNumber.Normalize(u.Mobile);
                        if (normalized.Length == 0) { if (forUpdate) body["phone"] = JValue.CreateNull(); break; }
                        var (cc, number) = MobileNumber.Split(normalized);
                        body["phone"] = number;
                        if (cc != null) body["phoneCountryCode"] = Plus(cc);
                        break;
                    case WritableField.Gender:
                        if (u.Gender.HasValue) body["gender"] = u.Gender == Gender.Male ? "M" : u.Gender == Gender.Female ? "F" : "U";
                        break;
                    case WritableField.Enabled:
                        if (u.Enabled.HasValue) body["status"] = u.Enabled.Value ? "Activated" : "Suspended";
                        break;
                    case WritableField.Position:
                        if (_settings.PositionField != null && u.Position != null) Custom(body)[_settings.PositionField] = u.Position;
                        break;
                    case WritableField.Telephone:
                        if (_settings.TelephoneField != null && u.Telephone != null) Custom(body)[_settings.TelephoneField] = u.Telephone;
                        break;
                }
            }
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
