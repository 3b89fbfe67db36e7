using System.Text;

namespace WeComSync.Normalization
{
    /// <summary>
    /// Mobile numbers in one form, <c>+CC NNNN…</c>: the export writes domestic numbers bare (13800000000) and
    /// international ones with + and the country code; Authing keeps phone and phoneCountryCode apart; WeCom's API
    /// takes either. Comparing normalised forms keeps "+86 13800000000" and "13800000000" from looking different.
    /// </summary>
    public static class MobileNumber
    {
        public const string DefaultCountryCode = "+86";

        /// <summary>
        /// Returns the normalised number, "" for a blank one, null for null (unknown). Separators (spaces, '-', '(', ')')
        /// are dropped; a leading "00" is read as "+"; 86 before an 11-digit mobile (8613800138000) is the country code; a bare number gets +86; "+8613800000000" becomes "+86 13800000000".
        /// Text that is not a phone number at all (letters, masked digits like '****') is returned cleaned but unchanged,
        /// so a validator can reject it and a comparison still sees it.
        /// </summary>
        public static string Normalize(string value, string defaultCountryCode = DefaultCountryCode)
        {
            value = Text.Clean(value);
            if (string.IsNullOrEmpty(value)) return value;

            var digits = new StringBuilder(value.Length);
            bool plus = false;
            string countryCode = null;
            foreach (char raw in value)
            {
                char c = raw >= '０' && raw <= '９' ? (char)('0' + (raw - '０')) : raw == '＋' ? '+' : raw;
                if (c >= '0' && c <= '9') digits.Append(c);
                else if (c == '+' && digits.Length == 0 && !plus) plus = true;
                else if (c == ' ' && plus && countryCode == null && digits.Length > 0) { countryCode = digits.ToString(); digits.Clear(); }
                else if (c == ' ' || c == '-' || c == '(' || c == ')' || Text.IsBlank(c)) continue;
                else return value; // not a plain number: leave it for validation to judge
            }
            if (digits.Length == 0) return value;

            string number = digits.ToString();
            if (!plus && number.StartsWith("00") && number.Length > 4) { plus = true; number = number.Substring(2); }
            // 8613800138000 / 86 13800138000: a Chinese mobile written with its country code but without '+'.
            if (!plus && number.Length == 13 && number.StartsWith("861")) return "+86 " + number.Substring(2);
            if (!plus) return defaultCountryCode + " " + number;
            if (countryCode != null) return "+" + countryCode + " " + number;
            // "+8613800000000": split off the country code where we can tell it.
            if (number.StartsWith("86") && number.Length == 13) return "+86 " + number.Substring(2);
            if ((number.StartsWith("852") || number.StartsWith("853") || number.StartsWith("886")) && number.Length > 6)
                return "+" + number.Substring(0, 3) + " " + number.Substring(3);
            if (number.StartsWith("1") && number.Length == 11) return "+1 " + number.Substring(1);
            return "+" + number;
        }

        /// <summary>Splits a normalised number into country code (without '+') and national number, as Authing stores them.</summary>
        public static (string CountryCode, string Number) Split(string normalized)
        {
            if (string.IsNullOrEmpty(normalized)) return (null, normalized);
            int space = normalized.IndexOf(' ');
            if (normalized[0] == '+' && space > 1) return (normalized.Substring(0, space), normalized.Substring(space + 1));
            return (null, normalized);
        }
    }
}
