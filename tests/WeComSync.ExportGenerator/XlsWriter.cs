using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeComSync.ExportGenerator
{
    /// <summary>
    /// Writes a minimal Excel 97-2003 (.xls) workbook as a raw BIFF8 stream: workbook globals, one BOUNDSHEET per sheet,
    /// LABEL (text) and NUMBER cells. Excel and ExcelDataReader read a raw BIFF stream without the compound-file wrapper,
    /// which is enough for tests of the reader's .xls path; it is not a full .xls writer (no styles, no merges).
    /// </summary>
    public static class XlsWriter
    {
        public static void Write(string path, params ExportSheet[] sheets)
        {
            using (var file = File.Create(path)) Write(file, sheets);
        }

        public static void Write(Stream output, params ExportSheet[] sheets)
        {
            var sheetStreams = new List<byte[]>();
            foreach (var sheet in sheets) sheetStreams.Add(SheetStream(sheet));

            var globals = new MemoryStream();
            var g = new BinaryWriter(globals);
            Bof(g, 0x0005);
            Record(g, 0x0042, w => w.Write((ushort)1200)); // CODEPAGE: Unicode
            for (int i = 0; i < 21; i++) Record(g, 0x00E0, w => w.Write(new byte[20])); // XF records: 16 style + 5 cell, all default
            var boundSheetOffsets = new List<long>();
            foreach (var sheet in sheets)
            {
                boundSheetOffsets.Add(globals.Position + 4);
                Record(g, 0x0085, w =>
                {
                    w.Write(0u); // lbPlyPos, patched below
                    w.Write((byte)0); w.Write((byte)0);
                    w.Write((byte)sheet.Name.Length); w.Write((byte)1); w.Write(Encoding.Unicode.GetBytes(sheet.Name));
                });
            }
            Record(g, 0x000A, w => { });
            g.Flush();

            var bytes = globals.ToArray();
            long offset = bytes.Length;
            for (int i = 0; i < sheets.Length; i++)
            {
                BitConverter.GetBytes((uint)offset).CopyTo(bytes, boundSheetOffsets[i]);
                offset += sheetStreams[i].Length;
            }
            output.Write(bytes, 0, bytes.Length);
            foreach (var s in sheetStreams) output.Write(s, 0, s.Length);
        }

        private static byte[] SheetStream(ExportSheet sheet)
        {
            var rows = new List<object[]>();
            if (sheet.Preamble != null) rows.AddRange(sheet.Preamble);
            foreach (string line in sheet.Instructions ?? Array.Empty<string>()) rows.Add(new object[] { line });
            if (sheet.Header != null) { var h = new object[sheet.Header.Count]; for (int i = 0; i < h.Length; i++) h[i] = sheet.Header[i]; rows.Add(h); }
            rows.AddRange(sheet.Rows);
            int columns = 1;
            foreach (var r in rows) columns = Math.Max(columns, r.Length);

            var ms = new MemoryStream();
            var w = new BinaryWriter(ms);
            Bof(w, 0x0010);
            Record(w, 0x0200, x => { x.Write(0u); x.Write((uint)rows.Count); x.Write((ushort)0); x.Write((ushort)columns); x.Write((ushort)0); });
            for (int r = 0; r < rows.Count; r++)
            {
                for (int c = 0; c < rows[r].Length; c++)
                {
                    object value = rows[r][c];
                    if (value == null) continue;
                    int row = r, col = c;
                    if (value is string s)
                        Record(w, 0x0204, x => { x.Write((ushort)row); x.Write((ushort)col); x.Write((ushort)15); x.Write((ushort)s.Length); x.Write((byte)1); x.Write(Encoding.Unicode.GetBytes(s)); });
                    else
                        Record(w, 0x0203, x => { x.Write((ushort)row); x.Write((ushort)col); x.Write((ushort)15); x.Write(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); });
                }
            }
            Record(w, 0x000A, x => { });
            w.Flush();
            return ms.ToArray();
        }

        private static void Bof(BinaryWriter w, ushort type) =>
            Record(w, 0x0809, x => { x.Write((ushort)0x0600); x.Write(type); x.Write((ushort)0x0DBB); x.Write((ushort)0x07CC); x.Write(0u); x.Write(0x0600u); });

        private static void Record(BinaryWriter w, ushort id, Action<BinaryWriter> body)
        {
            var ms = new MemoryStream();
            var b = new BinaryWriter(ms);
            body(b);
            b.Flush();
            if (ms.Length > 8224) throw new InvalidOperationException("BIFF record too long for this minimal writer.");
            w.Write(id);
            w.Write((ushort)ms.Length);
            w.Write(ms.ToArray());
        }
    }
}
