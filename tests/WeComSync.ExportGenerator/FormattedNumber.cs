using System.Collections.Generic;

namespace WeComSync.ExportGenerator
{
    /// <summary>
    /// A number cell with a number format, as Excel keeps a retyped cell: 账号 00123 stored as 123 with the format
    /// <c>00000</c>, a date stored as its serial 45292 with the built-in format 31 (yyyy"年"m"月"d"日"). Written with a
    /// style (.xlsx cellXfs / numFmts, .xls XF / FORMAT records) that carries the format.
    /// </summary>
    public sealed class FormattedNumber
    {
        /// <summary>A custom format code (written as numFmt 164+ / a FORMAT record).</summary>
        public FormattedNumber(double value, string formatCode)
        {
            Value = value;
            FormatCode = formatCode;
        }

        /// <summary>A built-in format, by its id (no numFmt element / FORMAT record, as Excel writes them).</summary>
        public FormattedNumber(double value, int builtInId)
        {
            Value = value;
            BuiltInId = builtInId;
        }

        public double Value { get; }
        public string FormatCode { get; }
        public int? BuiltInId { get; }

        /// <summary>As an .xls: an integer as an RK record (how Excel and LibreOffice store small integers), else NUMBER.</summary>
        public bool AsRk { get; set; }

        internal string Key => BuiltInId.HasValue ? "#" + BuiltInId.Value : FormatCode;

        /// <summary>The distinct formats of some rows, in order of first use: each gets its own style.</summary>
        internal static List<FormattedNumber> Formats(IEnumerable<object[]> rows)
        {
            var seen = new HashSet<string>();
            var list = new List<FormattedNumber>();
            foreach (var row in rows)
                foreach (var cell in row)
                    if (cell is FormattedNumber f && seen.Add(f.Key)) list.Add(f);
            return list;
        }
    }
}
