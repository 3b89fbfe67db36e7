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
    }
}
