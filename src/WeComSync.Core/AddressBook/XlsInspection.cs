using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// A look at an .xls (BIFF) workbook for the cells ExcelDataReader 3.6 returns as empty although they hold an error
    /// value (#N/A, #REF! …): a BOOLERR record with its error flag set, or a FORMULA whose saved result is an error
    /// (ExcelDataReader's XlsWorksheet.ReadSingleCell and TryGetFormulaValue return null for both; its GetCellError
    /// came with 3.7). They are unknown, never empty, as in an .xlsx (<see cref="XlsxInspection"/>).
    /// <para>
    /// Reads the workbook stream ("Workbook", or "Book" for BIFF5) of the compound file (MS-CFB), or a raw BIFF stream,
    /// record headers only except for those two records; layouts from MS-XLS (BoundSheet8 2.4.28, BoolErr 2.4.24,
    /// Formula 2.4.127 with FormulaValue 2.5.133, BErr 2.5.10). Anything it does not understand (an encrypted or damaged
    /// file) ends the look without a finding, and ExcelDataReader then reads (or refuses) the file as before.
    /// </para>
    /// </summary>
    internal static class XlsInspection
    {
        private const ushort Bof = 0x0809, Eof = 0x000A, BoundSheet = 0x0085, FilePass = 0x002F;
        private const ushort BoolErr = 0x0205, BoolErrBiff2 = 0x0005, Formula = 0x0006, FormulaBiff3 = 0x0206, FormulaBiff4 = 0x0406;

        /// <summary>Unreadable cells per worksheet, in the order ExcelDataReader lists them; null when the look found nothing to say.</summary>
        public static List<Dictionary<long, string>> Inspect(Stream file)
        {
            try
            {
                var workbook = WorkbookStream(file);
                return workbook == null ? null : Scan(workbook);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is ArgumentException || e is EndOfStreamException)
            {
                return null;
            }
            finally
            {
                file.Seek(0, SeekOrigin.Begin);
            }
        }

        /// <summary>"#N/A" for BErr 0x2A …: Excel's own spelling of each error value.</summary>
        public static string ErrorText(byte code)
        {
            switch (code)
            {
                case 0x00: return "#NULL!";
                case 0x07: return "#DIV/0!";
                case 0x0F: return "#VALUE!";
                case 0x17: return "#REF!";
                case 0x1D: return "#NAME?";
                case 0x24: return "#NUM!";
                case 0x2A: return "#N/A";
                case 0x2B: return "#GETTING_DATA";
                default: return "an error value";
            }
        }

        private static List<Dictionary<long, string>> Scan(Stream stream)
        {
            var records = new Records(stream);
            // Workbook globals: where each worksheet's substream starts (ExcelDataReader lists worksheets only).
            var starts = new List<long>();
            if (!records.Next(out ushort id, out int length)) return null;
            if (id != Bof && id != 0x0409 && id != 0x0209 && id != 0x0009) return null;
            var body = records.Body(length);
            bool globals = body.Length >= 4 && BitConverter.ToUInt16(body, 2) == 0x0005;
            if (!globals) starts.Add(0); // a lone worksheet stream: ExcelDataReader reads it as one sheet
            while (globals && records.Next(out id, out length))
            {
                if (id == Eof) break;
                if (id == FilePass) return null; // encrypted: the records are not readable as they are
                if (id == BoundSheet)
                {
                    body = records.Body(length);
                    if (body.Length >= 6 && body[5] == 0) starts.Add(BitConverter.ToUInt32(body, 0)); // dt 0: a worksheet or dialog sheet
                }
                else records.Skip(length);
            }

            var sheets = new List<Dictionary<long, string>>();
            bool any = false;
            foreach (long start in starts)
            {
                var cells = new Dictionary<long, string>();
                sheets.Add(cells);
                if (start < 0 || start + 4 > stream.Length) continue;
                records.MoveTo(start);
                int depth = 0;
                while (records.Next(out id, out length))
                {
                    if ((id & 0x00FF) == 0x09 && (id >> 8) <= 0x08) depth++;           // a BOF (charts nest their own substreams)
                    else if (id == Eof && --depth <= 0) break;
                    if (depth == 1 && (id == BoolErr || id == BoolErrBiff2 || id == Formula || id == FormulaBiff3 || id == FormulaBiff4))
                    {
                        body = records.Body(length);
                        string what = ErrorOf(id, body);
                        if (what != null) { cells[((long)BitConverter.ToUInt16(body, 0) << 16) | BitConverter.ToUInt16(body, 2)] = what; any = true; }
                    }
                    else records.Skip(length);
                }
            }
            return any ? sheets : null;
        }

        /// <summary>BIFF records read from a stream through one 64 KB buffer: a header costs no call into the stream.</summary>
        private sealed class Records
        {
            private readonly Stream _stream;
            private readonly byte[] _buffer = new byte[1 << 16];
            private long _bufferStart;
            private int _count, _at;

            public Records(Stream stream)
            {
                _stream = stream;
                MoveTo(0);
            }

            public void MoveTo(long position)
            {
                _stream.Seek(position, SeekOrigin.Begin);
                _bufferStart = position;
                _count = _at = 0;
            }

            /// <summary>The next record's id and body length; false at the end of the stream.</summary>
            public bool Next(out ushort id, out int length)
            {
                id = 0; length = 0;
                if (!Have(4)) return false;
                id = BitConverter.ToUInt16(_buffer, _at);
                length = BitConverter.ToUInt16(_buffer, _at + 2);
                _at += 4;
                return true;
            }

            /// <summary>The body (shorter when the stream ends first).</summary>
            public byte[] Body(int length)
            {
                Have(length);
                int n = Math.Min(length, _count - _at);
                var body = new byte[n];
                Buffer.BlockCopy(_buffer, _at, body, 0, n);
                _at += n;
                return body;
            }

            public void Skip(int length)
            {
                if (_count - _at >= length) _at += length;
                else MoveTo(_bufferStart + _at + length);
            }

            // At least n bytes from _at in the buffer, as far as the stream has them (a record is at most 8 228 bytes).
            private bool Have(int n)
            {
                if (_count - _at >= n) return true;
                Buffer.BlockCopy(_buffer, _at, _buffer, 0, _count - _at);
                _bufferStart += _at; _count -= _at; _at = 0;
                int read;
                while (_count < n && (read = _stream.Read(_buffer, _count, _buffer.Length - _count)) > 0) _count += read;
                return _count >= n;
            }
        }

        /// <summary>The error a cell record holds, or null when it holds a value.</summary>
        private static string ErrorOf(ushort id, byte[] body)
        {
            switch (id)
            {
                // BoolErr: rw, col, ixfe, then bBoolErr and fError (1: bBoolErr is a BErr).
                case BoolErr: return body.Length >= 8 && body[7] == 1 ? ErrorText(body[6]) : null;
                // BIFF2: rw, col, a 3-byte cell attribute, then the value and the flag.
                case BoolErrBiff2: return body.Length >= 9 && body[8] == 1 ? ErrorText(body[7]) : null;
                // Formula: rw, col, ixfe, then the 8-byte FormulaValue: fExprO 0xFFFF marks a non-number, byte1 2 an error, byte3 its BErr.
                default: return body.Length >= 14 && body[12] == 0xFF && body[13] == 0xFF && body[6] == 2 ? ErrorText(body[8]) : null;
            }
        }

        // ---- the compound file (MS-CFB) --------------------------------------------------------------------------

        private const ulong CompoundSignature = 0xE11AB1A1E011CFD0;
        private const uint EndOfChain = 0xFFFFFFFE;

        /// <summary>The workbook stream: inside a compound file, or the file itself when it is a raw BIFF stream.</summary>
        private static Stream WorkbookStream(Stream file)
        {
            file.Seek(0, SeekOrigin.Begin);
            var header = new byte[512];
            if (file.Read(header, 0, header.Length) < 8) return null;
            if (BitConverter.ToUInt64(header, 0) != CompoundSignature)
            {
                file.Seek(0, SeekOrigin.Begin);
                return header[0] == 0x09 && header[1] <= 0x08 ? file : null;
            }

            int sectorShift = BitConverter.ToUInt16(header, 0x1E), miniShift = BitConverter.ToUInt16(header, 0x20);
            if (sectorShift != 9 && sectorShift != 12 || miniShift != 6) return null;
            int sectorSize = 1 << sectorShift;
            long sectorCount = (file.Length >> sectorShift) + 1;

            // The FAT: its sectors are listed in the header's 109 DIFAT entries, then in a chain of DIFAT sectors.
            var fatSectors = new List<uint>();
            for (int i = 0; i < 109; i++) fatSectors.Add(BitConverter.ToUInt32(header, 0x4C + 4 * i));
            uint difat = BitConverter.ToUInt32(header, 0x44);
            var sector = new byte[sectorSize];
            for (int guard = 0; difat < sectorCount && guard < sectorCount; guard++)
            {
                ReadSector(file, difat, sectorShift, sector);
                for (int i = 0; i < sectorSize / 4 - 1; i++) fatSectors.Add(BitConverter.ToUInt32(sector, 4 * i));
                difat = BitConverter.ToUInt32(sector, sectorSize - 4);
            }
            int fatCount = (int)Math.Min(BitConverter.ToUInt32(header, 0x2C), (uint)fatSectors.Count);
            var fat = new uint[fatCount * (sectorSize / 4)];
            for (int f = 0; f < fatCount; f++)
            {
                if (fatSectors[f] >= sectorCount) return null;
                ReadSector(file, fatSectors[f], sectorShift, sector);
                Buffer.BlockCopy(sector, 0, fat, f * sectorSize, sectorSize);
            }

            var directory = new ChainStream(file, Chain(fat, BitConverter.ToUInt32(header, 0x30)), sectorShift, long.MaxValue);
            var entry = new byte[128];
            long rootStart = -1, rootSize = 0;
            for (int index = 0; directory.Read(entry, 0, 128) == 128; index++)
            {
                int nameBytes = Math.Min((int)BitConverter.ToUInt16(entry, 64), 64);
                string name = nameBytes >= 2 ? Encoding.Unicode.GetString(entry, 0, nameBytes - 2) : "";
                byte type = entry[66];
                uint start = BitConverter.ToUInt32(entry, 116);
                long size = sectorShift == 9 ? BitConverter.ToUInt32(entry, 120) : (long)BitConverter.ToUInt64(entry, 120);
                if (type == 5) { rootStart = start; rootSize = size; }
                if (type != 2 || !(name.Equals("Workbook", StringComparison.OrdinalIgnoreCase) || name.Equals("Book", StringComparison.OrdinalIgnoreCase))) continue;
                if (size >= BitConverter.ToUInt32(header, 0x38)) return new ChainStream(file, Chain(fat, start), sectorShift, size);
                // A small stream lives in the mini stream (the root entry's data), in 64-byte sectors chained by the mini FAT.
                if (rootStart < 0) return null;
                var miniFatStream = new ChainStream(file, Chain(fat, BitConverter.ToUInt32(header, 0x3C)), sectorShift, long.MaxValue);
                var miniFatBytes = new byte[Math.Min(miniFatStream.Length, 1L << 24)];
                int got = miniFatStream.Read(miniFatBytes, 0, miniFatBytes.Length);
                var miniFat = new uint[got / 4];
                Buffer.BlockCopy(miniFatBytes, 0, miniFat, 0, miniFat.Length * 4);
                var miniStream = new ChainStream(file, Chain(fat, (uint)rootStart), sectorShift, rootSize);
                return new ChainStream(miniStream, Chain(miniFat, start), miniShift, size);
            }
            return null;
        }

        private static void ReadSector(Stream file, uint sector, int shift, byte[] buffer)
        {
            file.Seek(((long)sector + 1) << shift, SeekOrigin.Begin);
            int read = 0, n;
            while (read < buffer.Length && (n = file.Read(buffer, read, buffer.Length - read)) > 0) read += n;
            if (read < buffer.Length) throw new EndOfStreamException();
        }

        /// <summary>The sectors of a chain, in order; a loop or a link out of the table ends it.</summary>
        private static List<uint> Chain(uint[] table, uint first)
        {
            var chain = new List<uint>();
            for (uint s = first; s < table.Length && chain.Count <= table.Length; s = table[s]) chain.Add(s);
            if (chain.Count > table.Length) throw new InvalidDataException("A sector chain loops.");
            return chain;
        }

        /// <summary>
        /// A read-only stream over a chain of sectors of <c>1 &lt;&lt; shift</c> bytes (in the file, or in the mini stream),
        /// one sector held at a time: the walk reads a record header of 4 bytes at a time.
        /// </summary>
        private sealed class ChainStream : Stream
        {
            private readonly Stream _base;
            private readonly List<uint> _sectors;
            private readonly int _shift;
            private readonly long _length;
            private readonly byte[] _sector;
            private int _held = -1, _heldBytes;
            private long _position;

            public ChainStream(Stream @base, List<uint> sectors, int shift, long length)
            {
                _base = @base;
                _sectors = sectors;
                _shift = shift;
                _length = Math.Min(length, (long)sectors.Count << shift);
                _sector = new byte[1 << shift];
            }

            // In the file a sector follows the 512-byte header (sector n at (n + 1) << shift); in the mini stream it does not.
            private long Offset(uint sector) => _base is ChainStream ? (long)sector << _shift : ((long)sector + 1) << _shift;

            public override int Read(byte[] buffer, int offset, int count)
            {
                int total = 0;
                while (count > 0 && _position < _length)
                {
                    int index = (int)(_position >> _shift), within = (int)(_position & ((1 << _shift) - 1));
                    if (index != _held)
                    {
                        _base.Seek(Offset(_sectors[index]), SeekOrigin.Begin);
                        int got = 0, n;
                        while (got < _sector.Length && (n = _base.Read(_sector, got, _sector.Length - got)) > 0) got += n;
                        _held = index; _heldBytes = got;
                    }
                    int take = (int)Math.Min(Math.Min(count, _heldBytes - within), _length - _position);
                    if (take <= 0) break;
                    Buffer.BlockCopy(_sector, within, buffer, offset, take);
                    total += take; offset += take; count -= take; _position += take;
                }
                return total;
            }

            public override long Seek(long offset, SeekOrigin origin)
            {
                _position = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _position + offset : _length + offset;
                return _position;
            }

            public override bool CanRead => true;
            public override bool CanSeek => true;
            public override bool CanWrite => false;
            public override long Length => _length;
            public override long Position { get => _position; set => _position = value; }
            public override void Flush() { }
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
