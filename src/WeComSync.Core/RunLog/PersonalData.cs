using System;
using System.Text;
using System.Text.RegularExpressions;

namespace WeComSync.RunLog
{
    /// <summary>
    /// Partial masking of personal data for logs: enough left to recognise a record ("+86 138****0000",
    /// "z***@example.com"), not enough to contact the person.
    /// </summary>
    public static class PersonalData
    {
        // Emails anywhere in free text, and mobile-like numbers: "+CC NNN…" or a bare mainland mobile (1[3-9] + 9 digits).
        private static readonly Regex EmailInText = new Regex(
            @"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex MobileInText = new Regex(
            @"\+\d{1,4}[ -]?\d[\d -]{5,16}\d|(?<!\d)1[3-9]\d{9}(?!\d)", RegexOptions.Compiled | RegexOptions.CultureInvariant);

        /// <summary>"+86 13800000000" → "+86 138****0000"; keeps the country code, the first three and the last four digits.</summary>
        public static string MaskMobile(string value)
        {
            if (string.IsNullOrEmpty(value)) return value;
            string prefix = "";
            string number = value.Trim();
            int space = number.IndexOf(' ');
            if (number.StartsWith("+") && space > 0)
            {
                prefix = number.Substring(0, space + 1);
                number = number.Substring(space + 1);
            }
            var digits = new StringBuilder();
            foreach (char c in number) if (char.IsDigit(c)) digits.Append(c);
            string d = digits.ToString();
            if (d.Length == 0) return prefix + "****";
            // Short numbers keep less so that at least half is hidden.
            int head = d.Length >= 11 ? 3 : d.Length >= 7 ? 2 : 0;
            int tail = d.Length >= 8 ? 4 : d.Length >= 5 ? 2 : 0;
            return prefix + d.Substring(0, head) + "****" + d.Substring(d.Length - tail);
        }

        /// <summary>"zhangsan@example.com" → "z***@example.com".</summary>
        public static string MaskEmail(string value)
        {
            if (string.IsNullOrEmpty(value)) return value;
            int at = value.IndexOf('@');
            if (at <= 0) return "***";
            return value.Substring(0, 1) + "***" + value.Substring(at);
        }

        /// <summary>Masks every email address and mobile-like number found in free text (error messages, custom fields).</summary>
        public static string MaskText(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            if (text.IndexOf('@') >= 0) text = EmailInText.Replace(text, m => MaskEmail(m.Value));
            return MobileInText.Replace(text, m => MaskMobile(m.Value));
        }

        /// <summary>True for model fields that hold a phone number.</summary>
        public static bool IsPhoneField(string name) =>
            Is(name, "Mobile") || Is(name, "Telephone") || Is(name, "Phone");

        /// <summary>True for model fields that hold an email address.</summary>
        public static bool IsEmailField(string name) => Is(name, "Email") || Is(name, "BizMail");

        /// <summary>Masks a value by what its field holds; other fields only get the free-text masking.</summary>
        public static string MaskField(string field, string value)
        {
            if (string.IsNullOrEmpty(value)) return value;
            if (IsPhoneField(field)) return MaskMobile(value);
            if (IsEmailField(field)) return MaskEmail(value);
            return MaskText(value);
        }

        private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }
}
