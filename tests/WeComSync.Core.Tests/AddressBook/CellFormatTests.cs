using System.Collections.Generic;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.Comparison;
using WeComSync.ExportGenerator;
using WeComSync.Model;
using Xunit;
using static WeComSync.ExportGenerator.HandEditedExport;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    /// <summary>
    /// What Excel shows is what is read: number cells through their number format (zero padding, literals, dates), in
    /// the real template's .xlsx (its styles.xml with formats added as Excel adds them) and in .xls (FORMAT/XF records,
    /// RK cells as Excel and LibreOffice write integers); hidden rows are read and counted.
    /// </summary>
    public class CellFormatTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public CellFormatTests(ExportFixture files) => _files = files;

        private static readonly CompareOptions DeleteOnly = new CompareOptions { Operation = PlanOperation.Delete };

        private static List<User> Authing(params string[] ids) => ids.Select(id => new User { Source = DirectorySource.Authing, UserId = id, Name = id }).ToList();

        private static Dictionary<string, object> Row(string name, params (string Header, object Value)[] more) => Member(name, null, "腾讯公司/研发部", null, more);

        private static List<AddressBookProblem> Errors(List<AddressBookProblem> problems) => problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();

        // Styles added to the template: 6 → 00000, 7 → "E"00000, 8 → 0, 9 → @, 10 → General, 11 → #,##0, 12 → 000 0000 0000.
        private static readonly string[] IdFormats = { "00000", "\"E\"00000", "#1", "#49", "#0", "#3", "000 0000 0000" };

        [Fact]
        public void Xlsx_account_00123_stored_as_123_with_format_00000_reads_00123_and_is_not_deleted()
        {
            string path = _files.PathOf("f-padded-id.xlsx");
            HandEditedExport.Write(path, IdFormats, new HandSheet
            {
                Rows =
                {
                    Member(10, "张三", null, cells: new Dictionary<string, string> { ["B"] = Number("B10", 123, FirstAddedStyle) }),
                    Member(11, "李四", "lisi"),
                },
            });
            var (users, problems, _) = Read(path);
            Assert.Empty(problems);
            Assert.Equal(new[] { "00123", "lisi" }, users.Select(u => u.UserId));

            var plan = DirectoryComparer.CompareUsers(users, Authing("00123", "lisi", "gone"), DeleteOnly);
            Assert.Equal(new[] { "gone" }, plan.Changes.Select(c => c.Key));
        }

        [Fact]
        public void Xlsx_number_formats_in_text_columns_read_as_Excel_displays_them_without_thousands_separators()
        {
            string path = _files.PathOf("f-formats.xlsx");
            HandEditedExport.Write(path, IdFormats, new HandSheet
            {
                Rows =
                {
                    // 账号 with a literal prefix; 手机 as 0; 座机 with the text format @.
                    Member(10, "张三", null, mobile: null, cells: new Dictionary<string, string>
                    {
                        ["B"] = Number("B10", 42, FirstAddedStyle + 1), ["G"] = Number("G10", 13800000001, FirstAddedStyle + 2), ["H"] = Number("H10", 8881234, FirstAddedStyle + 3),
                    }),
                    // 账号 with thousands separators (#,##0): an id never has them; 手机 in General; 座机 grouped by spaces.
                    Member(11, "李四", null, mobile: null, cells: new Dictionary<string, string>
                    {
                        ["B"] = Number("B11", 1234567, FirstAddedStyle + 5), ["G"] = Number("G11", 13800000002, FirstAddedStyle + 4), ["H"] = Number("H11", 13800000003, FirstAddedStyle + 6),
                    }),
                },
            });
            var (users, problems, _) = Read(path);
            Assert.Empty(Errors(problems));
            Assert.Equal(new[] { "E00042", "1234567" }, users.Select(u => u.UserId));
            Assert.Equal(new[] { "+86 13800000001", "+86 13800000002" }, users.Select(u => u.Mobile));
            Assert.Equal(new[] { "8881234", "138 0000 0003" }, users.Select(u => u.Telephone));
        }

        [Theory]
        [InlineData("f-padded-id.xls", false)]
        [InlineData("f-padded-id-libreoffice.xls", true)]
        public void Xls_account_00123_stored_as_123_with_format_00000_reads_00123_as_NUMBER_and_as_LibreOffice_RK(string name, bool rk)
        {
            var sheet = Sheet(
                Row("张三", ("账号", new FormattedNumber(123, "00000") { AsRk = rk })),
                Row("李四", ("账号", new FormattedNumber(7, "\"E\"00000") { AsRk = rk })),
                Member("王五", "wangwu", mobile: new FormattedNumber(13800000005, "0")));
            var (users, problems, _) = Read(_files.Write(name, sheet));
            Assert.Empty(problems);
            Assert.Equal(new[] { "00123", "E00007", "wangwu" }, users.Select(u => u.UserId));
            Assert.Equal("+86 13800000005", users[2].Mobile);
        }

        public static IEnumerable<object[]> DateFormats() => new[]
        {
            new object[] { "#31", "2024-01-01" },               // yyyy"年"m"月"d"日" (zh-cn)
            new object[] { "#27", "2024-01-01" },               // yyyy"年"m"月"
            new object[] { "#58", "2024-01-01" },               // m"月"d"日"
            new object[] { "#14", "2024-01-01" },               // the short date ExcelDataReader knows
            new object[] { "yyyy\"年\"m\"月\"d\"日\"", "2024-01-01" },
            new object[] { "[$-804]yyyy\"年\"m\"月\"d\"日\";@", "2024-01-01" },
        };

        [Theory]
        [MemberData(nameof(DateFormats))]
        public void Xlsx_date_in_a_mapped_column_with_the_builtin_Chinese_date_formats_reads_as_an_ISO_date(string format, string expected)
        {
            string path = _files.PathOf("f-date-" + (format.StartsWith("#") ? format.Substring(1) : "custom" + format.Length) + ".xlsx");
            HandEditedExport.Write(path, new[] { format }, new HandSheet
            {
                Rows =
                {
                    Member(10, "张三", "zs").Replace("</row>", Number("O10", 45292, FirstAddedStyle) + "</row>"),
                },
                ExtraHeaders = { "入职日期" },
            });
            var (users, problems, _) = Read(path);
            Assert.Empty(problems);
            Assert.Equal(expected, Assert.Single(users).Extra["入职日期"]);
        }

        [Fact]
        public void Xlsx_date_with_a_time_reads_with_the_time_and_a_time_alone_reads_as_the_time()
        {
            string path = _files.PathOf("f-datetime.xlsx");
            HandEditedExport.Write(path, new[] { "#31", "#32" }, new HandSheet
            {
                Rows =
                {
                    Member(10, "张三", "zs").Replace("</row>", Number("O10", 45292.375, FirstAddedStyle) + Number("P10", 0.375, FirstAddedStyle + 1) + "</row>"),
                },
                ExtraHeaders = { "入职日期", "打卡时间" },
            });
            var (users, _, _) = Read(path);
            var user = Assert.Single(users);
            Assert.Equal("2024-01-01 09:00:00", user.Extra["入职日期"]);
            Assert.Equal("09:00:00", user.Extra["打卡时间"]);
        }

        [Theory]
        [InlineData(31)]
        [InlineData(57)]
        public void Xls_date_with_a_builtin_Chinese_date_format_reads_as_an_ISO_date(int id)
        {
            var header = ExportTemplate.Header.Concat(new[] { "入职日期" }).ToList();
            var sheet = Sheet(header, Row("张三", ("账号", "zs"), ("入职日期", new FormattedNumber(45292, id))));
            var (users, problems, _) = Read(_files.Write($"f-date-{id}.xls", sheet));
            Assert.Empty(problems);
            Assert.Equal("2024-01-01", Assert.Single(users).Extra["入职日期"]);
        }

        [Fact]
        public void Hidden_rows_by_filter_or_by_hand_are_read_and_one_warning_per_sheet_counts_them()
        {
            string path = _files.PathOf("f-hidden-rows.xlsx");
            HandEditedExport.Write(path, new HandSheet
            {
                Rows =
                {
                    Member(10, "张三", "zs"),
                    Member(11, "李四", "ls").Replace("<row r=\"11\">", "<row r=\"11\" hidden=\"1\">"),                      // an autofilter's
                    Member(12, "王五", "ww").Replace("<row r=\"12\">", "<row r=\"12\" ht=\"0\" hidden=\"1\" customHeight=\"1\">"), // by hand
                    Member(13, "赵六", "zl"),
                },
            });
            var (users, problems, _) = Read(path);
            Assert.Equal(new[] { "zs", "ls", "ww", "zl" }, users.Select(u => u.UserId));
            var warning = Assert.Single(problems);
            Assert.Contains("sheet 成员列表: 2 member row(s) are hidden", warning.Message);
            Assert.Contains("were read", warning.Message);
        }

        [Fact]
        public void Cell_display_applies_padding_literals_decimals_percent_and_sections()
        {
            var display = new CellDisplay();
            Assert.Equal("00123", display.Number(123, 164, "00000"));
            Assert.Equal("123456", display.Number(123456, 164, "00000"));
            Assert.Equal("E00123", display.Number(123, 165, "\"E\"00000"));
            Assert.Equal("E00123", display.Number(123, 165, "\\E00000"));
            Assert.Equal("1234567", display.Number(1234567, 3, "#,##0"));
            Assert.Equal("12.50", display.Number(12.5, 2, "0.00"));
            Assert.Equal("13", display.Number(12.5, 1, "0"));
            Assert.Equal("50%", display.Number(0.5, 9, "0%"));
            Assert.Equal("010-88881234", display.Number(1088881234, 166, "000-00000000"));
            Assert.Equal("(5)", display.Number(-5, 167, "0;(0)"));
            Assert.Equal("13800000000", display.Number(13800000000, 11, "0.00E+00")); // all the digits, never 1.38E+10
            Assert.Equal("13800000000", display.Number(13800000000, 0, "General"));
            Assert.Equal("13800000000", display.Number(13800000000, 49, "@"));
            Assert.Equal("2024-01-01", display.Number(45292, 31, ""));
        }
    }
}
