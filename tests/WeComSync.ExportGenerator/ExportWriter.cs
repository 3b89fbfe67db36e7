using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace WeComSync.ExportGenerator
{
    public enum CsvEncoding
    {
        Utf8,
        Utf8Bom,
        /// <summary>What Chinese Excel writes for "CSV (逗号分隔)".</summary>
        Gb18030,
    }

    /// <summary>Writes export files: .xlsx with the OpenXml SAX writer (fast for 100 000 rows), .csv and .xls.</summary>
    public static class ExportWriter
    {
        static ExportWriter() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        public static void Write(string path, params ExportSheet[] sheets) => Write(path, CsvEncoding.Utf8Bom, sheets);

        public static void Write(string path, CsvEncoding csvEncoding, params ExportSheet[] sheets)
        {
            switch (Path.GetExtension(path).ToLowerInvariant())
            {
                case ".csv": case ".txt": WriteCsv(path, sheets[0], csvEncoding); break;
                case ".xls": XlsWriter.Write(path, sheets); break;
                default: WriteXlsx(path, sheets); break;
            }
        }

        public static void WriteXlsx(string path, params ExportSheet[] sheets)
        {
            var strings = new Dictionary<string, int>(StringComparer.Ordinal);
            var order = new List<string>();
            var formats = new List<FormattedNumber>();
            foreach (var sheet in sheets)
                foreach (var f in FormattedNumber.Formats(sheet.Rows))
                    if (!formats.Exists(x => x.Key == f.Key)) formats.Add(f);
            using (var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
            {
                var workbookPart = document.AddWorkbookPart();
                var sheetList = new Sheets();
                uint sheetId = 1;
                foreach (var sheet in sheets)
                {
                    var part = workbookPart.AddNewPart<WorksheetPart>();
                    WriteSheet(part, sheet, strings, order, formats);
                    var entry = new Sheet { Name = sheet.Name, SheetId = sheetId++, Id = workbookPart.GetIdOfPart(part) };
                    if (sheet.Hidden) entry.State = SheetStateValues.Hidden;
                    sheetList.Append(entry);
                }
                workbookPart.Workbook = new Workbook(sheetList);
                workbookPart.Workbook.Save();

                if (formats.Count > 0) WriteStyles(workbookPart, formats);

                var sstPart = workbookPart.AddNewPart<SharedStringTablePart>();
                using (var w = OpenXmlWriter.Create(sstPart))
                {
                    w.WriteStartElement(new SharedStringTable(), new[] { new OpenXmlAttribute("count", null, order.Count.ToString(CultureInfo.InvariantCulture)), new OpenXmlAttribute("uniqueCount", null, order.Count.ToString(CultureInfo.InvariantCulture)) });
                    foreach (string s in order)
                    {
                        w.WriteStartElement(new SharedStringItem());
                        w.WriteElement(new Text(s) { Space = SpaceProcessingModeValues.Preserve });
                        w.WriteEndElement();
                    }
                    w.WriteEndElement();
                }
            }
        }

        private static void WriteSheet(WorksheetPart part, ExportSheet sheet, Dictionary<string, int> strings, List<string> order, List<FormattedNumber> formats)
        {
            var rows = new List<object[]>();
            if (sheet.Preamble != null) rows.AddRange(sheet.Preamble);
            int columns = Math.Max(1, sheet.Header?.Count ?? 0);
            var instructions = sheet.Instructions ?? Array.Empty<string>();
            int firstInstruction = rows.Count;
            foreach (string line in instructions) rows.Add(new object[] { line });
            if (sheet.Header != null) rows.Add(ToObjects(sheet.Header));
            rows.AddRange(sheet.Rows);
            foreach (var r in rows) columns = Math.Max(columns, r.Length);

            using (var w = OpenXmlWriter.Create(part))
            {
                w.WriteStartElement(new Worksheet());
                w.WriteElement(new SheetDimension { Reference = "A1:" + ColumnName(columns - 1) + Math.Max(1, rows.Count) });
                w.WriteStartElement(new SheetData());
                var cellRef = new OpenXmlAttribute[2];
                for (int r = 0; r < rows.Count; r++)
                {
                    var row = rows[r];
                    string rowNumber = (r + 1).ToString(CultureInfo.InvariantCulture);
                    w.WriteStartElement(new Row(), new[] { new OpenXmlAttribute("r", null, rowNumber) });
                    for (int c = 0; c < row.Length; c++)
                    {
                        object value = row[c];
                        if (value == null) continue;
                        string reference = ColumnName(c) + rowNumber;
                        string text;
                        if (value is string s)
                        {
                            if (!strings.TryGetValue(s, out int index)) { index = order.Count; strings.Add(s, index); order.Add(s); }
                            text = index.ToString(CultureInfo.InvariantCulture);
                            w.WriteStartElement(new Cell(), new[] { new OpenXmlAttribute("r", null, reference), new OpenXmlAttribute("t", null, "s") });
                        }
                        else if (value is FormattedNumber f)
                        {
                            // Style 0 is the default; the formats follow in order (see WriteStyles).
                            text = f.Value.ToString("R", CultureInfo.InvariantCulture);
                            string style = (1 + formats.FindIndex(x => x.Key == f.Key)).ToString(CultureInfo.InvariantCulture);
                            w.WriteStartElement(new Cell(), new[] { new OpenXmlAttribute("r", null, reference), new OpenXmlAttribute("s", null, style) });
                        }
                        else if (value is bool b)
                        {
                            text = b ? "1" : "0";
                            w.WriteStartElement(new Cell(), new[] { new OpenXmlAttribute("r", null, reference), new OpenXmlAttribute("t", null, "b") });
                        }
                        else
                        {
                            text = Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
                            w.WriteStartElement(new Cell(), new[] { new OpenXmlAttribute("r", null, reference) });
                        }
                        w.WriteElement(new CellValue(text));
                        w.WriteEndElement();
                    }
                    w.WriteEndElement();
                }
                w.WriteEndElement(); // sheetData
                if (instructions.Count > 0 && columns > 1)
                {
                    // Like the console's file: each instruction row is merged across all columns.
                    w.WriteStartElement(new MergeCells(), new[] { new OpenXmlAttribute("count", null, instructions.Count.ToString(CultureInfo.InvariantCulture)) });
                    for (int i = 0; i < instructions.Count; i++)
                    {
                        int n = firstInstruction + i + 1;
                        w.WriteElement(new MergeCell { Reference = "A" + n + ":" + ColumnName(columns - 1) + n });
                    }
                    w.WriteEndElement();
                }
                w.WriteEndElement(); // worksheet
            }
        }

        /// <summary>A styles part as Excel writes one: custom numFmts from 164, a cell format per number format.</summary>
        private static void WriteStyles(WorkbookPart workbookPart, List<FormattedNumber> formats)
        {
            var numFmts = new NumberingFormats();
            var cellFormats = new CellFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 });
            uint custom = 164;
            foreach (var f in formats)
            {
                uint id = f.BuiltInId.HasValue ? (uint)f.BuiltInId.Value : custom++;
                if (!f.BuiltInId.HasValue) numFmts.Append(new NumberingFormat { NumberFormatId = id, FormatCode = f.FormatCode });
                cellFormats.Append(new CellFormat { NumberFormatId = id, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true });
            }
            var stylesheet = new Stylesheet();
            if (numFmts.ChildElements.Count > 0) { numFmts.Count = (uint)numFmts.ChildElements.Count; stylesheet.Append(numFmts); }
            stylesheet.Append(new Fonts(new Font()) { Count = 1 });
            stylesheet.Append(new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 });
            stylesheet.Append(new Borders(new Border()) { Count = 1 });
            stylesheet.Append(new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 });
            cellFormats.Count = (uint)cellFormats.ChildElements.Count;
            stylesheet.Append(cellFormats);
            var part = workbookPart.AddNewPart<WorkbookStylesPart>();
            part.Stylesheet = stylesheet;
            part.Stylesheet.Save();
        }

        public static void WriteCsv(string path, ExportSheet sheet, CsvEncoding encoding)
        {
            Encoding enc = encoding == CsvEncoding.Gb18030 ? Encoding.GetEncoding(54936) : new UTF8Encoding(encoding == CsvEncoding.Utf8Bom);
            int columns = sheet.Header?.Count ?? 1;
            using (var writer = new StreamWriter(path, false, enc, 1 << 16))
            {
                writer.NewLine = "\r\n";
                if (sheet.Preamble != null) foreach (var row in sheet.Preamble) WriteCsvRow(writer, row, row.Length);
                foreach (string line in sheet.Instructions ?? Array.Empty<string>()) WriteCsvRow(writer, new object[] { line }, columns);
                if (sheet.Header != null) WriteCsvRow(writer, ToObjects(sheet.Header), columns);
                foreach (var row in sheet.Rows) WriteCsvRow(writer, row, Math.Max(columns, row.Length));
            }
        }

        private static void WriteCsvRow(TextWriter writer, object[] row, int columns)
        {
            for (int c = 0; c < columns; c++)
            {
                if (c > 0) writer.Write(',');
                object value = c < row.Length ? row[c] : null;
                if (value == null) continue;
                string text = value is string s ? s : value is FormattedNumber f ? f.Value.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture);
                if (text.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0) writer.Write("\"" + text.Replace("\"", "\"\"") + "\"");
                else writer.Write(text);
            }
            writer.WriteLine();
        }

        private static object[] ToObjects(IReadOnlyList<string> header)
        {
            var row = new object[header.Count];
            for (int i = 0; i < row.Length; i++) row[i] = header[i];
            return row;
        }

        public static string ColumnName(int index)
        {
            string name = string.Empty;
            for (index++; index > 0; index = (index - 1) / 26) name = (char)('A' + (index - 1) % 26) + name;
            return name;
        }
    }
}
