using System;
using System.Collections.Generic;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// Turns one data row (cell texts) into a <see cref="User"/>, or into the reasons it cannot be one.
    /// Knows the values' forms (男/女, status words, old:new renames, mobile numbers); knows nothing about other rows.
    /// </summary>
    internal sealed class UserRowParser
    {
        /// <summary>The API allows '@' as well as the console's letters, digits, '.', '-' and '_'.</summary>
        public const int MaxUserIdLength = 64;
        public const int MaxNameLength = 64;

        private readonly AddressBookColumns _columns;
        private readonly string _defaultCountryCode;
        private readonly string[] _withheld;

        // Column indexes, looked up once per sheet: the key and name, the status words, and every other registry field.
        private readonly int _name, _userId, _department, _activation, _disabled;
        private readonly (UserFieldDefinition Field, int Index, string Header)[] _fields;

        public UserRowParser(AddressBookColumns columns, string defaultCountryCode)
        {
            _columns = columns;
            _defaultCountryCode = defaultCountryCode ?? MobileNumber.DefaultCountryCode;
            _name = columns.IndexOf(nameof(User.Name));
            _userId = columns.IndexOf(AddressBookColumns.UserId);
            _department = columns.IndexOf(nameof(User.Departments));
            _activation = columns.IndexOf(AddressBookColumns.Activation);
            _disabled = columns.IndexOf(nameof(User.Enabled));

            // Fields whose column the file lacks stay null (unknown), and say so, so comparison never blanks them.
            var withheld = new List<string>();
            var fields = new List<(UserFieldDefinition, int, string)>();
            foreach (var f in UserFieldRegistry.BuiltIn)
            {
                if (f.Kind == FieldKind.Departments || f.Kind == FieldKind.Enabled || f.Name == nameof(User.Name)) continue; // read apart
                int index = columns.IndexOf(f.Name);
                if (index < 0) withheld.Add(f.Name);
                else fields.Add((f, index, columns.Headers[index]));
            }
            if (_activation < 0 && _disabled < 0) { withheld.Add(nameof(User.Status)); withheld.Add(nameof(User.StatusText)); }
            if (_disabled < 0) withheld.Add(nameof(User.Enabled));
            _withheld = withheld.ToArray();
            _fields = fields.ToArray();
        }

        /// <summary>
        /// Parses a row. Returns the user, or null with <paramref name="problem"/> set to (code, reason) for the first
        /// rule the row breaks. The user's Departments may be empty: the member belongs to the top department,
        /// which the caller resolves.
        /// </summary>
        public User Parse(string[] cells, out (string Code, string Reason) problem)
        {
            problem = (null, null);
            string name = Cell(cells, _name);
            string rawUserId = Cell(cells, _userId);
            if (name.Length == 0) { problem = (ProblemCodes.EmptyName, "姓名 (name) is empty"); return null; }
            if (name.Length > MaxNameLength) { problem = (ProblemCodes.NameTooLong, $"姓名 (name) is {name.Length} characters long; WeCom allows at most {MaxNameLength}"); return null; }
            if (rawUserId.Length == 0) { problem = (ProblemCodes.EmptyUserId, "账号 (userid) is empty"); return null; }

            // old:new renames a generated account once (the template's instruction 3).
            string userId = rawUserId, previous = null;
            int colon = rawUserId.IndexOf(':');
            if (colon < 0) colon = rawUserId.IndexOf('：');
            if (colon >= 0)
            {
                previous = Text.Clean(rawUserId.Substring(0, colon));
                userId = Text.Clean(rawUserId.Substring(colon + 1));
                if (previous.Length == 0 || userId.Length == 0)
                {
                    problem = (ProblemCodes.InvalidUserId, $"账号 '{rawUserId}' is not a valid rename; write old_userid:new_userid");
                    return null;
                }
                string badOld = CheckUserId(previous);
                if (badOld != null) { problem = (ProblemCodes.InvalidUserId, $"the old 账号 in '{rawUserId}' {badOld}"); return null; }
            }
            string badId = CheckUserId(userId);
            if (badId != null) { problem = (ProblemCodes.InvalidUserId, $"账号 '{userId}' {badId}"); return null; }

            var user = new User
            {
                Source = DirectorySource.WeComExport,
                UserId = userId,
                PreviousUserId = previous,
                Name = name,
            };
            foreach (string field in _withheld) user.WithheldFields.Add(field);

            foreach (var (field, index, header) in _fields)
            {
                string value = Cell(cells, index);
                switch (field.Kind)
                {
                    case FieldKind.Mobile:
                        if (value.Length > 0)
                        {
                            string badMobile = CheckMobile(value, out string normalized);
                            if (badMobile != null) { problem = (ProblemCodes.InvalidMobile, badMobile); return null; }
                            value = normalized;
                        }
                        field.Set(user, value);
                        break;
                    case FieldKind.Email:
                        if (value.Length > 0 && !LooksLikeEmail(value)) { problem = (ProblemCodes.InvalidEmail, $"{header} '{value}' is not an email address"); return null; }
                        field.Set(user, value);
                        break;
                    case FieldKind.Gender:
                        field.Set(user, ParseGender(value));
                        break;
                    default:
                        field.Set(user, value);
                        break;
                }
            }
            if (string.IsNullOrEmpty(user.Mobile) && string.IsNullOrEmpty(user.Email) && string.IsNullOrEmpty(user.BizMail))
            {
                problem = (ProblemCodes.NoMobileOrEmail, "the member has neither 手机 (mobile) nor 邮箱 (email); WeCom needs one of them");
                return null;
            }

            if (_activation >= 0 || _disabled >= 0) ParseStatus(user, Optional(cells, _activation), Optional(cells, _disabled));

            var departments = DepartmentPaths.Split(Cell(cells, _department));
            if (departments.Count > DepartmentPaths.MaxDepartmentsPerUser)
            {
                problem = (ProblemCodes.TooManyDepartments, $"the member is in {departments.Count} departments; WeCom allows at most {DepartmentPaths.MaxDepartmentsPerUser}");
                return null;
            }
            foreach (string path in departments)
            {
                var bad = DepartmentPaths.Check(path);
                if (bad.Code != null) { problem = bad; return null; }
            }
            user.Departments = departments;

            for (int i = 0; i < _columns.Fields.Count; i++)
            {
                if (_columns.Fields[i] != null) continue;
                string value = Cell(cells, i);
                if (value.Length == 0 && _columns.Unnamed[i]) continue;
                user.Extra[_columns.Headers[i]] = value;
            }
            return user;
        }

        private static string Cell(string[] cells, int index) =>
            index < 0 || index >= cells.Length ? string.Empty : (Text.Clean(cells[index]) ?? string.Empty);

        private static string Optional(string[] cells, int index) => index < 0 ? null : Cell(cells, index);

        /// <summary>Null when valid, else what is wrong (completing "账号 'x' …").</summary>
        internal static string CheckUserId(string id)
        {
            if (id.Length > MaxUserIdLength) return $"is {id.Length} characters long; at most {MaxUserIdLength} are allowed";
            if (!IsAsciiLetterOrDigit(id[0])) return "must start with a letter or digit";
            foreach (char c in id)
            {
                if (!(IsAsciiLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == '@'))
                    return $"contains '{c}'; only letters, digits, '.', '-', '_' and '@' are allowed";
            }
            return null;
        }

        private static bool IsAsciiLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

        /// <summary>Null when the number is usable; sets <paramref name="normalized"/> to the "+CC number" form.</summary>
        internal string CheckMobile(string mobile, out string normalized)
        {
            normalized = MobileNumber.Normalize(mobile, _defaultCountryCode);
            if (mobile.IndexOf("E+", StringComparison.OrdinalIgnoreCase) > 0)
                return $"手机 '{mobile}' was saved in scientific notation and its digits are lost; format the column as text in Excel and export again";
            if (mobile.IndexOf('*') >= 0)
                return $"手机 '{mobile}' is masked; export the address book with full mobile numbers";
            int digits = 0;
            for (int i = 0; i < normalized.Length; i++)
            {
                char c = normalized[i];
                if (c >= '0' && c <= '9') digits++;
                else if (!(c == '+' && i == 0) && c != ' ') return $"手机 '{mobile}' is not a phone number";
            }
            if (normalized[0] != '+' || digits < 6 || digits > 20) return $"手机 '{mobile}' is not a phone number";
            return null;
        }

        private static bool LooksLikeEmail(string value)
        {
            int at = value.IndexOf('@');
            return at > 0 && at == value.LastIndexOf('@') && at < value.Length - 1 && value.IndexOf(' ') < 0;
        }

        internal static Gender ParseGender(string text)
        {
            switch (text.ToUpperInvariant())
            {
                case "男": case "M": case "MALE": case "1": return Model.Gender.Male;
                case "女": case "F": case "FEMALE": case "2": return Model.Gender.Female;
                default: return Model.Gender.Unknown;
            }
        }

        /// <summary>
        /// 激活状态 (已激活 / 未激活 / 已禁用 / 已退出) and 禁用状态 (启用 / 禁用). A disabled member is Disabled whatever its
        /// activation says; unknown words leave Status Unknown. The raw words are kept in StatusText.
        /// </summary>
        internal static void ParseStatus(User user, string activation, string disabled)
        {
            UserStatus status = UserStatus.Unknown;
            switch (activation)
            {
                case "已激活": case "激活": case "Active": case "Activated": status = UserStatus.Active; break;
                case "未激活": case "Not activated": case "Inactive": status = UserStatus.NotActivated; break;
                case "已禁用": case "禁用": case "Disabled": status = UserStatus.Disabled; break;
                case "已退出": case "已离职": case "退出企业": case "Left": status = UserStatus.Left; break;
            }
            if (disabled != null)
            {
                switch (disabled)
                {
                    case "禁用": case "已禁用": case "是": case "Disabled": case "Yes":
                        user.Enabled = false; status = UserStatus.Disabled; break;
                    case "启用": case "已启用": case "正常": case "未禁用": case "否": case "Enabled": case "No":
                        user.Enabled = true; break;
                    // Empty or unknown words: Enabled stays null (unknown), so a comparison never flips it.
                }
            }
            user.Status = status;
            string text = activation;
            if (!string.IsNullOrEmpty(disabled)) text = string.IsNullOrEmpty(text) ? disabled : text + "/" + disabled;
            user.StatusText = text ?? string.Empty;
        }
    }
}
