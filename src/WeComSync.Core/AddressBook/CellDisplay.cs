using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// A number cell's text as Excel displays it, from the cell's number format (ExcelDataReader gives the format's id and
    /// code, from styles.xml numFmts/cellXfs in an .xlsx and the FORMAT/XF records of an .xls). What matters for an
    /// export: a 账号 00123 kept as the number 123 with the format <c>00000</c> reads "00123", a 工号 with
    /// <c>"E"00000</c> reads "E00123", a date with one of the built-in East Asian date formats reads as an ISO date.
    /// <para>
    /// Deliberate differences from Excel's display, because the values are ids and contact data: thousands separators
    /// are never written (an id has none), and a scientific format (<c>0.00E+00</c>) keeps all the stored digits
    /// (a mobile number must not become 1.38E+10). Formats it does not know (fractions, conditions) keep the digits too.
    /// </para>
    /// </summary>
    internal sealed class CellDisplay
    {
        // The built-in formats ExcelDataReader 3.6 does not know (it returns the serial as a number): Excel's East Asian
        // date and time formats, ECMA-376 Part 1 §18.8.30 (zh-cn, zh-tw, ja-jp, ko-kr), and the Thai ones 71–81.
        private static bool IsBuiltInDate(int id) => (id >= 27 && id <= 36) || (id >= 50 && id <= 58) || (id >= 71 && id <= 81);

        private readonly Dictionary<string, Format> _formats = new Dictionary<string, Format>(StringComparer.Ordinal);

        /// <summary>The text of a number cell with format <paramref name="id"/> / <paramref name="code"/>.</summary>
        public string Number(double value, int id, string code)
        {
            if (IsBuiltInDate(id) && string.IsNullOrEmpty(code)) return Date(value);
            if (string.IsNullOrEmpty(code) || id == 0 || id == 49) return SpreadsheetFile.ToText(value);
            if (!_formats.TryGetValue(code, out var format)) _formats[code] = format = Format.Parse(code);
            return format?.Apply(value) ?? SpreadsheetFile.ToText(value);
        }

        /// <summary>An ISO date (with the time when it has one), or the time alone for a value under one day.</summary>
        internal static string Date(double serial)
        {
            if (double.IsNaN(serial) || serial < 0 || serial >= 2958466) return SpreadsheetFile.ToText(serial);
            DateTime when;
            try { when = DateTime.FromOADate(serial); }
            catch (ArgumentException) { return SpreadsheetFile.ToText(serial); }
            // Whole seconds, as Excel shows them (a serial carries floating-point noise below a millisecond).
            when = new DateTime((when.Ticks + TimeSpan.TicksPerSecond / 2) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond);
            return SpreadsheetFile.ToText(when);
        }

        /// <summary>One parsed number format: the section for each sign, each a list of placeholders and literals.</summary>
        private sealed class Format
        {
            private Section _positive, _negative, _zero;

            public static Format Parse(string code)
            {
                var sections = SplitSections(code);
                var format = new Format();
                var parsed = new List<Section>();
                foreach (string s in sections)
                {
                    var section = Section.Parse(s);
                    if (section == null) return null; // a date, a condition, a fraction, scientific: keep the digits
                    parsed.Add(section);
                    if (parsed.Count == 3) break;    // a fourth section is for text
                }
                if (parsed.Count == 0) return null;
                format._positive = parsed[0];
                format._negative = parsed.Count > 1 ? parsed[1] : null;
                format._zero = parsed.Count > 2 ? parsed[2] : null;
                return format;
            }

            public string Apply(double value)
            {
                if (double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) > 1e15) return null;
                if (value == 0 && _zero != null) return _zero.Apply(0);
                if (value < 0) return _negative != null ? _negative.Apply(-value) : "-" + _positive.Apply(-value);
                return _positive.Apply(value);
            }

            private static List<string> SplitSections(string code)
            {
                var list = new List<string>();
                var current = new StringBuilder();
                bool quoted = false, bracket = false;
                for (int i = 0; i < code.Length; i++)
                {
                    char c = code[i];
                    if (c == '\\' && !quoted && i + 1 < code.Length) { current.Append(c).Append(code[++i]); continue; }
                    if (c == '"' && !bracket) quoted = !quoted;
                    else if (c == '[' && !quoted) bracket = true;
                    else if (c == ']' && !quoted) bracket = false;
                    else if (c == ';' && !quoted && !bracket) { list.Add(current.ToString()); current.Clear(); continue; }
                    current.Append(c);
                }
                list.Add(current.ToString());
                return list;
            }
        }

        private sealed class Section
        {
            // Integer and decimal parts: a placeholder is '0', '#' or '?'; anything else in the list is literal text.
            private readonly List<string> _integer = new List<string>(), _fraction = new List<string>();
            private int _percent, _decimals;
            private bool _hasDigits;

            public static Section Parse(string code)
            {
                var s = new Section();
                bool afterPoint = false;
                void Literal(string t) { if (t.Length == 0) return; (afterPoint ? s._fraction : s._integer).Add(t); }
                for (int i = 0; i < code.Length; i++)
                {
                    char c = code[i];
                    switch (c)
                    {
                        case '"':
                            int end = code.IndexOf('"', i + 1);
                            if (end < 0) end = code.Length;
                            Literal(code.Substring(i + 1, end - i - 1));
                            i = end;
                            break;
                        case '\\':
                            if (i + 1 < code.Length) Literal(code[++i].ToString());
                            break;
                        case '_': i++; break;          // a space as wide as the next character: nothing to read
                        case '*': i++; break;          // fill with the next character: nothing to read
                        case '[':
                            int close = code.IndexOf(']', i);
                            if (close < 0) return null;
                            string tag = code.Substring(i + 1, close - i - 1);
                            if (tag.StartsWith("$", StringComparison.Ordinal))
                            {
                                // [$¥-804]: a currency symbol and a locale; the symbol is shown.
                                int dash = tag.IndexOf('-');
                                Literal(dash < 0 ? tag.Substring(1) : tag.Substring(1, dash - 1));
                            }
                            else if (tag.Length > 0 && (tag[0] == '<' || tag[0] == '>' || tag[0] == '=' || char.ToLowerInvariant(tag[0]) == 'h' || char.ToLowerInvariant(tag[0]) == 'm' || char.ToLowerInvariant(tag[0]) == 's'))
                                return null; // a condition or an elapsed time
                            i = close;                 // a colour: nothing to read
                            break;
                        case '0': case '#': case '?':
                            (afterPoint ? s._fraction : s._integer).Add(c.ToString());
                            if (afterPoint) s._decimals++;
                            s._hasDigits = true;
                            break;
                        case '.':
                            if (afterPoint) return null;
                            afterPoint = true;
                            break;
                        case ',': break;               // grouping (or scaling): never in an id
                        case '%': s._percent++; Literal("%"); break;
                        case '@': return null;         // the text section
                        case '/': return null;         // a fraction
                        case 'E': case 'e':
                            if (i + 1 < code.Length && (code[i + 1] == '+' || code[i + 1] == '-')) return null; // scientific
                            return null;               // 'e' is a year in a date format
                        default:
                            // Letters that make a date or time format (ExcelDataReader gives those cells as dates already).
                            if ("yYmMdDhHsSgGbB".IndexOf(c) >= 0) return null;
                            if (c == 'A' || c == 'a') return null; // AM/PM, A/P
                            Literal(c.ToString());
                            break;
                    }
                }
                if (!s._hasDigits) return null; // literal text only ("-" for zero in an accounting format): keep the number
                return s;
            }

            public string Apply(double value)
            {
                for (int p = 0; p < _percent; p++) value *= 100;
                decimal rounded;
                try { rounded = Math.Round((decimal)value, _decimals, MidpointRounding.AwayFromZero); }
                catch (OverflowException) { return null; }
                string digits = rounded.ToString("F" + _decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                int point = digits.IndexOf('.');
                string whole = point < 0 ? digits : digits.Substring(0, point);
                string fraction = point < 0 ? "" : digits.Substring(point + 1);
                if (whole == "0") whole = ""; // "#" shows nothing for zero, "0" shows 0

                // The integer part, right to left: each placeholder takes a digit; the leftmost takes all the rest.
                var result = new StringBuilder();
                int leftmost = _integer.FindIndex(t => IsPlaceholder(t));
                int next = whole.Length - 1;
                for (int t = _integer.Count - 1; t >= 0; t--)
                {
                    string token = _integer[t];
                    if (!IsPlaceholder(token)) { result.Insert(0, token); continue; }
                    if (t == leftmost && next >= 0) { result.Insert(0, whole.Substring(0, next + 1)); next = -1; continue; }
                    if (next >= 0) result.Insert(0, whole[next--]);
                    else if (token == "0") result.Insert(0, '0');
                    else if (token == "?") result.Insert(0, ' ');
                }
                if (leftmost < 0 && whole.Length > 0) result.Append(whole); // "0%"-less formats like ".00": digits go first
                if (_decimals > 0)
                {
                    // The decimal part, left to right; trailing '#' digits that are zero are not shown.
                    var frac = new StringBuilder();
                    int shown = 0, d = 0;
                    int lastNonZero = fraction.TrimEnd('0').Length;
                    foreach (string token in _fraction)
                    {
                        if (!IsPlaceholder(token)) { frac.Append(token); continue; }
                        char digit = fraction[d++];
                        if (token == "0" || d <= lastNonZero) { frac.Append(digit); shown++; }
                        else if (token == "?") frac.Append(' ');
                    }
                    if (shown > 0 || _fraction.Exists(t => t == "0")) result.Append('.').Append(frac);
                    else result.Append(frac);
                }
                else
                {
                    foreach (string token in _fraction) result.Append(token);
                }
                return result.ToString().Trim();
            }

            private static bool IsPlaceholder(string token) => token.Length == 1 && (token[0] == '0' || token[0] == '#' || token[0] == '?');
        }
    }
}
