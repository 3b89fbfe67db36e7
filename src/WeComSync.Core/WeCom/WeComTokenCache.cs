using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Access tokens per (API host, corp, secret), shared by every connection in the process: gettoken is rate
    /// limited and repeated wrong secrets ban the IP, so a token is fetched once and reused until shortly before it
    /// expires. The key holds a hash of the secret, never the secret.
    /// </summary>
    internal static class WeComTokenCache
    {
        internal sealed class Entry
        {
            public Entry(string token, DateTimeOffset renewAt) { Token = token; RenewAt = renewAt; }
            public string Token { get; }
            public DateTimeOffset RenewAt { get; }
        }

        private static readonly ConcurrentDictionary<string, Entry> Tokens = new ConcurrentDictionary<string, Entry>();

        public static string KeyOf(Uri host, string corpId, string secret)
        {
            using (var sha = SHA256.Create())
            {
                var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(secret ?? string.Empty));
                return host + "|" + corpId + "|" + Convert.ToBase64String(hash);
            }
        }

        public static Entry Get(string key) => Tokens.TryGetValue(key, out var e) && e.RenewAt > DateTimeOffset.UtcNow ? e : null;

        public static void Set(string key, Entry entry) => Tokens[key] = entry;

        /// <summary>Forgets the token only if it is still the one that failed (another call may have refreshed it already).</summary>
        public static void Invalidate(string key, string token)
        {
            if (Tokens.TryGetValue(key, out var e) && (token == null || e.Token == token))
            {
                ((System.Collections.Generic.ICollection<System.Collections.Generic.KeyValuePair<string, Entry>>)Tokens)
                    .Remove(new System.Collections.Generic.KeyValuePair<string, Entry>(key, e));
            }
        }
    }
}
