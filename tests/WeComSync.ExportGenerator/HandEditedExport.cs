using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security;
using System.Text;

namespace WeComSync.ExportGenerator
{
    /// <summary>
    /// Odd exports for tests, made the way an admin's tools make them: the real console file (its instruction rows,
    /// header on row 9, styles and shared strings) with its sheet XML edited by hand — rows appended with inline strings,
    /// error cells, formulas without a saved value, merged ranges, more sheets, hidden sheets.
    /// </summary>
    public static class HandEditedExport
    {
        /// <summary>The template's columns, A..N: 姓名 账号 别名 职务 部门 性别 手机 座机 邮箱 地址 视频号 激活状态 禁用状态 微信插件.</summary>
        public static readonly IReadOnlyList<string> Header = ExportTemplate.Header;

        /// <summary>The first data row in Excel's numbering (the header is row 9).</summary>
        public const int FirstRow = 10;

        public static byte[] Template()
        {
            using (var s = typeof(HandEditedExport).Assembly.GetManifestResourceStream("wecom-export-template.xlsx"))
            using (var m = new MemoryStream())
            {
                s.CopyTo(m);
                return m.ToArray();
            }
        }

        /// <summary>An inline-string cell (what a hand edit or a script writes); null writes nothing.</summary>
        public static string Text(string reference, string text) =>
            text == null ? "" : $"<c r=\"{reference}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{Escape(text)}</t></is></c>";

        /// <summary>An error cell as Excel saves it: <c>&lt;c t="e"&gt;&lt;v&gt;#N/A&lt;/v&gt;</c>.</summary>
        public static string Error(string reference, string error, string formula = null) =>
            $"<c r=\"{reference}\" t=\"e\">{(formula == null ? "" : $"<f>{Escape(formula)}</f>")}<v>{Escape(error)}</v></c>";

        /// <summary>A formula whose value was never saved (written by a script, or saved without recalculation).</summary>
        public static string Formula(string reference, string formula) => $"<c r=\"{reference}\"><f>{Escape(formula)}</f></c>";

        public static string Number(string reference, double value) => $"<c r=\"{reference}\"><v>{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}</v></c>";

        /// <summary>
        /// A member row in the template's columns. <paramref name="cells"/> replaces cells by column letter with raw
        /// cell XML (see <see cref="Error"/>, <see cref="Formula"/>), or "" to leave the cell out.
        /// </summary>
        public static string Member(int row, string name, string userId, string department = "腾讯公司/研发部", string mobile = "13800000000",
            string email = null, IDictionary<string, string> cells = null)
        {
            var values = new[] { name, userId, null, null, department, "男", mobile, null, email, null, null, "已激活", "启用", null };
            var sb = new StringBuilder($"<row r=\"{row}\">");
            for (int c = 0; c < values.Length; c++)
            {
                string column = ExportWriter.ColumnName(c);
                if (cells != null && cells.TryGetValue(column, out string raw)) sb.Append(raw);
                else sb.Append(Text(column + row, values[c]));
            }
            return sb.Append("</row>").ToString();
        }

        /// <summary>The template's styles.xml has cell formats 0–5; <see cref="Write(string, IReadOnlyList{string}, HandSheet[])"/> adds more from here.</summary>
        public const int FirstAddedStyle = 6;

        /// <summary>A number cell with style <paramref name="style"/> (a cell format that carries a number format).</summary>
        public static string Number(string reference, double value, int style) =>
            $"<c r=\"{reference}\" s=\"{style}\"><v>{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}</v></c>";

        /// <summary>Writes the template with the given sheets (each: the template's rows 1–9, then its rows).</summary>
        public static void Write(string path, params HandSheet[] sheets) => Write(path, null, sheets);

