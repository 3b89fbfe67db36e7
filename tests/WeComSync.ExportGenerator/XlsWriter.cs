using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeComSync.ExportGenerator
{
    /// <summary>
    /// Writes a minimal Excel 97-2003 (.xls) workbook as a raw BIFF8 stream: workbook globals, one BOUNDSHEET per sheet,
    /// LABEL (text) and NUMBER cells, and error cells (<see cref="XlsError"/>: BOOLERR, or a FORMULA whose saved result is
    /// the error). Excel and ExcelDataReader read a raw BIFF stream without the compound-file wrapper; <see cref="WriteCompound"/>
    /// wraps it in one as Excel saves it (a "Workbook" stream, MS-CFB version 3). Enough for tests of the reader's .xls
    /// path; it is not a full .xls writer (no styles, no merges).
    /// </summary>
    public static class XlsWriter
    {
        public static void Write(string path, params ExportSheet[] sheets)
        {
            using (var file = File.Create(path)) Write(file, sheets);
        }

        /// <summary>
        /// The workbook in a compound file, as Excel saves an .xls. A workbook stream under 4096 bytes goes into the mini
        /// stream (64-byte sectors) unless <paramref name="padTo4096"/>, which pads it as Excel does.
        /// </summary>
        public static void WriteCompound(string path, bool padTo4096, params ExportSheet[] sheets)
        {
            var biff = new MemoryStream();
            Write(biff, sheets);
            var workbook = biff.ToArray();
            if (padTo4096 && workbook.Length < 4096) Array.Resize(ref workbook, 4096);
            File.WriteAllBytes(path, CompoundFile.Build("Workbook", workbook));
        }

        public static void Write(Stream output, params ExportSheet[] sheets)
        {
            // Number formats: custom ones as FORMAT records from 164, each format one cell XF after the 21 defaults.
            var formats = new List<FormattedNumber>();
            foreach (var sheet in sheets)
                foreach (var f in FormattedNumber.Formats(sheet.Rows))
                    if (!formats.Exists(x => x.Key == f.Key)) formats.Add(f);
            var sheetStreams = new List<byte[]>();
            foreach (var sheet in sheets) sheetStreams.Add(SheetStream(sheet, formats));

            var globals = new MemoryStream();
            var g = new BinaryWriter(globals);
            Bof(g, 0x0005);
            Record(g, 0x0042, w => w.Write((ushort)1200)); // CODEPAGE: Unicode
            var ifmts = new List<ushort>();
            ushort custom = 164;
            foreach (var f in formats)
            {
                ushort ifmt = f.BuiltInId.HasValue ? (ushort)f.BuiltInId.Value : custom++;
                ifmts.Add(ifmt);
                if (f.BuiltInId.HasValue) continue;
                string code = f.FormatCode;
                Record(g, 0x041E, w => { w.Write(ifmt); w.Write((ushort)code.Length); w.Write((byte)1); w.Write(Encoding.Unicode.GetBytes(code)); });
            }
            for (int i = 0; i < 21; i++) Record(g, 0x00E0, w => w.Write(new byte[20])); // XF records: 16 style + 5 cell, all default
            foreach (ushort ifmt in ifmts)
                Record(g, 0x00E0, w => { var xf = new byte[20]; BitConverter.GetBytes(ifmt).CopyTo(xf, 2); w.Write(xf); }); // ifnt 0, ifmt, a cell XF
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

        private static byte[] SheetStream(ExportSheet sheet, List<FormattedNumber> formats)
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
                    if (value is XlsError error)
                    {
                        if (error.AsFormula)
                            // FormulaValue: byte1 2 (an error), byte3 the BErr, fExprO 0xFFFF; then grbit, chn and the formula =#N/A (PtgErr).
                            Record(w, 0x0006, x => { x.Write((ushort)row); x.Write((ushort)col); x.Write((ushort)15); x.Write(new byte[] { 2, 0, error.Code, 0, 0, 0, 0xFF, 0xFF }); x.Write((ushort)0); x.Write(0u); x.Write((ushort)2); x.Write((byte)0x1C); x.Write(error.Code); });
                        else
                            Record(w, 0x0205, x => { x.Write((ushort)row); x.Write((ushort)col); x.Write((ushort)15); x.Write(error.Code); x.Write((byte)1); });
                    }
                    else if (value is FormattedNumber f)
                    {
                        ushort ixfe = (ushort)(21 + formats.FindIndex(x => x.Key == f.Key));
                        bool rk = f.AsRk && f.Value == Math.Floor(f.Value) && Math.Abs(f.Value) < (1 << 29);
                        // RK (MS-XLS 2.5.218): fX100 0, fInt 1, the integer in the top 30 bits.
                        if (rk) Record(w, 0x027E, x => { x.Write((ushort)row); x.Write((ushort)col); x.Write(ixfe); x.Write(((int)f.Value << 2) | 0x02); });
                        else Record(w, 0x0203, x => { x.Write((ushort)row); x.Write((ushort)col); x.Write(ixfe); x.Write(f.Value); });
                    }
                    else if (value is string s)
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

    /// <summary>An error value in an .xls cell: its BErr code (MS-XLS 2.5.10), stored as a constant or as a formula's saved result.</summary>
    public sealed class XlsError
    {
        public const byte NA = 0x2A, Ref = 0x17, Value = 0x0F;

        public XlsError(byte code, bool asFormula = false)
        {
            Code = code;
            AsFormula = asFormula;
        }

        public byte Code { get; }
        public bool AsFormula { get; }
    }

    /// <summary>A compound file (MS-CFB version 3, 512-byte sectors) holding one stream under the root.</summary>
    internal static class CompoundFile
    {
        private const uint Free = 0xFFFFFFFF, EndOfChain = 0xFFFFFFFE, FatSector = 0xFFFFFFFD, NoStream = 0xFFFFFFFF;

        public static byte[] Build(string streamName, byte[] data)
        {
            bool mini = data.Length < 4096;
            int Sectors(long bytes) => (int)((bytes + 511) / 512);
            int miniSectors = mini ? (data.Length + 63) / 64 : 0;
            int miniFat = mini ? Sectors(miniSectors * 4L) : 0;
            int container = mini ? Sectors(miniSectors * 64L) : 0;
            int dataSectors = mini ? 0 : Sectors(data.Length);
            int others = 1 + miniFat + container + dataSectors; // the directory's one sector, then the rest
            int fatSectors = 1;
            while (fatSectors * 128 < fatSectors + others) fatSectors++;
            if (fatSectors > 109) throw new InvalidOperationException("Too large for this minimal compound file writer.");

            var fat = new uint[fatSectors * 128];
            for (int i = 0; i < fat.Length; i++) fat[i] = Free;
            int next = 0;
            for (int i = 0; i < fatSectors; i++) fat[next++] = FatSector;
            int Chain(int count)
            {
                if (count == 0) return unchecked((int)EndOfChain);
                int first = next;
                for (int i = 0; i < count; i++, next++) fat[next] = i == count - 1 ? EndOfChain : (uint)(next + 1);
                return first;
            }
            int directory = Chain(1), miniFatStart = Chain(miniFat), containerStart = Chain(container), dataStart = Chain(dataSectors);

            var file = new byte[(1 + next) * 512];
            var header = new BinaryWriter(new MemoryStream(file, 0, 512));
            header.Write(0xE11AB1A1E011CFD0UL); header.Write(new byte[16]);
            header.Write((ushort)0x003E); header.Write((ushort)3); header.Write((ushort)0xFFFE); header.Write((ushort)9); header.Write((ushort)6);
            header.Write(new byte[6]); header.Write(0u); header.Write((uint)fatSectors); header.Write((uint)directory); header.Write(0u);
            header.Write(4096u); header.Write(mini ? (uint)miniFatStart : EndOfChain); header.Write((uint)miniFat); header.Write(EndOfChain); header.Write(0u);
            for (int i = 0; i < 109; i++) header.Write(i < fatSectors ? (uint)i : Free);

            int At(int sector) => (sector + 1) * 512;
            Buffer.BlockCopy(fat, 0, file, At(0), fat.Length * 4);
            Entry(file, At(directory), "Root Entry", 5, 1, mini ? (uint)containerStart : EndOfChain, mini ? miniSectors * 64L : 0);
            Entry(file, At(directory) + 128, streamName, 2, NoStream, mini ? 0u : (uint)dataStart, data.Length);
            for (int e = 2; e < 4; e++) Entry(file, At(directory) + 128 * e, "", 0, NoStream, 0, 0);
            if (mini)
            {
                var miniTable = new uint[miniFat * 128];
                for (int i = 0; i < miniTable.Length; i++) miniTable[i] = i < miniSectors ? (i == miniSectors - 1 ? EndOfChain : (uint)(i + 1)) : Free;
                Buffer.BlockCopy(miniTable, 0, file, At(miniFatStart), miniTable.Length * 4);
                Buffer.BlockCopy(data, 0, file, At(containerStart), data.Length);
            }
            else Buffer.BlockCopy(data, 0, file, At(dataStart), data.Length);
            return file;
        }

        private static void Entry(byte[] file, int offset, string name, byte type, uint child, uint start, long size)
        {
            var w = new BinaryWriter(new MemoryStream(file, offset, 128));
            var chars = Encoding.Unicode.GetBytes(name);
            w.Write(chars); w.Write(new byte[64 - chars.Length]);
            w.Write((ushort)(name.Length == 0 ? 0 : chars.Length + 2)); w.Write(type); w.Write((byte)1);
            w.Write(NoStream); w.Write(NoStream); w.Write(child);
            w.Write(new byte[16]); w.Write(0u); w.Write(0UL); w.Write(0UL);
            w.Write(start); w.Write((ulong)size);
        }
    }
}
