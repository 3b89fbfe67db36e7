using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using Xunit;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    public class ReaderFormatTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public ReaderFormatTests(ExportFixture files) => _files = files;

        private static ExportSheet Members() => Sheet(Member("张三", "zhangsan", "腾讯公司/微信事业群；腾讯公司/研发部", 13800000000d), Member("欧阳娜娜", "ouyang", "腾讯公司/市场部", "+85259001234", ("邮箱", "oy@example.com")));

        [Theory]
        [InlineData("utf8.csv", CsvEncoding.Utf8)]
        [InlineData("utf8bom.csv", CsvEncoding.Utf8Bom)]
        [InlineData("gb18030.csv", CsvEncoding.Gb18030)]
        public void Csv_in_utf8_with_or_without_bom_and_gb18030_reads_the_same(string name, CsvEncoding encoding)
        {
            var (users, problems, reader) = Read(_files.Write(name, encoding, Members()));
            Assert.Empty(problems);
            Assert.Equal("csv", reader.Summary.Format);
            Assert.Equal(new[] { "张三", "欧阳娜娜" }, users.Select(u => u.Name));
            Assert.Equal("+86 13800000000", users[0].Mobile);
            Assert.Equal(new[] { "腾讯公司/微信事业群", "腾讯公司/研发部" }, users[0].Departments);
            Assert.EndsWith("row 10", users[0].Origin);
        }

        [Fact]
        public void Gb18030_is_detected_only_when_the_bytes_are_not_utf8()
        {
            using (var gbk = new MemoryStream(Encoding.GetEncoding(54936).GetBytes("姓名,账号\r\n张三,zs\r\n")))
                Assert.Equal(54936, SpreadsheetFile.DetectTextEncoding(gbk, "x.csv").CodePage);
            using (var utf8 = new MemoryStream(Encoding.UTF8.GetBytes("姓名,账号\r\n张三,zs\r\n")))
                Assert.Equal(65001, SpreadsheetFile.DetectTextEncoding(utf8, "x.csv").CodePage);
        }

        [Fact]
        public void Csv_mobile_saved_in_scientific_notation_is_a_clear_row_error()
        {
            var (users, problems, _) = Read(_files.Write("sci.csv", CsvEncoding.Utf8, Sheet(Member("张三", "zs", mobile: "1.38E+10"))));
            Assert.Empty(users.Where(u => u.Mobile != null && u.Mobile.Contains("E")));
            var p = Assert.Single(problems);
            Assert.Equal(ProblemCodes.InvalidMobile, p.Code);
            Assert.Contains("scientific notation", p.Message);
        }

        [Fact]
        public void Xls_file_reads_through_the_same_entry_point()
        {
            var (users, problems, reader) = Read(_files.Write("members.xls", Members()));
            Assert.Empty(problems);
            Assert.Equal("xls", reader.Summary.Format);
            Assert.Equal(new[] { "zhangsan", "ouyang" }, users.Select(u => u.UserId));
            Assert.Equal("+86 13800000000", users[0].Mobile);
            Assert.Equal("+852 59001234", users[1].Mobile);
            Assert.Equal("members.xls, sheet 成员列表, row 10", users[0].Origin);
        }

        private string TwoSheets(string name)
        {
            var first = Sheet(Member("张三", "s1a"), Member("李四", "s1b"));
            var notes = new ExportSheet { Name = "说明", Instructions = new[] { "这是说明页" }, Header = null };
            var second = Sheet(Member("王五", "s2a"));
            second.Name = "外包成员";
            return _files.Write(name, first, notes, second);
        }

        [Fact]
        public void All_sheets_are_read_by_default_and_a_sheet_without_header_is_skipped_with_a_warning()
        {
            var (users, problems, reader) = Read(TwoSheets("sheets.xlsx"));
            Assert.Equal(new[] { "s1a", "s1b", "s2a" }, users.Select(u => u.UserId));
            Assert.All(problems, p => Assert.Equal(ProblemSeverity.Warning, p.Severity));
            Assert.Equal(2, problems.Count);
            Assert.Contains("the sheet is skipped", problems[0].Message);
            Assert.Contains("both have a member header", problems[1].Message);
            Assert.Equal("sheets.xlsx, sheet 外包成员, row 10", users[2].Origin);
        }

        /// <summary>
        /// .xls error cells (BOOLERR, a formula whose saved result is an error), which ExcelDataReader 3.6 returns as empty:
        /// unknown with a warning naming the cell in an optional column, a row error in a required one — in a raw BIFF
        /// stream, in a compound file as Excel saves it, and in one whose small workbook stream sits in the mini stream.
        /// </summary>
        [Theory]
        [InlineData("raw")]
        [InlineData("compound")]
        [InlineData("compound-mini")]
        public void Xls_error_cells_are_unknown_not_empty(string layout)
        {
            var sheet = Sheet(
                Member("张三", "zs", more: ("邮箱", new XlsError(XlsError.NA, asFormula: true))),
                Member("李四", "ls", more: ("职务", new XlsError(XlsError.Ref))),
                Member("王五", "ww", more: ("账号", new XlsError(XlsError.Value))));
            string path = _files.PathOf($"errors-{layout}.xls");
            if (layout == "raw") XlsWriter.Write(path, sheet);
            else XlsWriter.WriteCompound(path, padTo4096: layout == "compound", sheet);

            var (users, problems, reader) = Read(path);
            Assert.Equal("xls", reader.Summary.Format);
            Assert.Equal(new[] { "zs", "ls" }, users.Select(u => u.UserId));
            Assert.Null(users[0].Email);                         // unknown, not ""
            Assert.Contains("Email", users[0].WithheldFields);
            Assert.Null(users[1].Position);
            var cells = Warnings(problems, "read as unknown (not empty)");
            Assert.Contains("I10: #N/A", cells[0].Message);
            Assert.Contains("D11: #REF!", cells[1].Message);
            var error = Assert.Single(problems, p => p.Severity == ProblemSeverity.Error);
            Assert.Equal(ProblemCodes.UnreadableCell, error.Code);
            Assert.Contains("holds #VALUE!", error.Message);
            Assert.Equal(12, error.Row.Row);
            // Its 账号 cannot be read: the file cannot show who left, so no delete follows from it.
            Assert.All(users, u => Assert.NotNull(u.IncompleteReason));
        }

        /// <summary>A damaged .xls (cut short, or with garbage in its tables) is ExcelDataReader's to refuse: the look for error cells never throws on its own.</summary>
        [Fact]
        public void Damaged_xls_is_refused_as_before_whatever_the_look_for_error_cells_meets()
        {
            string path = _files.PathOf("whole.xls");
            XlsWriter.WriteCompound(path, padTo4096: true, Sheet(Member("张三", "zs", more: ("邮箱", new XlsError(XlsError.NA)))));
            var whole = File.ReadAllBytes(path);
            var random = new Random(12);
            for (int i = 0; i < 200; i++)
            {
                var bytes = (byte[])whole.Clone();
                if (i % 2 == 0) Array.Resize(ref bytes, 8 + random.Next(whole.Length - 8));
                else for (int k = 0; k < 16; k++) bytes[8 + random.Next(bytes.Length - 8)] = (byte)random.Next(256);
                // The look itself: no finding or some, never an exception (SpreadsheetFile would turn one into "damaged").
                using (var stream = new MemoryStream(bytes)) XlsInspection.Inspect(stream);
                string damaged = _files.PathOf($"damaged-{i}.xls");
                File.WriteAllBytes(damaged, bytes);
                try { Read(damaged); }
                catch (AddressBookException) { }
            }
            using (var stream = new MemoryStream(whole)) Assert.Equal("#N/A", Assert.Single(Assert.Single(XlsInspection.Inspect(stream)).Values));
        }

        [Fact]
        public void Progress_and_the_closing_summary_go_to_the_output_and_the_activity_is_closed()
        {
            var output = new RecordingHost();
            var reader = new AddressBookReader(new AddressBookReadOptions { ProgressInterval = 1 }, output);
            var users = reader.ReadUsers(TwoSheets("progress.xlsx")).ToList();
            Assert.Equal(3, users.Count);
            Assert.Contains("Reading progress.xlsx: sheet 外包成员: 3 rows", output.ProgressStatus);
            Assert.Equal(100, output.Progress.Last());
            Assert.Equal(reader.Summary.ToString(), Assert.Single(output.Verbose));
            Assert.False(output.CalledOffThread);

            // A read that stops (a bad file) closes its activity too.
            var failed = new RecordingHost();
            Assert.Throws<AddressBookException>(() => new AddressBookReader(null, failed).ReadUsers(_files.Write("none.xlsx", Sheet())).ToList());
            Assert.Equal(100, failed.Progress.Last());
        }

        [Theory]
        [InlineData("外包成员")]
        [InlineData("2")]
        public void Sheet_by_name_or_zero_based_index(string selector)
        {
            var (users, _, _) = Read(TwoSheets("sheet-" + selector.Length + ".xlsx"), new AddressBookReadOptions { Sheets = new[] { selector } });
            Assert.Equal(new[] { "s2a" }, users.Select(u => u.UserId));
        }

        [Fact]
        public void Unknown_sheet_is_a_terminating_error_listing_the_sheets()
        {
            var ex = Assert.Throws<AddressBookException>(() => Read(TwoSheets("nosheet.xlsx"), new AddressBookReadOptions { Sheets = new[] { "Sheet9" } }));
            Assert.Equal(ProblemCodes.SheetNotFound, ex.Problem.Code);
            Assert.Contains("成员列表", ex.Message);
            Assert.Contains("外包成员", ex.Message);
        }

        [Fact]
        public void Start_row_at_the_header_and_end_row_limit_the_rows_read()
        {
            string path = _files.Write("range.xlsx", Sheet(Member("一", "u1"), Member("二", "u2"), Member("三", "u3"), Member("四", "u4")));
            // 0-based: header is row 8, members rows 9..12.
            var (users, _, _) = Read(path, new AddressBookReadOptions { StartRow = 8, EndRow = 10 });
            Assert.Equal(new[] { "u1", "u2" }, users.Select(u => u.UserId));
            var (last, _, _) = Read(path, new AddressBookReadOptions { StartRow = 8, EndRow = -1 });
            Assert.Equal(4, last.Count);
        }

        [Fact]
        public void Start_row_below_the_header_starts_the_data_there()
        {
            string path = _files.Write("range2.xlsx", Sheet(Member("一", "u1"), Member("二", "u2"), Member("三", "u3")));
            var (users, _, _) = Read(path, new AddressBookReadOptions { StartRow = 10 });
            Assert.Equal(new[] { "u2", "u3" }, users.Select(u => u.UserId));
            Assert.EndsWith("row 11", users[0].Origin);
        }

        [Fact]
        public void Start_row_on_a_row_that_is_not_the_header_with_no_header_above_is_an_error()
        {
            string path = _files.Write("range3.xlsx", Sheet(Member("一", "u1")));
            var ex = Assert.Throws<AddressBookException>(() => Read(path, new AddressBookReadOptions { StartRow = 3 }));
            Assert.Equal(ProblemCodes.HeaderNotFound, ex.Problem.Code);
        }

        [Fact]
        public void Empty_file_is_one_clear_error()
        {
            string path = _files.PathOf("empty.xlsx");
            File.WriteAllBytes(path, Array.Empty<byte>());
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.FileEmpty, ex.Problem.Code);
        }

        [Fact]
        public void Text_with_an_xlsx_name_is_not_a_spreadsheet()
        {
            string path = _files.PathOf("fake.xlsx");
            File.WriteAllText(path, "<html><body>not excel</body></html>");
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
            Assert.Contains("fake.xlsx", ex.Message);
        }

        [Fact]
        public void Zip_that_is_not_a_workbook_is_not_a_spreadsheet()
        {
            string path = _files.PathOf("archive.xlsx");
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
                using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open())) w.Write("hello");
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
        }

        // ---- Files that are not exports, named for what they are ----

        [Fact]
        public void Xlsb_binary_workbook_is_refused_naming_the_format_and_saying_to_save_as_xlsx()
        {
            string path = _files.PathOf("export.xlsb");
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
            {
                using (var w = new StreamWriter(zip.CreateEntry("[Content_Types].xml").Open())) w.Write("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/xl/workbook.bin\" ContentType=\"application/vnd.ms-excel.sheet.binary.macroEnabled.main\"/></Types>");
                using (var w = new StreamWriter(zip.CreateEntry("_rels/.rels").Open())) w.Write("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.bin\"/></Relationships>");
                using (var s = zip.CreateEntry("xl/workbook.bin").Open()) s.Write(new byte[] { 0x83, 0x01, 0x00, 0x80, 0x01 }, 0, 5);
            }
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
            Assert.Contains("export.xlsb is an Excel binary workbook (.xlsb)", ex.Message);
            Assert.Contains("save it as Excel Workbook (.xlsx)", ex.Message);
        }

        [Fact]
        public void Html_table_saved_as_xls_is_refused_as_a_web_page()
        {
            string path = _files.PathOf("html-table.xls");
            File.WriteAllText(path, "\uFEFF<html xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><head><meta charset=\"utf-8\"></head><body><table><tr><td>姓名</td><td>账号</td></tr><tr><td>张三</td><td>zs</td></tr></table></body></html>");
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
            Assert.Contains("html-table.xls is a web page (an HTML table)", ex.Message);
            Assert.Contains("save it as Excel Workbook (.xlsx)", ex.Message);
        }

        [Fact]
        public void Xml_Spreadsheet_2003_saved_as_xls_is_refused_naming_the_format()
        {
            string path = _files.PathOf("xml2003.xls");
            File.WriteAllText(path, "<?xml version=\"1.0\"?>\r\n<?mso-application progid=\"Excel.Sheet\"?>\r\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"成员列表\"><Table><Row><Cell><Data ss:Type=\"String\">姓名</Data></Cell></Row></Table></Worksheet></Workbook>");
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
            Assert.Contains("xml2003.xls is an XML Spreadsheet 2003 file", ex.Message);
            Assert.Contains("save it as Excel Workbook (.xlsx)", ex.Message);
        }

        [Fact]
        public void Strict_Open_XML_workbook_is_refused_saying_Strict_Open_XML_not_that_the_header_is_missing()
        {
            // The real template with its namespaces as Excel's "Strict Open XML Spreadsheet" writes them.
            string path = _files.PathOf("strict.xlsx");
            HandEditedExport.Write(path, new HandSheet { Rows = { HandEditedExport.Member(10, "张三", "zs") } });
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
                foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".xml") || e.FullName.EndsWith(".rels")).ToList())
                {
                    string text;
                    using (var r = new StreamReader(entry.Open())) text = r.ReadToEnd();
                    text = text.Replace("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
                        .Replace("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "http://purl.oclc.org/ooxml/officeDocument/relationships");
                    string name = entry.FullName;
                    entry.Delete();
                    using (var w = new StreamWriter(zip.CreateEntry(name).Open())) w.Write(text);
                }
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
                if (zip.GetEntry("_rels/.rels") == null)
                    using (var w = new StreamWriter(zip.CreateEntry("_rels/.rels").Open()))
                        w.Write("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
            Assert.Contains("Strict Open XML", ex.Message);
            Assert.DoesNotContain("header", ex.Message);
        }

        [Fact]
        public void Binary_data_named_csv_is_not_a_spreadsheet()
        {
            string path = _files.PathOf("binary.csv");
            File.WriteAllBytes(path, new byte[] { 1, 2, 0, 0, 5, 6, 7, 8, 9 });
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.NotASpreadsheet, ex.Problem.Code);
        }

        [Fact]
        public void Missing_file_is_not_found()
        {
            var ex = Assert.Throws<AddressBookException>(() => Read(_files.PathOf("nope.xlsx")));
            Assert.Equal(ProblemCodes.FileNotFound, ex.Problem.Code);
            Assert.Equal(ProblemKind.NotFound, ex.Problem.Kind);
        }

        [Fact]
        public void Encrypted_and_locked_files_translate_to_clear_errors()
        {
            // A real encrypted workbook needs Excel to make; the translation of ExcelDataReader's exception is what we own.
            var encrypted = SpreadsheetFile.Translate(new ExcelDataReader.Exceptions.InvalidPasswordException("Invalid password"), "secret.xlsx");
            Assert.Equal(ProblemCodes.FileEncrypted, encrypted.Problem.Code);
            Assert.Contains("password", encrypted.Message);
            var locked = SpreadsheetFile.Translate(new IOException("The process cannot access the file because it is being used by another process."), "open.xlsx");
            Assert.Equal(ProblemCodes.FileLocked, locked.Problem.Code);
            Assert.Equal(ProblemKind.Unavailable, locked.Problem.Kind);
        }

        [Theory]
        [InlineData(13800000000d, "13800000000")]
        [InlineData(85259001234d, "85259001234")]
        [InlineData(1.5d, "1.5")]
        [InlineData(true, "TRUE")]
        public void Cell_values_become_text_without_losing_digits(object value, string expected) =>
            Assert.Equal(expected, SpreadsheetFile.ToText(value));
    }
}
