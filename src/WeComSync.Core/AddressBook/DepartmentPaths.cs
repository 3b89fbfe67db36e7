using System;
using System.Collections.Generic;
using System.Text;
using WeComSync.Normalization;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// The 部门 cell: full paths from the top department, levels joined by '/', several departments joined by '；'
    /// (or ';'), the first one being the main department. Also the limits WeCom puts on them.
    /// </summary>
    public static class DepartmentPaths
    {
        /// <summary>WeCom allows at most 15 levels.</summary>
        public const int MaxDepth = 15;

        /// <summary>A member belongs to at most 100 departments (older accounts: 20).</summary>
        public const int MaxDepartmentsPerUser = 100;

        /// <summary>The console's limit on a department name (see the template's instruction 4).</summary>
        public const int MaxNameLength = 32;

        /// <summary>Characters WeCom refuses in a department name.</summary>
        public const string ForbiddenCharacters = "\\:*?\"<>|";

        private static readonly char[] DepartmentSeparators = { '；', ';' };

        /// <summary>
        /// Splits a 部门 cell into normalised paths (levels trimmed, empty levels dropped, duplicates dropped),
        /// in the order written. An empty cell gives an empty list.
        /// </summary>
        public static List<string> Split(string cell)
        {
            var result = new List<string>();
            if (string.IsNullOrEmpty(cell)) return result;
            foreach (string part in cell.Split(DepartmentSeparators))
            {
                string path = Normalize(part);
                if (path.Length > 0 && !result.Contains(path)) result.Add(path);
            }
            return result;
        }

        /// <summary>"/腾讯公司 / 微信事业群/" → "腾讯公司/微信事业群".</summary>
        public static string Normalize(string path)
        {
            if (string.IsNullOrEmpty(path)) return string.Empty;
            var sb = new StringBuilder(path.Length);
            foreach (string level in path.Split('/'))
            {
                string name = Text.CleanInvisible(level);
                if (name.Length == 0) continue;
                if (sb.Length > 0) sb.Append('/');
                sb.Append(name);
            }
            return sb.ToString();
        }

        public static string[] Levels(string path) => path.Split('/');

        /// <summary>The parent path, or null for a top department.</summary>
        public static string Parent(string path)
        {
            int slash = path.LastIndexOf('/');
            return slash < 0 ? null : path.Substring(0, slash);
        }

        public static string Top(string path)
        {
            int slash = path.IndexOf('/');
            return slash < 0 ? path : path.Substring(0, slash);
        }

        /// <summary>Why a path breaks WeCom's rules, or null when it is fine.</summary>
        public static (string Code, string Reason) Check(string path)
        {
            var levels = Levels(path);
            if (levels.Length > MaxDepth)
                return (ProblemCodes.DepartmentTooDeep, $"department '{path}' has {levels.Length} levels; WeCom allows at most {MaxDepth}");
            foreach (string name in levels)
            {
                if (Text.IndexOfInvisible(name) >= 0)
                    return (ProblemCodes.InvalidDepartmentName, $"department name {Text.Describe(name)}; write each department on one line, several departments separated by '；' (not by a line break)");
                int bad = name.IndexOfAny(ForbiddenCharacters.ToCharArray());
                if (bad >= 0)
                    return (ProblemCodes.InvalidDepartmentName, $"department name '{name}' contains '{name[bad]}'; WeCom does not allow any of \\ : * ? \" < > |");
                if (name.Length > MaxNameLength)
                    return (ProblemCodes.InvalidDepartmentName, $"department name '{name}' is {name.Length} characters long; WeCom allows at most {MaxNameLength}");
            }
            return (null, null);
        }
    }
}
