using System;
using System.Collections.Generic;
using System.Management.Automation.Host;
using System.Text;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// Free text in a table's last column, broken into lines at word boundaries for the console's width. A table view's
    /// &lt;Wrap/&gt; breaks a cell at its width wherever that falls, mid-word ("Management token obtained for user po" /
    /// "ol"); the views (module/Formats) pass their text through <see cref="Wrap(string, PSHost, int)"/> first, so that
    /// each line already fits. Han, kana and hangul take two console cells, as the console draws them, and a line may
    /// break between two of them (those scripts have no spaces between words).
    /// </summary>
    public static class ConsoleText
    {
        /// <summary>Below this many cells a column is too narrow to be worth wrapping by word: the table's own wrap is left.</summary>
        private const int NarrowestColumn = 12;

        /// <summary>
        /// <paramref name="text"/> wrapped for the column that <paramref name="reservedCells"/> (the columns before it and
        /// their separators) leave of the host's width; as is when the host has no width (redirected, no console).
        /// </summary>
        public static string Wrap(string text, PSHost host, int reservedCells)
        {
            int width;
            try { width = host?.UI?.RawUI?.BufferSize.Width ?? 0; }
            catch (Exception) { width = 0; } // hosts without a console (a runspace with no UI) throw here
            // A table leaves the console's last column empty (writing into it would wrap the line on most consoles).
            return Wrap(text, width - reservedCells - 1);
        }

        /// <summary><paramref name="text"/> broken into lines of at most <paramref name="width"/> cells, at spaces where it can.</summary>
        public static string Wrap(string text, int width)
        {
            if (string.IsNullOrEmpty(text) || width < NarrowestColumn) return text;
            var lines = new List<string>();
            foreach (var paragraph in text.Replace("\r\n", "\n").Split('\n')) WrapLine(paragraph, width, lines);
            return string.Join("\n", lines);
        }

        /// <summary>Console cells of one character: two for the wide East Asian scripts, as PowerShell's own formatter counts.</summary>
        public static int Cells(char c) =>
            c >= 0x1100 && (c <= 0x115F || c == 0x2329 || c == 0x232A || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
                            (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE6F) ||
                            (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6)) ? 2 : 1;

        public static int Cells(string s)
        {
            int n = 0;
            foreach (var c in s ?? "") n += Cells(c);
            return n;
        }

        private static void WrapLine(string line, int width, List<string> lines)
        {
            var current = new StringBuilder();
            int used = 0, first = lines.Count;
            foreach (var token in Tokens(line))
            {
                int cells = Cells(token);
                bool space = token == " ";
                if (space)
                {
                    if (used == 0) continue; // no line starts with the space it broke at
                    if (used + 1 > width) { Flush(); continue; }
                }
                else if (used + cells > width && used > 0)
                {
                    Flush();
                }
                if (!space && cells > width)
                {
                    // One word wider than the column (a long URL or id): it has to be cut; cut it at the column's edge.
                    foreach (var c in token)
                    {
                        if (used + Cells(c) > width) Flush();
                        current.Append(c); used += Cells(c);
                    }
                    continue;
                }
                current.Append(token); used += cells;
            }
            if (current.Length > 0 || lines.Count == first) Flush(); // an empty line stays one

            void Flush()
            {
                lines.Add(current.ToString().TrimEnd());
                current.Clear(); used = 0;
            }
        }

        /// <summary>The units a line may break between: runs of non-space narrow characters, single spaces, and each wide character.</summary>
        private static IEnumerable<string> Tokens(string line)
        {
            var word = new StringBuilder();
            foreach (var c in line)
            {
                if (c == ' ' || Cells(c) == 2)
                {
                    if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                    yield return c.ToString();
                }
                else word.Append(c);
            }
            if (word.Length > 0) yield return word.ToString();
        }
    }
}
