using System;
using System.Collections.Generic;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// Which column holds which field, found by header text (never by position: variants add and move columns).
    /// Chinese headers as the console writes them, the older spellings (帐号, 个人邮箱) and English headers as a fallback.
    /// </summary>
    public sealed class AddressBookColumns
    {
        /// <summary>Field name of the userid column (the key; not a compared field).</summary>
        public const string UserId = "UserId";

        /// <summary>Field name of the 激活状态 column (read into Status; not a compared field).</summary>
        public const string Activation = "Activation";

        // Header → field name: the userid and 激活状态 columns, and every built-in field's headers from the registry.
        private static readonly Dictionary<string, string> Known = BuildKnown();

        private static Dictionary<string, string> BuildKnown()
        {
            var known = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in UserFieldRegistry.UserIdHeaders) known[h] = UserId;
            foreach (var h in UserFieldRegistry.ActivationHeaders) known[h] = Activation;
            foreach (var f in UserFieldRegistry.BuiltIn)
                foreach (var h in f.Headers)
                    if (!known.ContainsKey(h)) known[h] = f.Name;
            return known;
        }

        /// <summary>The required columns, by the name an admin sees in the console's template.</summary>
        public static readonly IReadOnlyList<(string Field, string Header)> Required = new[]
        {
            (nameof(User.Name), "姓名"),
            (UserId, "账号"),
            (nameof(User.Departments), "部门"),
        };

        private readonly Dictionary<string, int> _indexOf;

        private AddressBookColumns(string[] headers, string[] fields, Dictionary<string, int> indexOf, bool[] unnamed)
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

        /// <summary>The field each column holds (a registry field name, <see cref="UserId"/> or <see cref="Activation"/>); null for custom columns.</summary>
        public IReadOnlyList<string> Fields { get; }

        /// <summary>Column index of a field, or -1 when the file has no such column.</summary>
        public int IndexOf(string field) => _indexOf.TryGetValue(field, out var i) ? i : -1;

        public bool Has(string field) => _indexOf.ContainsKey(field);

        /// <summary>Cleans a header cell: trims (full-width spaces too) and drops the '*' some templates use to mark required columns.</summary>
        public static string CleanHeader(string text)
        {
            text = Text.Clean(text) ?? string.Empty;
            if (text.IndexOf('*') >= 0 || text.IndexOf('＊') >= 0) text = Text.Clean(text.Replace("*", string.Empty).Replace("＊", string.Empty));
            return text;
        }

        /// <summary>The field a header names; null for a custom column.</summary>
        public static string FieldOf(string header) =>
            Known.TryGetValue(CleanHeader(header), out var field) ? field : null;

        /// <summary>True when the row looks like the header: it names 姓名 and 账号/帐号 (or Name and Account/UserID).</summary>
        public static bool IsHeaderRow(IReadOnlyList<string> cells)
        {
            bool name = false, userId = false;
            for (int i = 0; i < cells.Count; i++)
            {
                string text = cells[i];
                if (string.IsNullOrEmpty(text)) continue;
                var field = FieldOf(text);
                if (field == nameof(User.Name)) name = true;
                else if (field == UserId) userId = true;
            }
            return name && userId;
        }

        /// <summary>Maps a header row. The first column for a field wins; a repeated one is kept as a custom column.</summary>
        public static AddressBookColumns FromHeader(IReadOnlyList<string> cells)
        {
            var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
            var headers = new string[cells.Count];
            var fields = new string[cells.Count];
            var unnamed = new bool[cells.Count];
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < cells.Count; i++)
            {
                string header = CleanHeader(cells[i]);
                var field = header.Length == 0 ? null : FieldOf(header);
                if (field != null && indexOf.ContainsKey(field)) field = null;
                if (field != null) indexOf[field] = i;
                // Custom columns are keyed by header text: make repeated or empty headers unique and readable.
                if (field == null)
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
