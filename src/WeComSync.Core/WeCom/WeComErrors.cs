using System;
using System.Globalization;
using System.Text.RegularExpressions;
using WeComSync.Http;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Turns a WeCom errcode into an <see cref="ApiException"/> that carries its row of <see cref="WeComErrorCodes"/> (the
    /// one table of WeCom codes): callers ask <c>e.Is(WeComErrorCodes.X)</c>, <c>e.Class</c>, <c>e.IsFatal</c>. Matches on
    /// errcode only: live errmsg texts carry a "hint … from ip …" suffix and change without notice.
    /// </summary>
    public static class WeComErrors
    {
        public const string Service = "WeCom";

        /// <summary>
        /// Builds the exception for a failed call. <paramref name="rateWindow"/> is WeCom's minute (shorter against a
        /// test emulator); a 45009 block lasts one such window from the hit, or sixty of them when the hour limit was hit
        /// ("按分钟拦截则被屏蔽60秒,按小时拦截则被屏蔽60分钟", developer.work.weixin.qq.com/document/path/90312 and /90454).
        /// The answer does not say which: the transport assumes a minute and, if the API is still blocked after it, the hour.
        /// </summary>
        public static ApiException Create(string api, int code, string message, TimeSpan rateWindow)
        {
            var row = WeComErrorCodes.Find(code);
            var e = new ApiException(Service, api, code.ToString(CultureInfo.InvariantCulture), message, row);
            if (row.Class == ApiErrorClass.Blocked)
            {
                if (rateWindow <= TimeSpan.Zero) rateWindow = TimeSpan.FromMinutes(1);
                // A little more than the block: a retry that lands exactly on its end may still be refused.
                var margin = TimeSpan.FromTicks(Math.Min(rateWindow.Ticks / 20, TimeSpan.FromSeconds(1).Ticks));
                e.RetryAfter = rateWindow + margin;
                e.LongerBlock = TimeSpan.FromTicks(rateWindow.Ticks * HourInMinutes) + margin;
            }
            return e;
        }

        /// <summary>An hour-level block is sixty minute-level windows long.</summary>
        public const int HourInMinutes = 60;

        private static readonly Regex Holder = new Regex(@"\b(?:existed|exists|by|userid)\s*[:：=]?\s*['""]?(?<id>[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>60104 (mobile exists) names the member who holds the number in errmsg; null when it cannot be read.</summary>
        public static string HolderOf(string errmsg)
        {
            if (string.IsNullOrEmpty(errmsg)) return null;
            string found = null;
            foreach (Match m in Holder.Matches(errmsg))
            {
                var id = m.Groups["id"].Value;
                if (!Regex.IsMatch(id, "^(mobile|userid|user|by|is|the|holder|existed|exists)$", RegexOptions.IgnoreCase)) found = id;
            }
            return found;
        }
    }
}
