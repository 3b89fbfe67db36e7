using System;
using System.Collections.Generic;
using WeComSync.Normalization;

namespace WeComSync.AddressBook
{
    /// <summary>The model fields an export column can hold.</summary>
    public enum AddressBookField
    {
        /// <summary>A column we do not map: kept in <c>User.Extra</c> under its header text.</summary>
        Extra = 0,
        Name,
        UserId,
        Alias,
        Position,
        Department,
        Gender,
        Mobile,
        Telephone,
        Email,
        BizMail,
        Address,
        Activation,
        Disabled,
    }

    /// <summary>
    /// Which column holds which field, found by header text (never by position: variants add and move columns).
    /// Chinese headers as the console writes them, the older spellings (帐号, 个人邮箱) and English headers as a fallback.
    /// </summary>
    public sealed class AddressBookColumns
    {
        private static readonly Dictionary<string, AddressBookField> Known = new Dictionary<string, AddressBookField>(StringComparer.OrdinalIgnoreCase)
        {
            ["姓名"] = AddressBookField.Name,
            ["账号"] = AddressBookField.UserId,
            ["帐号"] = AddressBookField.UserId,
            ["别名"] = AddressBookField.Alias,
            ["职务"] = AddressBookField.Position,
            ["部门"] = AddressBookField.Department,
            ["性别"] = AddressBookField.Gender,
            ["手机"] = AddressBookField.Mobile,
            ["座机"] = AddressBookField.Telephone,
            ["邮箱"] = AddressBookField.Email,
            ["个人邮箱"] = AddressBookField.Email,
            ["企业邮箱"] = AddressBookField.BizMail,
            ["地址"] = AddressBookField.Address,
            ["激活状态"] = AddressBookField.Activation,
            ["禁用状态"] = AddressBookField.Disabled,

            ["Name"] = AddressBookField.Name,
            ["Account"] = AddressBookField.UserId,
            ["UserID"] = AddressBookField.UserId,
            ["User ID"] = AddressBookField.UserId,
            ["Alias"] = AddressBookField.Alias,
            ["Position"] = AddressBookField.Position,
            ["Title"] = AddressBookField.Position,
            ["Department"] = AddressBookField.Department,
            ["Gender"] = AddressBookField.Gender,
            ["Mobile"] = AddressBookField.Mobile,
            ["Telephone"] = AddressBookField.Telephone,
            ["Email"] = AddressBookField.Email,
            ["Personal Email"] = AddressBookField.Email,
            ["Biz Mail"] = AddressBookField.BizMail,
            ["BizMail"] = AddressBookField.BizMail,
            ["Business Email"] = AddressBookField.BizMail,
            ["Address"] = AddressBookField.Address,
            ["Status"] = AddressBookField.Activation,
            ["Activation Status"] = AddressBookField.Activation,
            ["Disable Status"] = AddressBookField.Disabled,
            ["Disabled Status"] = AddressBookField.Disabled,
        };

        /// <summary>The required columns, by the name an admin sees in the console's template.</summary>
        public static readonly IReadOnlyList<(AddressBookField Field, string Header)> Required = new[]
        {
            (AddressBookField.Name, "姓名"),
            (AddressBookField.UserId, "账号"),
            (AddressBookField.Department, "部门"),
        };

        private readonly int[] _indexOf;

        private AddressBookColumns(string[] headers, AddressBookField[] fields, int[] indexOf, bool[] unnamed)
        {
            Headers = headers;
            Unnamed = unnamed;
            Fields = fields;
            _indexOf = indexOf;
        }

        /// <summary>Header text per column (cleaned); "" for an unnamed column.</summary>
        public IReadOnlyList<string> Headers { get; }

        /// <summary>True for a column without header text: its cells are kept only when not empty.</summary>
        public IReadOnlyList<bool> Unnamed { get; }

        /// <summary>The field each column holds (Extra for custom columns).</summary>
        public IReadOnlyList<AddressBookField> Fields { get; }

        /// <summary>Column index of a field, or -1 when the file has no such column.</summary>
        public int IndexOf(AddressBookField field) => _indexOf[(int)field];

        public bool Has(AddressBookField field) => _indexOf[(int)field] >= 0;

        /// <summary>Cleans a header cell: trims (full-width spaces too) and drops the '*' some templates use to mark required columns.</summary>
        public static string CleanHeader(string text)
        {
            text = Text.Clean(text) ?? string.Empty;
            if (text.IndexOf('*') >= 0 || text.IndexOf('＊') >= 0) text = Text.Clean(text.Replace("*", string.Empty).Replace("＊", string.Empty));
            return text;
        }

        public static AddressBookField FieldOf(string header) =>
            Known.TryGetValue(CleanHeader(header), out var field) ? field : AddressBookField.Extra;

        /// <summary>True when the row looks like the header: it names 姓名 and 账号/帐号 (or Name and Account/UserID).</summary>
        public static bool IsHeaderRow(IReadOnlyList<string> cells)
        {
            bool name = false, userId = false;
            for (int i = 0; i < cells.Count; i++)
            {
                string text = cells[i];
                if (string.IsNullOrEmpty(text)) continue;
                var field = FieldOf(text);
                if (field == AddressBookField.Name) name = true;
                else if (field == AddressBookField.UserId) userId = true;
            }
            return name && userId;
        }

        /// <summary>Maps a header row. The first column for a field wins; a repeated one is kept as a custom column.</summary>
        public static AddressBookColumns FromHeader(IReadOnlyList<string> cells)
        {
            int fieldCount = Enum.GetValues(typeof(AddressBookField)).Length;
            var indexOf = new int[fieldCount];
            for (int i = 0; i < indexOf.Length; i++) indexOf[i] = -1;
            var headers = new string[cells.Count];
            var fields = new AddressBookField[cells.Count];
            var unnamed = new bool[cells.Count];
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < cells.Count; i++)
            {
                string header = CleanHeader(cells[i]);
                var field = header.Length == 0 ? AddressBookField.Extra : FieldOf(header);
                if (field != AddressBookField.Extra && indexOf[(int)field] >= 0) field = AddressBookField.Extra;
                if (field != AddressBookField.Extra) indexOf[(int)field] = i;
                // Custom columns are keyed by header text: make repeated or empty headers unique and readable.
                if (field == AddressBookField.Extra)
                {
                    if (header.Length == 0) { header = "Column" + (i + 1); unnamed[i] = true; }
                    string unique = header;
                    for (int n = 2; seen.Contains(unique); n++) unique = header + " (" + n + ")";
                    header = unique;
                }
                seen.Add(header);
                headers[i] = header;
                fields[i] = field;
            }
            return new AddressBookColumns(headers, fields, indexOf, unnamed);
        }
    }
}
