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

        /// <summary>WeCom's limit on 职务 (position): "长度为0~128个字符", in characters as <see cref="Text.Characters"/> counts.</summary>
        public const int MaxPositionLength = 128;

        private readonly AddressBookColumns _columns;
        private readonly string _defaultCountryCode;
        private readonly string[] _withheld;
        private readonly int[] _extraSlots; // per custom column: its header's ExtraSlots slot

        // The key and structural columns, looked up once per sheet: the required ones (姓名, 账号, 部门) and the two
        // status columns, which together give Status and Enabled.
        private readonly int _name, _userId, _department, _activation, _disabled;

        // Every other field of the registry whose column the file has, read by its kind; the registry is the one list.
        private readonly (UserFieldDefinition Field, int Column)[] _values;

        public UserRowParser(AddressBookColumns columns, string defaultCountryCode)
        {
            _columns = columns;
            _defaultCountryCode = defaultCountryCode ?? MobileNumber.DefaultCountryCode;
            _name = columns.IndexOf(nameof(User.Name));
            _userId = columns.IndexOf(AddressBookColumns.UserId);
            _department = columns.IndexOf(nameof(User.Departments));
            _activation = columns.IndexOf(AddressBookColumns.Activation);
            _disabled = columns.IndexOf(nameof(User.Enabled));
            _extraSlots = new int[columns.Fields.Count];
            for (int i = 0; i < _extraSlots.Length; i++) _extraSlots[i] = columns.Fields[i] == null ? ExtraSlots.Of(columns.Headers[i]) : -1;

            // Fields whose column the file lacks stay null (unknown), and say so, so comparison never blanks them.
            var values = new List<(UserFieldDefinition, int)>();
            var withheld = new List<string>();
            foreach (var f in UserFieldRegistry.BuiltIn)
            {
                if (f.Name == nameof(User.Name) || f.Kind == FieldKind.Departments || f.Kind == FieldKind.Enabled) continue;
                if (!(f.IsText || f.Kind == FieldKind.Gender)) throw new InvalidOperationException($"The export reader has no rule for {f.Kind} fields ({f.Name}).");
                int column = columns.IndexOf(f.Name);
                if (column < 0) withheld.Add(f.Name);
                else values.Add((f, column));
            }
            _values = values.ToArray();
            if (_activation < 0 && _disabled < 0) { withheld.Add(nameof(User.Status)); withheld.Add(nameof(User.StatusText)); }
            if (_disabled < 0) withheld.Add(nameof(User.Enabled));
            _withheld = withheld.ToArray();
        }

        /// <summary>The file's top department once a row has named it (a 部门 that starts again with it after '，' is a row error).</summary>
        public string FileTop { get; set; }

        /// <summary>What the last parsed row gets a warning for (a 职务 longer than WeCom allows), or null; the row is read.</summary>
        public string Warning { get; private set; }

        /// <summary>Masked values met so far (138****0005): read as unknown, counted for one warning per file.</summary>
        public int MaskedValues { get; private set; }

        /// <summary>
        /// Parses a row. Returns the user, or null with <paramref name="problem"/> set to (code, reason) for the first
        /// rule the row breaks. <paramref name="unknown"/> (null when the row has none) holds, per column, what an
        /// unreadable cell holds instead of a value ("#N/A", a formula without a value): unknown, never empty.
        /// The user's Departments may be empty: the member belongs to the top department, which the caller resolves.
        /// </summary>
        public User Parse(string[] cells, string[] unknown, out (string Code, string Reason) problem)
        {
            problem = (null, null);
            Warning = null;
            // Cell cleaning and validation first: the required cells must hold a value.
            if (Unreadable(unknown, _name, "姓名 (name)", out problem)) return null;
            string name = Cell(cells, _name);
            if (name.Length == 0) { problem = (ProblemCodes.EmptyName, "姓名 (name) is empty"); return null; }
            // Characters as WeCom counts them: an emoji is one, not its two UTF-16 units.
            int nameLength = Text.Characters(name);
            if (nameLength > MaxNameLength) { problem = (ProblemCodes.NameTooLong, $"姓名 (name) is {nameLength} characters long; WeCom allows at most {MaxNameLength}"); return null; }
            if (HasLineBreak(name)) { problem = (ProblemCodes.InvalidName, $"姓名 (name) {Text.Describe(name)}; a name is one line"); return null; }
            if (Unreadable(unknown, _userId, "账号 (userid)", out problem)) return null;
            var id = ReadUserId(Cell(cells, _userId));
            if (id.Problem != null) { problem = id.Problem.Value; return null; }
            if (Unreadable(unknown, _department, "部门 (department)", out problem)) return null;

            var user = new User
            {
                Source = DirectorySource.WeComExport,
                UserId = id.UserId,
                PreviousUserId = id.Previous,
                Name = name,
            };
            foreach (string field in _withheld) user.WithheldFields.Add(field);

            // Mobile and emails: a masked or unreadable value is unknown (null, never compared or written) but still
            // counts as "the member has one" for WeCom's mobile-or-email rule.
            bool hasContact = false, hasUnknownContact = false;
            foreach (var (field, column) in _values)
            {
                switch (field.Kind)
                {
                    case FieldKind.Text:
                        field.SetText(user, Optional(cells, unknown, column));
                        break;
                    case FieldKind.Gender:
                        if (!IsUnknown(unknown, column)) field.Set(user, ParseGender(Cell(cells, column)));
                        break;
                    case FieldKind.Mobile:
                    case FieldKind.Email:
                        string raw = Cell(cells, column);
                        if (IsUnknown(unknown, column) || Text.IsMasked(raw)) { hasUnknownContact = true; Unknown(user, field.Name, raw); break; }
                        string value = ReadContact(field, raw, out problem);
                        if (problem.Code != null) return null;
                        field.SetText(user, value);
                        hasContact |= !string.IsNullOrEmpty(value);
                        break;
                }
            }
            int positionLength = Text.Characters(user.Position);
            if (positionLength > MaxPositionLength)
                Warning = $"职务 (position) is {positionLength} characters long; WeCom allows at most {MaxPositionLength}. It is read as it is (Authing takes it), but a sync to WeCom would refuse this member: shorten it";
            if (!hasUnknownContact && !hasContact)
            {
                problem = (ProblemCodes.NoMobileOrEmail, "the member has neither 手机 (mobile) nor 邮箱 (email); WeCom needs one of them");
                return null;
            }

            if (_activation >= 0 || _disabled >= 0) ParseStatus(user, Optional(cells, unknown, _activation), Optional(cells, unknown, _disabled));

            var departments = DepartmentPaths.Split(Cell(cells, _department));
            if (departments.Count > DepartmentPaths.MaxDepartmentsPerUser)
            {
                problem = (ProblemCodes.TooManyDepartments, $"the member is in {departments.Count} departments; WeCom allows at most {DepartmentPaths.MaxDepartmentsPerUser}");
                return null;
            }
            foreach (string path in departments)
            {
                var bad = DepartmentPaths.Check(path, FileTop);
                if (bad.Code != null) { problem = bad; return null; }
            }
            user.Departments = departments;
            user.DepartmentPaths = departments; // the export names departments by their paths

            for (int i = 0; i < _columns.Fields.Count; i++)
            {
                if (_columns.Fields[i] != null || IsUnknown(unknown, i)) continue;
                string value = Cell(cells, i);
                if (value.Length == 0 && _columns.Unnamed[i]) continue;
                user.SetExtra(_extraSlots[i], value);
            }
            return user;
        }

        /// <summary>A mobile number in its "+CC number" form, or an email address; sets <paramref name="problem"/> when it is not one.</summary>
        private string ReadContact(UserFieldDefinition field, string raw, out (string Code, string Reason) problem)
        {
            problem = (null, null);
            if (field.Kind == FieldKind.Mobile)
            {
                if (raw.Length == 0) return raw;
                string bad = CheckMobile(raw, out string normalized);
                if (bad != null) problem = (ProblemCodes.InvalidMobile, bad);
                return normalized;
            }
            string email = EmailAddress.Parse(raw, out string badEmail);
            if (badEmail != null) problem = (ProblemCodes.InvalidEmail, $"{field.Headers[0]} '{Text.Visible(raw)}' {badEmail}");
            return email;
        }

        /// <summary>
        /// The 账号 a row names, as far as it can be read whatever else is wrong with the row: the id (and the old id of
        /// an old:new rename) with invisible characters dropped. Null when it cannot be read (empty, an error cell, not
        /// a valid id): such a row could be anyone.
        /// </summary>
        public string[] ReadKeys(string[] cells, string[] unknown)
        {
            if (IsUnknown(unknown, _userId)) return null;
            string raw = Text.Visible(Cell(cells, _userId));
            var id = ReadUserId(raw);
            // A 账号 typed in full-width letters names one member unambiguously: its ASCII form is protected from deletes.
            if (id.Problem != null && Text.AsciiOfFullWidth(raw) is string ascii) id = ReadUserId(ascii);
            if (id.Problem != null) return null;
            return id.Previous == null ? new[] { id.UserId } : new[] { id.UserId, id.Previous };
        }

        /// <summary>
        /// The department paths a row names, whatever else is wrong with it; null (with <paramref name="why"/>) when the
        /// 部门 cell cannot be read (an error cell, a path WeCom would refuse).
        /// </summary>
        public IReadOnlyList<string> ReadDepartments(string[] cells, string[] unknown, out string why)
        {
            why = null;
            if (IsUnknown(unknown, _department)) { why = $"its 部门 cell holds {unknown[_department]}"; return null; }
            var paths = DepartmentPaths.Split(Cell(cells, _department));
            foreach (string path in paths)
            {
                var bad = DepartmentPaths.Check(path, FileTop);
                if (bad.Code != null) { why = "its " + bad.Reason; return null; }
            }
            return paths;
        }

        /// <summary>Why <see cref="ReadKeys"/> found no 账号, for the message that the file is incomplete.</summary>
        public string WhyNoKey(string[] cells, string[] unknown)
        {
            if (IsUnknown(unknown, _userId)) return $"its 账号 cell holds {unknown[_userId]}";
            string raw = Cell(cells, _userId);
            if (raw.Length == 0) return "its 账号 is empty";
            return ReadUserId(Text.Visible(raw)).Problem?.Reason ?? "its 账号 cannot be read";
        }

        /// <summary>账号, or old:new (the template's instruction 3: a generated account can be renamed once).</summary>
        private static (string UserId, string Previous, (string Code, string Reason)? Problem) ReadUserId(string raw)
        {
            if (raw.Length == 0) return (null, null, (ProblemCodes.EmptyUserId, "账号 (userid) is empty"));
            string userId = raw, previous = null;
            int colon = raw.IndexOf(':');
            if (colon < 0) colon = raw.IndexOf('：');
            if (colon >= 0)
            {
                previous = Text.CleanInvisible(raw.Substring(0, colon));
                userId = Text.CleanInvisible(raw.Substring(colon + 1));
                if (previous.Length == 0 || userId.Length == 0)
                    return (null, null, (ProblemCodes.InvalidUserId, $"账号 '{Text.Visible(raw)}' is not a valid rename; write old_userid:new_userid"));
                string badOld = CheckUserId(previous);
                if (badOld != null) return (null, null, (ProblemCodes.InvalidUserId, $"the old 账号 in '{Text.Visible(raw)}' {badOld}"));
            }
            string badId = CheckUserId(userId);
            if (badId != null) return (null, null, (ProblemCodes.InvalidUserId, Text.IndexOfInvisible(userId) >= 0 ? $"账号 {badId}" : $"账号 '{userId}' {badId}"));
            return (userId, previous, null);
        }

        private static bool IsUnknown(string[] unknown, int index) => unknown != null && index >= 0 && index < unknown.Length && unknown[index] != null;

        private static bool Unreadable(string[] unknown, int index, string field, out (string Code, string Reason) problem)
        {
            problem = (null, null);
            if (!IsUnknown(unknown, index)) return false;
            problem = (ProblemCodes.UnreadableCell, $"{field} holds {unknown[index]}, not a value (the cell is not empty: fix the formula or type the value, then export or save again)");
            return true;
        }

        /// <summary>A value the file does not show (masked or an error cell): null, withheld, counted when masked.</summary>
        private void Unknown(User user, string field, string text)
        {
            user.WithheldFields.Add(field);
            if (Text.IsMasked(text)) MaskedValues++;
        }

        private static bool HasLineBreak(string text)
        {
            foreach (char c in text) if (char.IsControl(c)) return true;
            return false;
        }

        private static string Cell(string[] cells, int index) =>
            index < 0 || index >= cells.Length ? string.Empty : (Text.CleanInvisible(cells[index]) ?? string.Empty);

        private static string Optional(string[] cells, string[] unknown, int index) => index < 0 || IsUnknown(unknown, index) ? null : Cell(cells, index);

        /// <summary>Null when valid, else what is wrong (completing "账号 'x' …").</summary>
        internal static string CheckUserId(string id)
        {
            if (id.Length > MaxUserIdLength) return $"is {id.Length} characters long; at most {MaxUserIdLength} are allowed";
            foreach (char c in id)
                if (Text.IsInvisible(c)) return $"{Text.Describe(id)}, which cannot be seen in Excel; retype the 账号 with only letters, digits, '.', '-', '_' and '@'";
            // Full-width letters and digits (ｚｈｏｕｊｉｕ): they look right in Excel, and WeCom takes only ASCII ones.
            string ascii = Text.AsciiOfFullWidth(id);
            if (ascii != null && CheckUserId(ascii) == null)
                return $"is written in full-width characters (a Chinese input method in full-width mode); WeCom allows only ASCII letters, digits, '.', '-', '_' and '@'. Its ASCII form is '{ascii}': retype it in half-width mode";
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
            int digits = 0;
            for (int i = 0; i < normalized.Length; i++)
            {
                char c = normalized[i];
                if (c >= '0' && c <= '9') digits++;
                else if (!(c == '+' && i == 0) && c != ' ') return Text.IsInvisible(c) ? $"手机 {Text.Describe(mobile)}, which is not part of a phone number" : $"手机 '{mobile}' is not a phone number";
            }
            if (normalized[0] != '+' || digits < 6 || digits > 20) return $"手机 '{mobile}' is not a phone number";
            return null;
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
