using System.Collections.Generic;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>
    /// The two sides of a comparison as an administrator names them ("the WeCom export", "Authing", "WeCom"), for the
    /// texts of a plan: "in the WeCom export, not in Authing", never the comparer's "reference" and "difference".
    /// </summary>
    internal static class Sides
    {
        public const string Source = "the source", Target = "the target";

        /// <summary>What a side is called by where its objects were read; <paramref name="fallback"/> for hand-built objects.</summary>
        public static string Of<T>(IReadOnlyList<T> side, string fallback) where T : DirectoryObject
        {
            for (int i = 0; i < side.Count; i++)
            {
                string name = Name(side[i]?.Source ?? DirectorySource.Unknown);
                if (name != null) return name;
            }
            return fallback;
        }

        public static string Name(DirectorySource source)
        {
            switch (source)
            {
                case DirectorySource.WeComExport: return "the WeCom export";
                case DirectorySource.WeComApi: return "WeCom";
                case DirectorySource.Authing: return "Authing";
                default: return null;
            }
        }

        /// <summary>Why a create or a delete is planned: "in the WeCom export, not in Authing".</summary>
        public static string NotIn(string here, string there) => $"in {here}, not in {there}";
    }
}