        /// <summary>
        /// As <see cref="Write(string, HandSheet[])"/>, with number formats added to the template's styles.xml as Excel adds
        /// them: a code ("00000") becomes a numFmt from 176 (after the template's own), "#27" is the built-in format 27;
        /// each gets a cell format, style <see cref="FirstAddedStyle"/> + its index.
        /// </summary>
        public static void Write(string path, IReadOnlyList<string> numberFormats, params HandSheet[] sheets)
        {
            byte[] template = Template();
            string sheetXml;
            using (var source = new ZipArchive(new MemoryStream(template), ZipArchiveMode.Read))
            using (var output = new ZipArchive(File.Create(path), ZipArchiveMode.Create))
            {
                using (var r = new StreamReader(source.GetEntry("xl/worksheets/sheet1.xml").Open())) sheetXml = r.ReadToEnd();
                foreach (var entry in source.Entries)
                {
                    if (entry.FullName == "xl/worksheets/sheet1.xml" || entry.FullName == "xl/workbook.xml" || entry.FullName == "xl/_rels/workbook.xml.rels" || entry.FullName == "[Content_Types].xml") continue;
                    if (entry.FullName == "xl/styles.xml" && numberFormats != null && numberFormats.Count > 0)
                    {
                        string styles;
                        using (var r = new StreamReader(entry.Open())) styles = r.ReadToEnd();
                        WriteText(output, entry.FullName, AddNumberFormats(styles, numberFormats));
                        continue;
                    }
                    using (var from = entry.Open())
                    using (var to = output.CreateEntry(entry.FullName).Open()) from.CopyTo(to);
                }

                var sheetList = new StringBuilder();
                var rels = new StringBuilder();
                var types = new StringBuilder();
                for (int i = 0; i < sheets.Length; i++)
                {
                    var sheet = sheets[i];
                    string id = "rIdS" + (i + 1);
                    sheetList.Append($"<sheet name=\"{Escape(sheet.Name)}\" sheetId=\"{i + 1}\"{(sheet.State == null ? "" : $" state=\"{sheet.State}\"")} r:id=\"{id}\"/>");
                    rels.Append($"<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i + 1}.xml\"/>");
                    types.Append($"<Override PartName=\"/xl/worksheets/sheet{i + 1}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
                    using (var w = new StreamWriter(output.CreateEntry($"xl/worksheets/sheet{i + 1}.xml").Open(), new UTF8Encoding(false)))
                        sheet.WriteXml(w, sheetXml);
                }
                WriteText(output, "xl/workbook.xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><workbookPr/><bookViews><workbookView/></bookViews><sheets>" + sheetList + "</sheets></workbook>");
                WriteText(output, "xl/_rels/workbook.xml.rels",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/>" + rels + "</Relationships>");
                WriteText(output, "[Content_Types].xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/><Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>" + types + "</Types>");
            }
        }

