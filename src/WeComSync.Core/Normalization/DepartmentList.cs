using System;
using System.Collections.Generic;

namespace WeComSync.Normalization
{
    /// <summary>
    /// A member's departments compare as a set whose first element (the main department) is significant: the order of
    /// the others is an accident of the source, but moving the main department is a real change.
    /// </summary>
    public static class DepartmentList
    {
        public static bool Same(IList<string> a, IList<string> b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a == null || b == null) return false;
            if (a.Count == b.Count && SameInOrder(a, b)) return true; // the common case, without allocating

            var left = ToSet(a);
            var right = ToSet(b);
            if (!left.SetEquals(right)) return false;
            return left.Count == 0 || string.Equals(Main(a), Main(b), StringComparison.Ordinal);
        }

        /// <summary>The cleaned, de-duplicated list in its original order (main first), blanks dropped.</summary>
        public static List<string> Normalize(IEnumerable<string> departments)
        {
            if (departments == null) return null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<string>();
            foreach (var d in departments)
            {
                var key = Text.Clean(d);
                if (!string.IsNullOrEmpty(key) && seen.Add(key)) list.Add(key);
            }
            return list;
        }

        private static bool SameInOrder(IList<string> a, IList<string> b)
        {
            for (int i = 0; i < a.Count; i++)
                if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
            return true;
        }

        private static HashSet<string> ToSet(IList<string> list)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in list)
            {
                var key = Text.Clean(d);
                if (!string.IsNullOrEmpty(key)) set.Add(key);
            }
            return set;
        }

        private static string Main(IList<string> list)
        {
            foreach (var d in list)
            {
                var key = Text.Clean(d);
                if (!string.IsNullOrEmpty(key)) return key;
            }
            return null;
        }
    }
}
