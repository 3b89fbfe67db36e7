using System.Globalization;
using System.Text;

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

        /// <summary>
        /// <see cref="Clean"/>, and also removes what is invisible padding in a cell: control characters (line breaks from
        /// Alt+Enter or <c>_x000D_</c>, tabs) and the word joiner / soft hyphen at the ends, and the characters that
        /// never mean anything in a name or an id (U+200B zero-width space, U+2060 word joiner, U+FEFF, U+00AD soft
        /// hyphen) anywhere. Joiners (U+200C/U+200D, which shape emoji and some scripts) and line breaks inside the
        /// text are kept: a validator decides, and <see cref="Describe"/> names them.
        /// </summary>
        public static string CleanInvisible(string value)
        {
            if (value == null) return null;
            int start = 0, end = value.Length - 1;
            while (start <= end && IsPadding(value[start])) start++;
            while (end >= start && IsPadding(value[end])) end--;
            if (start > end) return string.Empty;
            StringBuilder sb = null;
            for (int i = start; i <= end; i++)
            {
                char c = value[i];
                bool drop = IsMeaningless(c);
                if (drop && sb == null) sb = new StringBuilder(value, start, i - start, end - start + 1);
                else if (!drop) sb?.Append(c);
            }
            return sb?.ToString() ?? (start == 0 && end == value.Length - 1 ? value : value.Substring(start, end - start + 1));
        }

        /// <summary>Removes every invisible, control or format character and trims: the text an admin reads on screen.</summary>
        public static string Visible(string value)
        {
            if (value == null) return null;
            var sb = new StringBuilder(value.Length);
            foreach (char c in value) if (!IsInvisible(c)) sb.Append(c);
            return Clean(sb.ToString());
        }

        private static bool IsPadding(char c) => IsBlank(c) || char.IsControl(c) || IsMeaningless(c);

        private static bool IsMeaningless(char c) => c == '\u200B' || c == '\u2060' || c == '\uFEFF' || c == '\u00AD';

        /// <summary>True for characters an admin cannot see in a cell: controls, format characters (zero-width ones) and blanks other than the space.</summary>
        public static bool IsInvisible(char c)
        {
            if (c == ' ') return false;
            if (char.IsControl(c) || IsBlank(c)) return true;
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            return category == UnicodeCategory.Format || category == UnicodeCategory.LineSeparator || category == UnicodeCategory.ParagraphSeparator;
        }

        /// <summary>Index of the first invisible character, or -1.</summary>
        public static int IndexOfInvisible(string value)
        {
            if (value == null) return -1;
            for (int i = 0; i < value.Length; i++) if (IsInvisible(value[i])) return i;
            return -1;
        }

        /// <summary>
        /// True for a value the console masked for an admin without the right to see personal data: 138****0005,
        /// zh***@example.com. Such a value is unknown, not wrong.
        /// </summary>
        public static bool IsMasked(string value) => value != null && (value.IndexOf("**", System.StringComparison.Ordinal) >= 0 || value.IndexOf('＊') >= 0 || (value.IndexOf('*') > 0 && value.IndexOf('@') > 0));

        /// <summary>
        /// The length of a text as WeCom counts it: in characters (Unicode code points; "长度为1~64个utf8字符"), so an
        /// emoji outside the Basic Multilingual Plane counts once, not as its two UTF-16 units.
        /// </summary>
        public static int Characters(string value)
        {
            if (value == null) return 0;
            int n = 0;
            for (int i = 0; i < value.Length; i++)
            {
                n++;
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            }
            return n;
        }

        /// <summary>
        /// The ASCII form of a text written in full-width ASCII (U+FF01–U+FF5E, what a Chinese input method in full-width
        /// mode types: ｚｈｏｕｊｉｕ, ０１２３) null when it has none.
        /// </summary>
        public static string AsciiOfFullWidth(string value)
        {
            if (value == null) return null;
            char[] chars = null;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c < '\uFF01' || c > '\uFF5E') continue;
                (chars = chars ?? value.ToCharArray())[i] = (char)(c - 0xFEE0);
            }
            return chars == null ? null : new string(chars);
        }

        /// <summary>"U+200C (zero-width non-joiner)": a character by its code point, never as a glyph.</summary>
        public static string CodePoint(char c)
        {
            string name;
            switch (c)
            {
                case '\u200B': name = "zero-width space"; break;
                case '\u200C': name = "zero-width non-joiner"; break;
                case '\u200D': name = "zero-width joiner"; break;
                case '\u2060': name = "word joiner"; break;
                case '\uFEFF': name = "zero-width no-break space"; break;
                case '\u00AD': name = "soft hyphen"; break;
                case '\u00A0': name = "no-break space"; break;
                case '\u3000': name = "full-width space"; break;
                case '\n': name = "line break"; break;
                case '\r': name = "carriage return"; break;
                case '\t': name = "tab"; break;
                case ' ': name = "space"; break;
                default: name = char.IsControl(c) ? "control character" : char.IsWhiteSpace(c) ? "space character" : IsInvisible(c) ? "invisible character" : null; break;
            }
            string code = "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
            return name == null ? $"'{c}' ({code})" : $"{code} ({name})";
        }

        /// <summary>
        /// Where the first invisible character of <paramref name="value"/> is, readable on any console:
        /// "'user03' ends with U+200C (zero-width non-joiner)", "'研发部' has U+000A (line break) after '研'".
        /// Null when it has none.
        /// </summary>
        public static string Describe(string value)
        {
            int i = IndexOfInvisible(value);
            if (i < 0) return null;
            string visible = Visible(value);
            string what = CodePoint(value[i]);
            if (Visible(value.Substring(i + 1)).Length == 0) return $"'{visible}' ends with {what}";
            if (Visible(value.Substring(0, i)).Length == 0) return $"'{visible}' starts with {what}";
            return $"'{visible}' has {what} after '{Visible(value.Substring(0, i))}'";
        }
    }
}
