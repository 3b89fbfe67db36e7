using System;
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

        private readonly FileStream _stream;
        private readonly IExcelDataReader _reader;

        private SpreadsheetFile(string path, FileStream stream, IExcelDataReader reader, string format, Encoding encoding)
        {
            Path = path;
            FileName = System.IO.Path.GetFileName(path);
            _stream = stream;
            _reader = reader;
            Format = format;
            CsvEncoding = encoding;
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
                    var encoding = DetectTextEncoding(stream, name);
                    var csv = ExcelReaderFactory.CreateCsvReader(stream, new ExcelReaderConfiguration
                    {
                        FallbackEncoding = encoding,
                        AutodetectSeparators = new[] { ',', '\t', ';' },
                    });
                    return new SpreadsheetFile(path, stream, csv, "csv", encoding);
                }

                var reader = ExcelReaderFactory.CreateReader(stream);
                return new SpreadsheetFile(path, stream, reader, zip ? "xlsx" : "xls", null);
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
            try { return _reader.Read(); }
            catch (Exception ex) when (!(ex is AddressBookException)) { throw Translate(ex, FileName); }
        }

        public bool NextSheet()
        {
            try { return _reader.NextResult(); }
            catch (Exception ex) when (!(ex is AddressBookException)) { throw Translate(ex, FileName); }
        }

        /// <summary>Starts again at the first sheet.</summary>
        public void Reset() => _reader.Reset();

        /// <summary>The current row's cells as text (null for empty cells), sized to the sheet's field count.</summary>
        public string[] GetRow(string[] buffer)
        {
            int count = _reader.FieldCount;
            if (buffer == null || buffer.Length != count) buffer = new string[count];
            for (int i = 0; i < count; i++) buffer[i] = ToText(_reader.GetValue(i));
            return buffer;
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
                case DateTime dt: return dt.TimeOfDay == TimeSpan.Zero ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return value.ToString();
            }
        }

        /// <summary>
        /// UTF-8 (with or without BOM) or, when the bytes are not valid UTF-8, GB18030 — what Chinese Excel writes for
        /// "CSV (逗号分隔)". Checks the whole file: a file that is UTF-8 for 10 000 rows and GBK after would be garbled.
        /// </summary>
        internal static Encoding DetectTextEncoding(Stream stream, string name)
        {
            var buffer = new byte[1 << 16];
            int n = stream.Read(buffer, 0, 4);
            stream.Seek(0, SeekOrigin.Begin);
            if (n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) return new UTF8Encoding(true);
            if (n >= 2 && buffer[0] == 0xFF && buffer[1] == 0xFE) return Encoding.Unicode;
            if (n >= 2 && buffer[0] == 0xFE && buffer[1] == 0xFF) return Encoding.BigEndianUnicode;

            var decoder = new UTF8Encoding(false, true).GetDecoder();
            var chars = new char[buffer.Length + 4];
            bool utf8 = true;
            try
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (Array.IndexOf(buffer, (byte)0, 0, read) >= 0)
                        throw Fail(ProblemCodes.NotASpreadsheet, ProblemKind.InvalidData, $"{name} is not a spreadsheet or a text CSV file (it contains binary data). Export the address book from the WeCom admin console as Excel (.xlsx).");
                    decoder.GetChars(buffer, 0, read, chars, 0, false);
                }
                decoder.GetChars(buffer, 0, 0, chars, 0, true);
            }
            catch (DecoderFallbackException) { utf8 = false; }
            stream.Seek(0, SeekOrigin.Begin);
            return utf8 ? (Encoding)new UTF8Encoding(false) : Encoding.GetEncoding(54936);
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
