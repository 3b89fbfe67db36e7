using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace WeComSync.Http
{
    /// <summary>
    /// Removes secrets and tokens from any text before it can reach an output stream, a log or an exception.
    /// Two nets: known parameter shapes (access_token=…, corpsecret=…, "accessKeySecret":"…", Authorization values),
    /// and every secret/token value the process has seen (registered by the clients), wherever it appears.
    /// </summary>
    public static class Redaction
    {
        public const string Mask = "***";

        private static readonly ConcurrentDictionary<string, byte> Known = new ConcurrentDictionary<string, byte>();

        private static readonly Regex Shapes = new Regex(
            @"(?<k>(access_token|corpsecret|accessKeySecret|access_key_secret|secret|token)""?\s*[=:]\s*""?)(?<v>[^&""\s,}]+)" +
            @"|(?<k>(authorization|x-authing-signature)\s*:\s*(bearer\s+|authing\s+[^:\s]+:)?)(?<v>[^\s,""]+)",
            RegexOptions.IgnoreCase | RegexOptions.Compiled | RegexOptions.CultureInvariant);

        /// <summary>Remember a secret or token so that it is masked wherever it shows up. Short values are ignored (they would mask ordinary text).</summary>
        public static void Register(string secret)
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 6) Known[secret] = 0;
        }

        public static string Redact(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            foreach (var secret in Known.Keys)
            {
                if (text.IndexOf(secret, System.StringComparison.Ordinal) >= 0) text = text.Replace(secret, Mask);
            }
            return Shapes.Replace(text, m => m.Groups["k"].Value + Mask);
        }
    }
}
