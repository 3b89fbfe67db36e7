using System;
using System.Collections.Generic;

namespace WeComSync.Model
{
    /// <summary>
    /// Which directory a side was read from: the service, its API host, and the Authing user pool and organization or
    /// the WeCom corp. Objects read through a connection carry it, a plan records it for both sides, and a saved plan is
    /// refused by a connection to another directory.
    /// </summary>
    public sealed class DirectoryInstance
    {
        public const string AuthingService = "Authing";
        public const string WeComService = "WeCom";

        /// <summary>"Authing" or "WeCom".</summary>
        public string Service { get; set; }

        /// <summary>The API host, as the connection was given it.</summary>
        public string Host { get; set; }

        public string UserPoolId { get; set; }
        public string OrganizationCode { get; set; }
        public string CorpId { get; set; }

        /// <summary>When the objects were read.</summary>
        public DateTimeOffset ReadAt { get; set; }

        /// <summary>
        /// Null when <paramref name="actual"/> may be the directory <paramref name="planned"/> names (every part both know
        /// agrees); else what differs, for the refusal. Nothing is known about a plan without an instance, so it matches.
        /// </summary>
        public static string Mismatch(DirectoryInstance planned, DirectoryInstance actual)
        {
            if (planned == null || actual == null) return null;
            var differs = new List<string>();
            void Check(string what, string a, string b, Func<string, string> norm = null)
            {
                if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b)) return;
                if (!string.Equals(norm == null ? a : norm(a), norm == null ? b : norm(b), StringComparison.OrdinalIgnoreCase)) differs.Add($"{what} {a}, not {b}");
            }
            Check("service", planned.Service, actual.Service);
            Check("host", planned.Host, actual.Host, h => h.Trim().TrimEnd('/'));
            Check("user pool", planned.UserPoolId, actual.UserPoolId);
            Check("organization", planned.OrganizationCode, actual.OrganizationCode);
            Check("corp", planned.CorpId, actual.CorpId);
            return differs.Count == 0 ? null : string.Join(", ", differs);
        }

        public override string ToString()
        {
            var parts = new List<string> { Service ?? "?" };
            if (CorpId != null) parts.Add("corp " + CorpId);
            if (UserPoolId != null) parts.Add("pool " + UserPoolId);
            if (OrganizationCode != null) parts.Add("organization " + OrganizationCode);
            if (Host != null) parts.Add("at " + Host);
            return string.Join(" ", parts);
        }
    }
}
