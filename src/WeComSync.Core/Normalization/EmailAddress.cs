namespace WeComSync.Normalization
{
    /// <summary>
    /// Email addresses compare without case and without stray blanks: "Zhang.San@Acme.com " and "zhang.san@acme.com"
    /// are the same mailbox to every administrator (and to both WeCom and Authing).
    /// </summary>
    public static class EmailAddress
    {
        /// <summary>The comparison form: cleaned and lower-cased. Null stays null (unknown), blank becomes "".</summary>
        public static string Normalize(string value)
        {
            value = Text.Clean(value);
            return string.IsNullOrEmpty(value) ? value : value.ToLowerInvariant();
        }

        public static bool Same(string a, string b) =>
            string.Equals(a, b, System.StringComparison.Ordinal) || string.Equals(Text.Clean(a), Text.Clean(b), System.StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The address in a cell as people paste it: "mailto:zs@acme.com", "张三 &lt;zs@acme.com&gt;", "zs@acme.com;" or
        /// with a full-width ＠ become "zs@acme.com". Returns null with <paramref name="problem"/> set when what is left
        /// is not an address (completing "邮箱 'x' …"); "" stays "".
        /// </summary>
        public static string Parse(string cell, out string problem)
        {
            problem = null;
            string value = Text.CleanInvisible(cell);
            if (string.IsNullOrEmpty(value)) return value;
            int open = value.LastIndexOf('<'), close = value.LastIndexOf('>');
            if (open >= 0 && close > open) value = value.Substring(open + 1, close - open - 1);
            value = Text.Clean(value.Replace('＠', '@'));
            if (value.StartsWith("mailto:", System.StringComparison.OrdinalIgnoreCase)) value = Text.Clean(value.Substring(7));
            value = value.TrimEnd('.', ',', ';', '，', '；', '。', '、').TrimStart(',', ';', '，', '；');
            value = Text.Clean(value);

            int at = value.IndexOf('@');
            if (at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1) { problem = "is not an email address (one '@' between a name and a domain)"; return null; }
            string domain = value.Substring(at + 1);
            if (domain.IndexOf('.') <= 0 || domain.EndsWith(".") || domain.Contains("..") || value.StartsWith("."))
            {
                problem = $"has no valid domain after '@' ('{domain}')";
                return null;
            }
            foreach (char c in value)
            {
                if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\' || c == '，' || c == '；' || Text.IsInvisible(c))
                {
                    problem = $"contains {Text.CodePoint(c)}; an email address has no spaces, commas or brackets";
                    return null;
                }
            }
            return value;
        }
    }
}
