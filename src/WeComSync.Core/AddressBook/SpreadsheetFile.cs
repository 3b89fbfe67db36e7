using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using ExcelDataReader;
using ExcelDataReader.Exceptions;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// An open export file (.xlsx, .xls or .csv) read row by row through ExcelDataReader, never loaded whole.
    /// Every way a file can fail to open (missing, empty, locked, encrypted, not a spreadsheet) becomes one
    /// <see cref="AddressBookException"/> with a message that says what to do; no library exception leaks out.
    /// </summary>
    internal sealed class SpreadsheetFile : IDisposable
    {
        static SpreadsheetFile()
        {
            // ExcelDataReader needs the legacy code pages (1252 for xls, 936/GB18030 for Chinese csv) on .NET Core.
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        }

        private readonly CellDisplay _display = new CellDisplay();
        private readonly FileStream _stream;
        private readonly IExcelDataReader _reader;

        // Unreadable cells (error values; in xlsx also formulas without a saved value) per sheet; see XlsxInspection, XlsInspection.
        private readonly List<Dictionary<long, string>> _unknown;
        private int _sheet, _row = -1;

        // Merged ranges of the current sheet, by first row; the ones covering the current row; their top-left values.
        private CellRange[] _merges;
        private int _nextMerge;
        private readonly List<(CellRange Range, string Value)> _activeMerges = new List<(CellRange, string)>();

        private SpreadsheetFile(string path, FileStream stream, IExcelDataReader reader, string format, Encoding encoding, List<Dictionary<long, string>> unknown = null)
        {
            _unknown = unknown;
            Path = path;
            FileName = System.IO.Path.GetFileName(path);
            _stream = stream;
            _reader = reader;
            Format = format;
            CsvEncoding = encoding;
            StartSheet();
        }

        public string Path { get; }
        public string FileName { get; }

        /// <summary>"xlsx", "xls" or "csv".</summary>
        public string Format { get; }

        /// <summary>The encoding a CSV file was read with (null for workbooks).</summary>
        public Encoding CsvEncoding { get; }

        public int SheetCount => _reader.ResultsCount;

        /// <summary>The current sheet's name; a CSV file's one sheet is named after the file.</summary>
        public string SheetName => Format == "csv" || string.IsNullOrEmpty(_reader.Name) ? System.IO.Path.GetFileNameWithoutExtension(Path) : _reader.Name;

        public int FieldCount => _reader.FieldCount;

        /// <summary>How far through the file the reader is, 0..1 (compressed position for xlsx: good enough for progress).</summary>
        public double Fraction
        {
            get
            {
                try { return _stream.Length == 0 ? 1 : Math.Min(1.0, (double)_stream.Position / _stream.Length); }
                catch (ObjectDisposedException) { return 1; }
            }
        }

        public static SpreadsheetFile Open(string path)
        {
            string name = System.IO.Path.GetFileName(path);
            FileStream stream;
            try
            {
                // FileShare.ReadWrite: a file the admin still has open in Excel can be read.
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            }
            catch (FileNotFoundException ex) { throw Fail(ProblemCodes.FileNotFound, ProblemKind.NotFound, $"{path}: the file does not exist.", ex); }
            catch (DirectoryNotFoundException ex) { throw Fail(ProblemCodes.FileNotFound, ProblemKind.NotFound, $"{path}: the folder does not exist.", ex); }
            catch (UnauthorizedAccessException ex) { throw Fail(ProblemCodes.FileDenied, ProblemKind.Denied, $"{name}: access denied. Check the file's permissions, or copy it somewhere you can read.", ex); }
            catch (IOException ex) { throw Fail(ProblemCodes.FileLocked, ProblemKind.Unavailable, $"{name}: the file is locked by another program ({ex.Message.Trim()}). Close it (for example in Excel) and try again.", ex); }

            try
            {
                if (stream.Length == 0) throw Fail(ProblemCodes.FileEmpty, ProblemKind.InvalidData, $"{name}: the file is empty (0 bytes). Export the address book again from the WeCom admin console.");
                var probe = new byte[8];
                int read = stream.Read(probe, 0, probe.Length);
                stream.Seek(0, SeekOrigin.Begin);
                bool zip = read >= 2 && probe[0] == 0x50 && probe[1] == 0x4B;
                bool compound = read >= 8 && BitConverter.ToUInt64(probe, 0) == 0xE11AB1A1E011CFD0;
                bool rawBiff = read >= 4 && probe[1] <= 0x08 && probe[0] == 0x09;
                string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();

                if (!zip && !compound && !rawBiff && (ext == ".csv" || ext == ".txt"))
                {
                    var encoding = DetectTextEncoding(stream, name); // also bounds the longest record
                    var csv = ExcelReaderFactory.CreateCsvReader(stream, new ExcelReaderConfiguration
                    {
                        FallbackEncoding = encoding,
                        AutodetectSeparators = new[] { ',', '\t', ';' },
                    });
                    return new SpreadsheetFile(path, stream, csv, "csv", encoding);
                }

                if (!zip && !compound && !rawBiff) RefuseTextWorkbook(stream, name);
                var unknown = zip ? XlsxInspection.Inspect(stream, name) : XlsInspection.Inspect(stream);
                var reader = ExcelReaderFactory.CreateReader(stream);
                return new SpreadsheetFile(path, stream, reader, zip ? "xlsx" : "xls", null, unknown);
            }
            catch (AddressBookException) { stream.Dispose(); throw; }
            catch (Exception ex)
            {
                stream.Dispose();
                throw Translate(ex, name);
            }
        }

        /// <summary>Moves to the next row; false at the end of the sheet.</summary>
        public bool Read()
        {
            _row++;
            try { return _reader.Read(); }
            catch (Exception ex) when (!(ex is AddressBookException)) { throw Translate(ex, FileName); }
        }

        public bool NextSheet()
        {
            bool more;
            try { more = _reader.NextResult(); }
            catch (Exception ex) when (!(ex is AddressBookException)) { throw Translate(ex, FileName); }
            _sheet++;
            StartSheet();
            return more;
        }

        /// <summary>Starts again at the first sheet.</summary>
        public void Reset()
        {
            _reader.Reset();
            _sheet = 0;
            StartSheet();
        }

        /// <summary>True for a sheet the workbook hides (hidden or very hidden); what the admin does not see is not read unasked.</summary>
        public bool IsHidden
        {
            get
            {
                string state = Format == "csv" ? null : _reader.VisibleState;
                return state != null && !string.Equals(state, "visible", StringComparison.OrdinalIgnoreCase);
            }
        }

        private void StartSheet()
        {
            _row = -1;
            _activeMerges.Clear();
            _nextMerge = 0;
            CellRange[] merges = null;
            try { merges = Format == "csv" ? null : _reader.MergeCells; }
            catch (Exception ex) when (!(ex is AddressBookException)) { throw Translate(ex, FileName); }
            _merges = merges == null || merges.Length == 0 ? null : (CellRange[])merges.Clone();
            if (_merges != null) Array.Sort(_merges, (a, b) => a.FromRow.CompareTo(b.FromRow));
        }

        /// <summary>
        /// Gives every cell a merged range covers the range's value, as Excel shows it (the file stores it in the
        /// top-left cell only). Call after <see cref="GetRow"/> for the rows that are data.
        /// </summary>
        public void FillMerged(string[] cells, int rowIndex)
        {
            if (_activeMerges.Count == 0) return;
            foreach (var (range, value) in _activeMerges)
            {
                if (rowIndex < range.FromRow || rowIndex > range.ToRow) continue;
                for (int c = range.FromColumn; c <= range.ToColumn && c < cells.Length; c++)
                    if (string.IsNullOrEmpty(cells[c])) cells[c] = value;
            }
        }

        /// <summary>What each unreadable cell of a row holds ("#N/A", a formula without a value), or null when none is.</summary>
        public string[] UnknownCells(int rowIndex, int width)
        {
            if (_unknown == null || _sheet >= _unknown.Count) return null;
            var sheet = _unknown[_sheet];
            if (sheet.Count == 0) return null;
            string[] result = null;
            for (int c = 0; c < width; c++)
            {
                if (!sheet.TryGetValue(((long)rowIndex << 16) | (uint)c, out string what)) continue;
                (result = result ?? new string[width])[c] = what;
            }
            return result;
        }

        /// <summary>True when the current row is hidden (by an autofilter or by hand: Excel keeps both as a zero height).</summary>
        public bool RowHidden
        {
            get
            {
                if (Format == "csv") return false;
                try { return _reader.RowHeight <= 0; }
                catch (Exception ex) when (!(ex is AddressBookException)) { return false; }
            }
        }

        /// <summary>0 → "A", 27 → "AB": a column as Excel names it.</summary>
        public static string ColumnName(int index)
        {
            string name = string.Empty;
            for (index++; index > 0; index = (index - 1) / 26) name = (char)('A' + (index - 1) % 26) + name;
            return name;
        }

        /// <summary>The current row's cells as text (null for empty cells), sized to the sheet's field count.</summary>
        public string[] GetRow(string[] buffer)
        {
            int count = _reader.FieldCount;
            if (buffer == null || buffer.Length != count) buffer = new string[count];
            for (int i = 0; i < count; i++)
            {
                object value = _reader.GetValue(i);
                // A number as Excel displays it (its number format): 账号 00123 stored as 123 with 00000 reads "00123".
                string text = value is double d && Format != "csv" ? _display.Number(d, _reader.GetNumberFormatIndex(i), _reader.GetNumberFormatString(i)) : ToText(value);
                if (text != null && text.Length > XlsxInspection.MaxCellCharacters)
                    throw Fail(ProblemCodes.CellTooLong, ProblemKind.InvalidData, $"{FileName}, sheet {SheetName}, cell {ColumnName(i)}{_row + 1}: {text.Length:N0} characters, more than Excel's limit of {XlsxInspection.MaxCellCharacters:N0} for one cell; the file was not written by Excel or the WeCom console. Export it again.");
                buffer[i] = text;
            }
            if (_merges != null) TrackMerges(buffer);
            return buffer;
        }

        /// <summary>Keeps the top-left value of each merged range that starts on this row, and drops the ranges that ended.</summary>
        private void TrackMerges(string[] cells)
        {
            _activeMerges.RemoveAll(m => m.Range.ToRow < _row);
            while (_nextMerge < _merges.Length && _merges[_nextMerge].FromRow <= _row)
            {
                var range = _merges[_nextMerge++];
                if (range.ToRow < _row) continue;
                string value = range.FromColumn < cells.Length ? cells[range.FromColumn] : null;
                if (!string.IsNullOrEmpty(value)) _activeMerges.Add((range, value));
            }
        }

        /// <summary>
        /// A cell as the admin sees it. Numbers keep all their digits: a mobile number Excel stored as 13800000000
        /// must not become "1.38E+10".
        /// </summary>
        internal static string ToText(object value)
        {
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case double d:
                    if (Math.Abs(d) < 1e17 && d == Math.Floor(d)) return ((long)d).ToString(CultureInfo.InvariantCulture);
                    return d.ToString("R", CultureInfo.InvariantCulture);
                case bool b: return b ? "TRUE" : "FALSE";
                // A time alone (a serial under one day: Excel's day 0 is 1899-12-30) reads as the time.
                case DateTime dt when dt.Date == TimeOnlyDay: return dt.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                case DateTime dt: return dt.TimeOfDay == TimeSpan.Zero ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                case TimeSpan ts: return ((long)ts.TotalHours).ToString(CultureInfo.InvariantCulture) + ts.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture); // [h]:mm:ss
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return value.ToString();
            }
        }

        private static readonly DateTime TimeOnlyDay = new DateTime(1899, 12, 30);

        /// <summary>
        /// UTF-8 (with or without BOM) or, when the bytes are not valid UTF-8, GB18030 — what Chinese Excel writes for
        /// "CSV (逗号分隔)". Checks the whole file: a file that is UTF-8 for 10 000 rows and GBK after would be garbled.
        /// </summary>
        /// <summary>Longest CSV record (a row, quoted line breaks included) read.</summary>
        internal const int MaxCsvRecordBytes = 4 << 20;

        internal static Encoding DetectTextEncoding(Stream stream, string name)
        {
            var buffer = new byte[1 << 16];
            int n = stream.Read(buffer, 0, 4);
            stream.Seek(0, SeekOrigin.Begin);
            Encoding bom = n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? new UTF8Encoding(true) : null;
            if (n >= 2 && buffer[0] == 0xFF && buffer[1] == 0xFE) return Encoding.Unicode;
            if (n >= 2 && buffer[0] == 0xFE && buffer[1] == 0xFF) return Encoding.BigEndianUnicode;

            var decoder = new UTF8Encoding(false, true).GetDecoder();
            var chars = new char[buffer.Length + 4];
            bool utf8 = true;
            try
            {
                int read;
                bool quoted = false;
                long record = 0, line = 1;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (Array.IndexOf(buffer, (byte)0, 0, read) >= 0)
                        throw Fail(ProblemCodes.NotASpreadsheet, ProblemKind.InvalidData, $"{name} is not a spreadsheet or a text CSV file (it contains binary data). Export the address book from the WeCom admin console as Excel (.xlsx).");
                    // One record must fit what a row of cells can hold: the CSV reader keeps a whole record in memory.
                    for (int i = 0; i < read; i++)
                    {
                        byte b = buffer[i];
                        if (b == '"') quoted = !quoted;
                        else if (b == '\n') { line++; if (!quoted) { record = 0; continue; } }
                        if (++record > MaxCsvRecordBytes)
                            throw Fail(ProblemCodes.CellTooLong, ProblemKind.InvalidData, $"{name}: the record that reaches line {line} is longer than {MaxCsvRecordBytes >> 20} MB, more than any row of cells can hold (Excel's limit is {XlsxInspection.MaxCellCharacters:N0} characters per cell); often a '\"' that is never closed. Export the address book again.");
                    }
                    decoder.GetChars(buffer, 0, read, chars, 0, false);
                }
                decoder.GetChars(buffer, 0, 0, chars, 0, true);
            }
            catch (DecoderFallbackException) { utf8 = false; }
            stream.Seek(0, SeekOrigin.Begin);
            return bom ?? (utf8 ? (Encoding)new UTF8Encoding(false) : Encoding.GetEncoding(54936));
        }

        /// <summary>What to do with a file saved in another format: open it in Excel and save it as an Excel workbook.</summary>
        internal const string SaveAsXlsx = "Open it in Excel and save it as Excel Workbook (.xlsx) (File > Save As), or export the address book again from the WeCom admin console";

        /// <summary>
        /// Text files named .xls that are not workbooks, as systems export "Excel" tables: an HTML table, or Excel's own XML
        /// Spreadsheet 2003. Named for what they are; ExcelDataReader reads neither. Other files go on to its verdict.
        /// </summary>
        private static void RefuseTextWorkbook(Stream stream, string name)
        {
            var head = new byte[4096];
            int n = stream.Read(head, 0, head.Length);
            stream.Seek(0, SeekOrigin.Begin);
            string text;
            if (n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
                text = (head[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode).GetString(head, 2, n - 2);
            else text = Encoding.UTF8.GetString(head, 0, n);
            text = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            string lower = text.ToLowerInvariant();
            // XML Spreadsheet 2003 first: its <Table> element would look like HTML's.
            if (lower.IndexOf("urn:schemas-microsoft-com:office:spreadsheet", StringComparison.Ordinal) >= 0 || lower.IndexOf("progid=\"excel.sheet\"", StringComparison.Ordinal) >= 0)
                throw Fail(ProblemCodes.NotASpreadsheet, ProblemKind.InvalidData, $"{name} is an XML Spreadsheet 2003 file (Excel's old XML format), not an Excel workbook, whatever its extension. {SaveAsXlsx}.");
            if (lower.StartsWith("<html", StringComparison.Ordinal) || lower.StartsWith("<!doctype html", StringComparison.Ordinal) || lower.StartsWith("<table", StringComparison.Ordinal)
                || (lower.StartsWith("<", StringComparison.Ordinal) && (lower.IndexOf("<table", StringComparison.Ordinal) >= 0 || lower.IndexOf("<html", StringComparison.Ordinal) >= 0)))
                throw Fail(ProblemCodes.NotASpreadsheet, ProblemKind.InvalidData, $"{name} is a web page (an HTML table) saved under an Excel name, not an Excel workbook; some systems export tables this way. {SaveAsXlsx}.");
        }

        internal static AddressBookException Translate(Exception ex, string name)
        {
            switch (ex)
            {
                case AddressBookException abe: return abe;
                case InvalidPasswordException _:
                    return Fail(ProblemCodes.FileEncrypted, ProblemKind.Denied, $"{name} is encrypted (password protected). Open it in Excel, remove the password (File > Info > Protect Workbook), save, and import again.", ex);
                case HeaderException _:
                    return Fail(ProblemCodes.NotASpreadsheet, ProblemKind.InvalidData, $"{name} is not an Excel workbook (.xlsx or .xls). Export the address book from the WeCom admin console, or save it as .xlsx or .csv.", ex);
                case System.Xml.XmlException xml when xml.Message.IndexOf("DTD", StringComparison.OrdinalIgnoreCase) >= 0:
                    // Never pass on the parser's advice to enable DTD processing: the file is refused, and that is right.
                    return Fail(ProblemCodes.DtdRefused, ProblemKind.InvalidData, $"{name}: a part of the workbook declares a document type (<!DOCTYPE>), which neither Excel nor the WeCom console writes; it is refused. Export the address book again from the WeCom admin console.", ex);
                case IOException io when !(ex is EndOfStreamException):
                    return Fail(ProblemCodes.FileLocked, ProblemKind.Unavailable, $"{name} could not be read ({io.Message.Trim()}). Close any program that has it open and try again.", ex);
                default:
                    return Fail(ProblemCodes.NotASpreadsheet, ProblemKind.InvalidData, $"{name} is damaged or not a spreadsheet ({ex.GetType().Name}: {ex.Message.Trim()}). Open it in Excel and save it again as .xlsx, or export it again.", ex);
            }
        }

        private static AddressBookException Fail(string code, ProblemKind kind, string message, Exception inner = null) =>
            new AddressBookException(new AddressBookProblem(code, ProblemSeverity.Error, kind, message), inner);

        public void Dispose()
        {
            _reader?.Dispose();
            _stream.Dispose();
        }
    }
}