        /// <summary>
        /// A small file whose first sheet expands to <paramref name="expandedMegabytes"/> MB (a zip bomb): the template's
        /// sheet head, then blanks between two rows (valid XML; deflate packs a run of one byte about 1 000 to 1).
        /// </summary>
        public static void WriteZipBomb(string path, int expandedMegabytes)
        {
            Write(path, new HandSheet());
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 1 << 16));
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                zip.GetEntry("xl/worksheets/sheet1.xml").Delete();
                using (var s = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Optimal).Open())
                {
                    var head = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c></row>");
                    s.Write(head, 0, head.Length);
                    for (long written = 0; written < (long)expandedMegabytes << 20; written += chunk.Length) s.Write(chunk, 0, chunk.Length);
                    var tail = Encoding.UTF8.GetBytes("<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>");
                    s.Write(tail, 0, tail.Length);
                }
            }
        }

        private static string AddNumberFormats(string styles, IReadOnlyList<string> formats)
        {
            var numFmts = new StringBuilder();
            var xfs = new StringBuilder();
            int custom = 176;
            foreach (string f in formats)
            {
                int id = f.StartsWith("#", StringComparison.Ordinal) ? int.Parse(f.Substring(1), System.Globalization.CultureInfo.InvariantCulture) : custom++;
                if (!f.StartsWith("#", StringComparison.Ordinal)) numFmts.Append($"<numFmt numFmtId=\"{id}\" formatCode=\"{Escape(f)}\"/>");
                xfs.Append($"<xf numFmtId=\"{id}\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>");
            }
            int count = int.Parse(System.Text.RegularExpressions.Regex.Match(styles, "<numFmts count=\"(\\d+)\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int added = formats.Count(f => !f.StartsWith("#", StringComparison.Ordinal));
            styles = styles.Replace($"<numFmts count=\"{count}\">", $"<numFmts count=\"{count + added}\">").Replace("</numFmts>", numFmts + "</numFmts>");
            styles = styles.Replace("<cellXfs count=\"6\">", $"<cellXfs count=\"{6 + formats.Count}\">");
            int end = styles.IndexOf("</cellXfs>", StringComparison.Ordinal);
            return styles.Substring(0, end) + xfs + styles.Substring(end);
        }

        private static void WriteText(ZipArchive zip, string name, string text)
        {
            using (var w = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false))) w.Write(text);
        }

        internal static string Escape(string text) => SecurityElement.Escape(text);
    }

    /// <summary>One sheet of a <see cref="HandEditedExport"/>.</summary>
    public sealed class HandSheet
    {
        public string Name { get; set; } = ExportTemplate.SheetName;

        /// <summary>null (visible), "hidden" or "veryHidden".</summary>
        public string State { get; set; }

        /// <summary>Keep the template's instruction rows and header (rows 1–9); false for a sheet of only <see cref="Rows"/>.</summary>
        public bool TemplateRows { get; set; } = true;

        /// <summary>Raw &lt;row&gt; XML, appended after the template's rows.</summary>
        public List<string> Rows { get; set; } = new List<string>();

        /// <summary>Extra merged ranges ("E10:E12").</summary>
        public List<string> Merges { get; set; } = new List<string>();

        /// <summary>More header cells after the template's 14 (custom columns: 入职日期 …), inline strings on row 9 from column O.</summary>
        public List<string> ExtraHeaders { get; set; } = new List<string>();

        /// <summary>Inserted before the root element (a DOCTYPE, to test that it is refused).</summary>
        public string Prolog { get; set; }

        internal void WriteXml(TextWriter w, string template)
        {
            int data = template.IndexOf("<sheetData>", StringComparison.Ordinal) + "<sheetData>".Length;
            int end = template.IndexOf("</sheetData>", StringComparison.Ordinal);
            int mergeStart = template.IndexOf("<mergeCells", StringComparison.Ordinal), mergeEnd = template.IndexOf("</mergeCells>", StringComparison.Ordinal) + "</mergeCells>".Length;
            string head = template.Substring(0, data);
            if (Prolog != null) head = head.Replace("<worksheet ", Prolog + "<worksheet ");
            // The template's dimension says A1:N9; tools that append rows leave it stale too, and readers must not trust it.
            w.Write(head);
            if (TemplateRows)
            {
                string rows = template.Substring(data, end - data);
                if (ExtraHeaders.Count > 0)
                {
                    int headerEnd = rows.IndexOf("</row>", rows.IndexOf("<row r=\"9\"", StringComparison.Ordinal), StringComparison.Ordinal);
                    string cells = string.Concat(ExtraHeaders.Select((h, i) => HandEditedExport.Text(ExportWriter.ColumnName(14 + i) + "9", h)));
                    rows = rows.Substring(0, headerEnd) + cells + rows.Substring(headerEnd);
                }
                w.Write(rows);
            }
            foreach (string row in Rows) w.Write(row);
            w.Write("</sheetData>");
            var merges = new List<string>();
            if (TemplateRows) merges.AddRange(Enumerable.Range(1, 8).Select(i => $"A{i}:N{i}"));
            merges.AddRange(Merges);
            if (merges.Count > 0) w.Write($"<mergeCells count=\"{merges.Count}\">{string.Concat(merges.Select(m => $"<mergeCell ref=\"{m}\"/>"))}</mergeCells>");
            w.Write(template.Substring(mergeEnd));
        }
    }
}
