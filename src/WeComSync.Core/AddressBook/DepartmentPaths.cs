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

        /// <summary>
        /// Characters that joined two departments by mistake when the text after them starts again with the top
        /// department (示例科技/研发部，示例科技/市场部). WeCom allows them in a name (docs/ServiceFacts.md), so the cell is
        /// not split: it is a row error.
        /// </summary>
        private static readonly char[] WrongSeparators = { '，', ',', '、' };

        /// <summary>
        /// The full-width slash. WeCom allows it in a department name, but the export separates levels with '/', so a
        /// '／' is most often a level separator typed in full-width mode: a row error, never guessed.
        /// </summary>
        public const char FullWidthSlash = '／';

        /// <summary>
        /// Why a path breaks WeCom's rules or cannot be read safely, or null when it is fine. <paramref name="fileTop"/>:
        /// the file's top department when known (the path's own first level is always checked too).
        /// </summary>
        public static (string Code, string Reason) Check(string path, string fileTop = null)
        {
            var levels = Levels(path);
            int slash = path.IndexOf(FullWidthSlash);
            if (slash >= 0)
            {
                return (ProblemCodes.WrongDepartmentSeparator,
                    $"department '{path}' contains the full-width slash '／'. The export separates levels with the half-width '/', and WeCom allows '／' inside a " +
                    $"department name (it refuses only \\ : * ? \" < > |), so the reader cannot tell which is meant: if it separates levels, retype it as '/' " +
                    $"('{path.Replace(FullWidthSlash, '/')}'); if the department's name in WeCom really contains '／', rename it there without one and export again");
            }
            string top = levels[0];
            for (int i = 0; i < levels.Length; i++)
            {
                string name = levels[i];
                int at = name.IndexOfAny(WrongSeparators);
                while (at >= 0)
                {
                    string after = name.Substring(at + 1).Trim();
                    if ((i > 0 && after == top) || (fileTop != null && after == fileTop))
                    {
                        levels[i] = name.Substring(0, at).TrimEnd() + "；" + after;
                        return (ProblemCodes.WrongDepartmentSeparator,
                            $"部门 '{path}' joins two departments with '{name[at]}'; WeCom's export separates departments with '；' (a '{name[at]}' is read as part of a department's name, " +
                            $"which would create the department '{name}'). Write '{string.Join("/", levels)}'");
                    }
                    at = name.IndexOfAny(WrongSeparators, at + 1);
                }
            }
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
