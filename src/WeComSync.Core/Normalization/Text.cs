namespace WeComSync.Normalization
{
    /// <summary>Text clean-up shared by the reader and the comparison, so both agree on what "the same" means.</summary>
    public static class Text
    {
        /// <summary>
        /// Trims ordinary and full-width (U+3000) spaces, non-breaking spaces and zero-width characters that Excel
        /// and copy-paste leave behind. Null stays null (unknown); whitespace-only becomes "" (known empty).
        /// </summary>
        public static string Clean(string value)
        {
            if (value == null) return null;
            int start = 0, end = value.Length - 1;
            while (start <= end && IsBlank(value[start])) start++;
            while (end >= start && IsBlank(value[end])) end--;
            return start > end ? string.Empty : value.Substring(start, end - start + 1);
        }

        public static bool IsBlank(char c) =>
            char.IsWhiteSpace(c) || c == '\u3000' || c == '\u00A0' || c == '\u200B' || c == '\uFEFF';
    }
}
