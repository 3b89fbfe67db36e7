using System;
using System.Linq;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>
    /// The pseudo-field of an update that writes the link back to the reference side: an Authing user or department
    /// matched by a fallback (username, path, members) whose link field is empty because an earlier write-back was
    /// lost. Its New is the difference side's WeCom id; the appliers write it to Authing and send nothing to WeCom for it.
    /// </summary>
    public static class LinkChange
    {
        public const string Field = "Link";

        public static bool IsLink(FieldChange f) => f != null && string.Equals(f.Field, Field, StringComparison.OrdinalIgnoreCase);

        /// <summary>The change writes a link back (perhaps among other fields).</summary>
        public static bool Carries(Change c) => c?.Fields != null && c.Fields.Any(IsLink);

        /// <summary>The change writes a link back and nothing else.</summary>
        public static bool Only(Change c) => Carries(c) && c.Fields.All(IsLink);
    }
}
