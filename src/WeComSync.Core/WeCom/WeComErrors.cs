using System;
using System.Text.RegularExpressions;
using WeComSync.Http;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Turns a WeCom errcode into an <see cref="ApiException"/>: whether a retry may help, how long a blocked API stays
    /// blocked, and for the errors an administrator has to fix, what to do. Matches on errcode only: live errmsg texts
    /// carry a "hint … from ip …" suffix and change without notice.
    /// </summary>
    public static class WeComErrors
    {
        public const string Service = "WeCom";

        /// <summary>Token problems that a fresh token fixes: invalid credential (also a reset secret), invalid token, expired token.</summary>
        public static bool IsTokenError(int code) => code == 40001 || code == 40014 || code == 42001;

        /// <summary>Errors that stop a whole run: nothing else can work until an administrator acts.</summary>
        public static bool IsFatal(string code) =>
            code == "60020" || code == "40001" || code == "40013" || code == "40091" || code == "48002" || code == "41001" || code == "301002";

        public static string RecommendedAction(int code)
        {
            switch (code)
            {
                case 60020: return "Add this server's public IP address to the app's trusted IPs (企业可信IP) in the WeCom admin console, then run again.";
                case 48009: return "Detail reads (user/get, user/list, department/get, department/list) are banned for the address-book sync secret from IPs added after 2022-08-15: use the ID lists, and take names and details from the console export (Import-WeComAddressBook).";
                case 48002: return "Contact writes need the address-book sync (通讯录同步) secret: connect with that secret (Connect-WeCom -AppMode AddressBookSync), or grant the app write access to the address book.";
                case 40001:
                case 40013:
                case 40091:
                    return "Check the corp id and the secret (Connect-WeCom -CorpId … -Secret …); a secret reset in the admin console invalidates the old one. Repeated wrong secrets ban the IP for an hour.";
                case 60011: return "The app's visible range does not include this department or member: widen the app's visible range in the WeCom admin console.";
                case 45009: return "The API's frequency limit was hit; it is blocked until the end of its window. Run again later or lower -ThrottleLimit.";
                case 45033: return "Too many concurrent calls: lower -ThrottleLimit.";
                case 45024: return "The corp's seat limit is reached: free or buy seats before adding members.";
                default: return null;
            }
        }

        /// <summary>Builds the exception for a failed call. <paramref name="rateWindow"/> is the length of WeCom's limit window (one minute in production).</summary>
        public static ApiException Create(string api, int code, string message, TimeSpan rateWindow, DateTimeOffset? now = null)
        {
            bool transient = code == -1 || code == 45033 || code == 45009;
            var e = new ApiException(Service, api, code.ToString(System.Globalization.CultureInfo.InvariantCulture), message, transient, RecommendedAction(code));
            if (code == 45009) e.RetryAfter = RestOfWindow(rateWindow, now ?? DateTimeOffset.UtcNow);
            return e;
        }

        /// <summary>
        /// WeCom's limit windows are natural minutes (hours): a blocked API frees at the next boundary. Waiting exactly
        /// that long (plus a little) never hammers the blocked API and never waits longer than needed.
        /// </summary>
        public static TimeSpan RestOfWindow(TimeSpan window, DateTimeOffset now)
        {
            if (window <= TimeSpan.Zero) window = TimeSpan.FromMinutes(1);
            long into = now.UtcTicks % window.Ticks;
            return TimeSpan.FromTicks(window.Ticks - into) + TimeSpan.FromMilliseconds(50);
        }

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
