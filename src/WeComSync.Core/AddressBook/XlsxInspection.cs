using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Xml;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// A look at an .xlsx package before ExcelDataReader opens it, for what that library cannot tell us or would pay
    /// for in memory first:
    /// <list type="bullet">
    /// <item>bounds: a part that expands far beyond its compressed size (a zip bomb), a shared-string table beyond
    /// <see cref="MaxSharedStrings"/>, text longer than any cell can hold, or a DTD — each refused before anything is
    /// allocated for it, by streaming the decompressed bytes through a fixed buffer;</item>
    /// <item>cells that hold no value an admin can read: error values (#N/A, #REF! …) and formulas without a saved result,
    /// which ExcelDataReader returns as empty (null). They are unknown, never empty.</item>
    /// </list>
    /// </summary>
    internal static class XlsxInspection
    {
        /// <summary>Excel's own limit on the text of one cell ("Total number of characters that a cell can contain").</summary>
        public const int MaxCellCharacters = 32767;

        /// <summary>Distinct strings of one workbook: an export has a few per member; 4 million is 800 000+ members.</summary>
        public const int MaxSharedStrings = 4_000_000;

        /// <summary>A part above this size must not be more than <see cref="MaxExpansion"/> times its compressed size.</summary>
        public const long ExpansionFloorBytes = 64L << 20;

        /// <summary>Real sheets compress 5–30×; deflate's ceiling is about 1 000×.</summary>
        public const int MaxExpansion = 100;

        /// <summary>No part of a workbook is read past this size (about 2 million rows of a 14-column export).</summary>
        public const long MaxPartBytes = 1L << 30;

        // Text between two markup characters longer than this cannot be one cell (an XML entity is at most ~10 bytes per character).
        private const int MaxRunBytes = MaxCellCharacters * 4;

        /// <summary>Unreadable cells per sheet, in workbook order: key (row &lt;&lt; 16 | column), 0-based → what it holds.</summary>
        public static List<Dictionary<long, string>> Inspect(Stream stream, string name)
        {
            var result = new List<Dictionary<long, string>>();
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
            {
                var flagged = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var entry in zip.Entries)
                {
                    string part = entry.FullName.Replace('\\', '/');
                    if (!part.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) && !part.EndsWith(".rels", StringComparison.OrdinalIgnoreCase)) continue;
                    var scan = Scan(entry, part, name);
                    if (scan.Unknown) flagged.Add(part);
                    if (scan.SharedStrings > MaxSharedStrings)
                        throw Refuse(ProblemCodes.TooLarge, $"{name}: its shared-string table holds more than {MaxSharedStrings:N0} distinct strings (the limit); no member export has that many. Open the file in Excel and save it again, or export it again.");
                }
                // After the scan, which bounds every part: the main part is read here only to its first element.
                RefuseOtherPackages(zip, name);
                foreach (string sheet in SheetParts(zip))
                {
                    var cells = new Dictionary<long, string>();
                    if (flagged.Contains(sheet)) ReadUnknownCells(zip.GetEntry(sheet) ?? Find(zip, sheet), cells);
                    result.Add(cells);
                }
            }
            stream.Seek(0, SeekOrigin.Begin);
            return result;
        }

        private struct ScanResult
        {
            public bool Unknown;
            public long SharedStrings;
        }

        /// <summary>One pass over the decompressed bytes with a fixed buffer: sizes, runs, element names.</summary>
        private static ScanResult Scan(ZipArchiveEntry entry, string part, string name)
        {
            if (entry.Length > MaxPartBytes) throw TooLarge(name, part, entry.Length);
            var result = new ScanResult();
            bool sst = part.EndsWith("sharedStrings.xml", StringComparison.OrdinalIgnoreCase);
            var buffer = new byte[1 << 16];
            var tag = new char[12];
            int tagLength = -1, run = 0;
            long total = 0;
            // t="e" (an error cell) as bytes, matched across buffer boundaries.
            const string ErrorType = "t=\"e\"", ErrorType2 = "t='e'";
            int match = 0, match2 = 0;
            using (var s = entry.Open())
            {
                int n;
                while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                {
                    total += n;
                    if (total > MaxPartBytes || (total > ExpansionFloorBytes && total > MaxExpansion * Math.Max(1, entry.CompressedLength)))
                        throw TooLarge(name, part, total);
                    for (int i = 0; i < n; i++)
                    {
                        byte b = buffer[i];
                        if (b == '<' || b == '>')
                        {
                            if (tagLength >= 0) EndTag(tag, tagLength, ref result, sst, name, part);
                            tagLength = b == '<' ? 0 : -1;
                            run = 0;
                            continue;
                        }
                        // Blanks between elements are not a cell's text (and a flood of them is the expansion limit's job).
                        if (b != ' ' && b != '\n' && b != '\r' && b != '\t' && ++run > MaxRunBytes)
                            throw Refuse(ProblemCodes.CellTooLong, $"{name}: {part} holds text longer than Excel's limit of {MaxCellCharacters:N0} characters for one cell; no export has that. The file is refused before reading it. Export it again, or open it in Excel and save it again.");
                        if (tagLength >= 0)
                        {
                            if (b == ' ' || b == '/' || b == '\t' || b == '\r' || b == '\n') { EndTag(tag, tagLength, ref result, sst, name, part); tagLength = -1; }
                            else if (tagLength < tag.Length) tag[tagLength++] = (char)b;
                        }
                        match = b == ErrorType[match] ? match + 1 : (b == ErrorType[0] ? 1 : 0);
                        match2 = b == ErrorType2[match2] ? match2 + 1 : (b == ErrorType2[0] ? 1 : 0);
                        if (match == ErrorType.Length || match2 == ErrorType2.Length) { result.Unknown = true; match = match2 = 0; }
                    }
                }
            }
            return result;
        }

        private static void EndTag(char[] tag, int length, ref ScanResult result, bool sst, string name, string part)
        {
            if (length == 0) return;
            if (length >= 8 && new string(tag, 0, 8) == "!DOCTYPE")
                throw Refuse(ProblemCodes.DtdRefused, $"{name}: {part} declares a document type (<!DOCTYPE>), which neither Excel nor the WeCom console writes; it is refused, because such declarations can make a reader fetch other files. Export the address book again from the WeCom admin console.");
            int colon = Array.LastIndexOf(tag, ':', length - 1, length);
            int start = colon + 1, local = length - start;
            if (local == 1 && tag[start] == 'f') result.Unknown = true; // a formula: its saved value may be missing
            else if (sst && local == 2 && tag[start] == 's' && tag[start + 1] == 'i') result.SharedStrings++;
        }

        private const string StrictNamespace = "http://purl.oclc.org/ooxml/";

        /// <summary>
        /// Zip packages that are not a transitional .xlsx, named for what they are: an Excel binary workbook (.xlsb), a
        /// Strict Open XML workbook (ISO/IEC 29500 strict namespaces, which ExcelDataReader does not know: it would read no
        /// rows), an OpenDocument spreadsheet, a Word or PowerPoint file. The package's main part is found from
        /// _rels/.rels, as Excel finds it.
        /// </summary>
        private static void RefuseOtherPackages(ZipArchive zip, string name)
        {
            string main = null, mainType = null;
            var rels = Find(zip, "_rels/.rels");
            if (rels != null)
            {
                using (var r = XmlReader.Create(rels.Open(), Settings()))
                    while (r.Read())
                        if (r.NodeType == XmlNodeType.Element && r.LocalName == "Relationship" && (r.GetAttribute("Type") ?? "").EndsWith("/officeDocument", StringComparison.Ordinal))
                        {
                            mainType = r.GetAttribute("Type");
                            main = (r.GetAttribute("Target") ?? "").TrimStart('/');
                            break;
                        }
            }
            if (main == null)
            {
                if (Find(zip, "xl/workbook.bin") != null) main = "xl/workbook.bin";
                else if (Find(zip, "xl/workbook.xml") != null) main = "xl/workbook.xml";
            }
            string binary = $"{name} is an Excel binary workbook (.xlsb), which is not read: open it in Excel and save it as Excel Workbook (.xlsx) (File > Save As), or export the address book again from the WeCom admin console.";
            if (main != null && main.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)) throw Refuse(ProblemCodes.NotASpreadsheet, binary);
            if (main == null || Find(zip, main) == null)
            {
                string what = Find(zip, "mimetype") is ZipArchiveEntry mime && ReadShort(mime).StartsWith("application/vnd.oasis.opendocument.spreadsheet", StringComparison.Ordinal) ? "an OpenDocument spreadsheet (.ods)"
                    : Find(zip, "word/document.xml") != null ? "a Word document"
                    : Find(zip, "ppt/presentation.xml") != null ? "a PowerPoint presentation"
                    : "a zip archive with no workbook in it";
                throw Refuse(ProblemCodes.NotASpreadsheet, $"{name} is {what}, not an Excel workbook. {SpreadsheetFile.SaveAsXlsx}.");
            }
            bool strict = mainType != null && mainType.StartsWith(StrictNamespace, StringComparison.Ordinal);
            if (!strict)
                using (var r = XmlReader.Create(Find(zip, main).Open(), Settings()))
                    while (r.Read())
                        if (r.NodeType == XmlNodeType.Element) { strict = r.NamespaceURI.StartsWith(StrictNamespace, StringComparison.Ordinal); break; }
            if (strict)
                throw Refuse(ProblemCodes.NotASpreadsheet, $"{name} is saved as a Strict Open XML Spreadsheet (ISO/IEC 29500 strict), which is not read. Open it in Excel and save it as Excel Workbook (.xlsx), not Strict Open XML Spreadsheet (File > Save As), or export the address book again from the WeCom admin console.");
        }

        private static string ReadShort(ZipArchiveEntry entry)
        {
            using (var s = entry.Open())
            {
                var buffer = new byte[100];
                int n = s.Read(buffer, 0, buffer.Length);
                return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
            }
        }

        /// <summary>The worksheet parts in workbook order (as ExcelDataReader numbers sheets).</summary>
        private static List<string> SheetParts(ZipArchive zip)
        {
            var ids = new List<string>();
            var workbook = Find(zip, "xl/workbook.xml");
            if (workbook == null) return ids;
            using (var r = XmlReader.Create(workbook.Open(), Settings()))
                while (r.Read())
                    if (r.NodeType == XmlNodeType.Element && r.LocalName == "sheet")
                        ids.Add(r.GetAttribute("id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships") ?? r.GetAttribute("r:id") ?? "");

            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            var rels = Find(zip, "xl/_rels/workbook.xml.rels");
            if (rels != null)
                using (var r = XmlReader.Create(rels.Open(), Settings()))
                    while (r.Read())
                        if (r.NodeType == XmlNodeType.Element && r.LocalName == "Relationship" && r.GetAttribute("Id") != null)
                            targets[r.GetAttribute("Id")] = r.GetAttribute("Target") ?? "";

            var parts = new List<string>();
            foreach (string id in ids)
            {
                targets.TryGetValue(id, out string target);
                target = (target ?? "").Replace('\\', '/');
                parts.Add(target.StartsWith("/") ? target.Substring(1) : "xl/" + target);
            }
            return parts;
        }

        /// <summary>Error cells and formulas without a saved value, by position.</summary>
        private static void ReadUnknownCells(ZipArchiveEntry entry, Dictionary<long, string> cells)
        {
            if (entry == null) return;
            using (var r = XmlReader.Create(entry.Open(), Settings()))
            {
                int row = -1, column = -1;
                while (r.Read())
                {
                    if (r.NodeType != XmlNodeType.Element) continue;
                    if (r.LocalName == "row")
                    {
                        row = int.TryParse(r.GetAttribute("r"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) ? number - 1 : row + 1;
                        column = -1;
                    }
                    else if (r.LocalName == "c")
                    {
                        column = ParseColumn(r.GetAttribute("r"), column + 1);
                        string type = r.GetAttribute("t");
                        if (r.IsEmptyElement) continue;
                        string formula = null, value = null;
                        int depth = r.Depth;
                        r.Read();
                        while (r.Depth > depth)
                        {
                            if (r.NodeType == XmlNodeType.Element && (r.LocalName == "f" || r.LocalName == "v"))
                            {
                                bool isFormula = r.LocalName == "f";
                                string text = r.ReadElementContentAsString();
                                if (isFormula) formula = text; else value = text;
                                continue;
                            }
                            if (!r.Read()) break;
                        }
                        string what = null;
                        if (type == "e") what = string.IsNullOrEmpty(value) ? "an error value" : value;
                        else if (formula != null && string.IsNullOrEmpty(value))
                            what = formula.Length == 0 ? "a shared formula with no saved value" : $"a formula (={(formula.Length > 40 ? formula.Substring(0, 40) + "…" : formula)}) with no saved value";
                        if (what != null && row >= 0) cells[((long)row << 16) | (uint)column] = what;
                    }
                }
            }
        }

        /// <summary>"E12" → 4 (0-based column); <paramref name="next"/> when the reference is missing.</summary>
        private static int ParseColumn(string reference, int next)
        {
            if (string.IsNullOrEmpty(reference)) return next;
            int column = 0, i = 0;
            for (; i < reference.Length && char.IsLetter(reference[i]); i++) column = column * 26 + (char.ToUpperInvariant(reference[i]) - 'A' + 1);
            return i == 0 ? next : column - 1;
        }

        private static ZipArchiveEntry Find(ZipArchive zip, string part)
        {
            foreach (var e in zip.Entries) if (string.Equals(e.FullName.Replace('\\', '/'), part, StringComparison.OrdinalIgnoreCase)) return e;
            return null;
        }

        private static XmlReaderSettings Settings() => new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true, IgnoreComments = true };

        private static AddressBookException TooLarge(string name, string part, long bytes) =>
            Refuse(ProblemCodes.TooLarge, $"{name}: {part} expands to more than {bytes / (1 << 20):N0} MB, far beyond what its compressed size allows for a real workbook (the limit is {MaxExpansion}× above {ExpansionFloorBytes >> 20} MB, and {MaxPartBytes >> 30} GB in all); the file is refused before reading it. Export the address book again from the WeCom admin console.");

        private static AddressBookException Refuse(string code, string message) =>
            new AddressBookException(new AddressBookProblem(code, ProblemSeverity.Error, ProblemKind.InvalidData, message));
    }
}
