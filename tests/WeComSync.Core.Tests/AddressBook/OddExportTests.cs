using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using WeComSync.Model;
using Xunit;
using static WeComSync.ExportGenerator.HandEditedExport;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    /// <summary>
    /// Exports as admins really have them: the real console file with its sheet XML edited by hand (HandEditedExport).
    /// What the admin sees is what is read; what cannot be read is unknown, never empty, never a deleted member.
    /// </summary>
    public class OddExportTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public OddExportTests(ExportFixture files) => _files = files;

        private string Hand(string name, params string[] rows) => Hand(name, new HandSheet { Rows = rows.ToList() });

        private string Hand(string name, params HandSheet[] sheets)
        {
            string path = _files.PathOf(name);
            HandEditedExport.Write(path, sheets);
            return path;
        }

        private static List<AddressBookProblem> Errors(List<AddressBookProblem> problems) => problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();

        [Fact]
        public void Clean_hand_edited_template_reads_like_the_console_file()
        {
            var (users, problems, _) = Read(Hand("h-clean.xlsx", Member(10, "张三", "zhangsan"), Member(11, "李四", "lisi", mobile: "+85259001234")));
            Assert.Empty(problems);
            Assert.Equal(new[] { "zhangsan", "lisi" }, users.Select(u => u.UserId));
            Assert.Equal("+852 59001234", users[1].Mobile);
            Assert.EndsWith("row 10", users[0].Origin);
        }

        // ---- Masked values ----

        [Fact]
        public void Masked_mobile_138_stars_0005_and_masked_email_are_unknown_count_as_contact_and_warn_once_per_file()
        {
            var (users, problems, reader) = Read(Hand("h-masked.xlsx",
                Member(10, "张三", "zs", mobile: "138****0005"),
                Member(11, "李四", "ls", mobile: "+85259****24"),
                Member(12, "王五", "ww", mobile: "", email: "ww***@example.com"),
                Member(13, "赵六", "zl", mobile: "13800000006")));
            Assert.Empty(Errors(problems));
            Assert.Equal(new[] { "zs", "ls", "ww", "zl" }, users.Select(u => u.UserId));
            Assert.Null(users[0].Mobile);                       // unknown: never compared, never written
            Assert.Contains("Mobile", users[0].WithheldFields);
            Assert.Null(users[2].Email);
            Assert.Equal("", users[2].Mobile);
            Assert.Equal("+86 13800000006", users[3].Mobile);
            var w = Assert.Single(Warnings(problems, "are masked"));
            Assert.Contains("3 mobile or email value(s) are masked", w.Message);
            Assert.Equal(3, reader.Summary.MaskedValues);
        }

        // ---- Error cells and formulas ----

        [Fact]
        public void Error_cell_NA_in_an_optional_column_is_unknown_and_a_warning_names_the_cell()
        {
            var (users, problems, reader) = Read(Hand("h-error-optional.xlsx",
                Member(10, "张三", "zs", mobile: "13800000001", cells: new Dictionary<string, string> { ["D"] = Error("D10", "#N/A", "VLOOKUP(B10,岗位!A:B,2,0)") }),
                Member(11, "李四", "ls", mobile: "13800000002", email: "ls@example.com", cells: new Dictionary<string, string> { ["G"] = Error("G11", "#REF!") })));
            Assert.Empty(Errors(problems));
            Assert.Null(users[0].Position);                      // unknown, not ""
            Assert.Null(users[1].Mobile);
            Assert.Contains("Mobile", users[1].WithheldFields);
            var cells = Warnings(problems, "read as unknown (not empty)");
            Assert.Equal(2, cells.Count);
            Assert.Contains("D10: #N/A", cells[0].Message);
            Assert.Contains("G11: #REF!", cells[1].Message);
            Assert.Equal(2, reader.Summary.UnknownCells);
        }

        [Fact]
        public void Error_cell_in_a_required_column_is_a_row_error_that_says_formula_error_not_empty()
        {
            var (users, problems, _) = Read(Hand("h-error-required.xlsx",
                Member(10, "张三", "zs"),
                Member(11, null, "ls", cells: new Dictionary<string, string> { ["A"] = Error("A11", "#VALUE!", "A2&B2") })));
            Assert.Equal(new[] { "zs" }, users.Select(u => u.UserId));
            var e = Assert.Single(Errors(problems));
            Assert.Equal(ProblemCodes.UnreadableCell, e.Code);
            Assert.Contains("姓名 (name) holds #VALUE!", e.Message);
            Assert.DoesNotContain("empty", e.Message.Replace("not empty", ""));
        }

        [Fact]
        public void Formula_without_a_saved_value_is_unknown_not_empty()
        {
            var (users, problems, _) = Read(Hand("h-formula.xlsx",
                Member(10, "张三", "zs", cells: new Dictionary<string, string> { ["C"] = Formula("C10", "LOWER(B10)") })));
            Assert.Empty(Errors(problems));
            Assert.Null(Assert.Single(users).Alias);
            Assert.Contains("C10: a formula (=LOWER(B10)) with no saved value", Assert.Single(Warnings(problems, "read as unknown (not empty)")).Message);
        }

        // ---- Merged cells ----

        [Fact]
        public void Merged_department_cell_gives_every_covered_row_the_merged_value()
        {
            var sheet = new HandSheet
            {
                Rows = { Member(10, "张三", "zs", "腾讯公司/市场部"), Member(11, "李四", "ls", null), Member(12, "王五", "ww", null), Member(13, "赵六", "zl", "腾讯公司/研发部") },
                Merges = { "E10:E12" },
            };
            var (users, problems, _) = Read(Hand("h-merged.xlsx", sheet));
            Assert.Empty(problems);
            Assert.Equal(new[] { "腾讯公司/市场部", "腾讯公司/市场部", "腾讯公司/市场部", "腾讯公司/研发部" }, users.Select(u => u.Departments[0]));
        }

        // ---- Sheets ----

        [Fact]
        public void Hidden_sheet_is_not_read_without_Sheet_and_a_warning_names_it()
        {
            string path = Hand("h-hidden.xlsx",
                new HandSheet { Rows = { Member(10, "张三", "zs") } },
                new HandSheet { Name = "旧名单", State = "hidden", Rows = { Member(10, "离职者", "gone") } });
            var (users, problems, _) = Read(path);
            Assert.Equal(new[] { "zs" }, users.Select(u => u.UserId));
            // It holds a member row: not read, and the file refuses deletes (DepartmentEdgeTests has the rule).
            Assert.Contains("no member is deleted", Assert.Single(Warnings(problems, "sheet 旧名单 is hidden")).Message);

            var (asked, _, _) = Read(path, new AddressBookReadOptions { Sheets = new[] { "旧名单" } });
            Assert.Equal(new[] { "gone" }, asked.Select(u => u.UserId));
        }

        [Fact]
        public void Two_visible_sheets_with_a_member_header_are_both_read_and_a_warning_names_them()
        {
            var (users, problems, _) = Read(Hand("h-two.xlsx",
                new HandSheet { Rows = { Member(10, "张三", "zs") } },
                new HandSheet { Name = "HR花名册", Rows = { Member(10, "李四", "ls") } }));
            Assert.Equal(new[] { "zs", "ls" }, users.Select(u => u.UserId));
            var w = Assert.Single(Warnings(problems, "both have a member header"));
            Assert.Contains("'成员列表'", w.Message);
            Assert.Contains("'HR花名册'", w.Message);
        }

        // ---- Invisible characters ----

        [Fact]
        public void Zero_width_padding_in_account_name_and_department_levels_is_removed()
        {
            var (users, problems, _) = Read(Hand("h-zw.xlsx",
                Member(10, "\u200B张三\u2060", "\uFEFFzhangsan\u200B", "腾讯公司\u00AD/\u200B研发部\n"),
                Member(11, "李四\r\n", "lisi\t", "腾讯公司/研发部")));
            Assert.Empty(problems);
            Assert.Equal(new[] { "zhangsan", "lisi" }, users.Select(u => u.UserId));
            Assert.Equal(new[] { "张三", "李四" }, users.Select(u => u.Name));
            Assert.Equal("腾讯公司/研发部", users[0].Departments.Single());
        }

        [Fact]
        public void Zero_width_non_joiner_ending_an_account_is_an_error_showing_the_code_point_never_the_glyph()
        {
            var (users, problems, _) = Read(Hand("h-zwnj.xlsx", Member(10, "张三", "zs"), Member(11, "王五", "user03\u200C")));
            Assert.Equal(new[] { "zs" }, users.Select(u => u.UserId));
            var e = Assert.Single(Errors(problems));
            Assert.Equal(ProblemCodes.InvalidUserId, e.Code);
            Assert.Contains("'user03' ends with U+200C (zero-width non-joiner)", e.Message);
            // Ordinal: a culture-aware search ignores zero-width characters and would find one anywhere.
            Assert.DoesNotContain("\u200C", e.Message, StringComparison.Ordinal);
            Assert.Equal("user03", e.Row.Cells["账号"]);
        }

        [Theory]
        [InlineData("alt-enter", "腾讯公司/研发部\n腾讯公司/市场部")]
        [InlineData("x000D", "腾讯公司/研_x000D_发部")]
        public void Line_break_inside_a_department_never_makes_a_department_named_across_two_lines(string name, string department)
        {
            var (users, problems, _) = Read(Hand($"h-break-{name}.xlsx", Member(10, "张三", "zs"), Member(11, "李四", "ls", department)));
            Assert.Equal(new[] { "zs" }, users.Select(u => u.UserId));
            var e = Assert.Single(Errors(problems));
            Assert.Equal(ProblemCodes.InvalidDepartmentName, e.Code);
            Assert.Matches("U\\+000[AD] \\((line break|carriage return)\\)", e.Message);
            Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\r", e.Message, StringComparison.Ordinal);
        }

        // ---- Emails and mobiles ----

        [Theory]
        [InlineData("mailto:zs@example.com", "zs@example.com")]
        [InlineData("张三 <zs@example.com>", "zs@example.com")]
        [InlineData("zs@example.com;", "zs@example.com")]
        [InlineData("zs@example.com。", "zs@example.com")]
        [InlineData("zs＠example.com", "zs@example.com")]
        public void Email_written_as_people_paste_it_is_cleaned(string cell, string expected)
        {
            var (users, problems, _) = Read(Hand("h-mail-" + Math.Abs(cell.GetHashCode()) + ".xlsx", Member(10, "张三", "zs", email: cell)));
            Assert.Empty(problems);
            Assert.Equal(expected, Assert.Single(users).Email);
        }

        [Theory]
        [InlineData("zs@example.com, ls@example.com")]
        [InlineData("zs@example")]
        [InlineData("zs at example.com")]
        public void Email_that_is_not_one_address_is_a_row_error(string cell)
        {
            var (users, problems, _) = Read(Hand("h-badmail-" + Math.Abs(cell.GetHashCode()) + ".xlsx", Member(10, "张三", "zs"), Member(11, "李四", "ls", email: cell)));
            Assert.Single(users);
            Assert.Equal(ProblemCodes.InvalidEmail, Assert.Single(Errors(problems)).Code);
        }

        [Theory]
        [InlineData("8613800138000")]
        [InlineData("86 13800138000")]
        [InlineData("+86 138 0013 8000")]
        public void Mobile_with_86_but_no_plus_is_a_plus86_number(string cell)
        {
            var (users, problems, _) = Read(Hand("h-86-" + cell.Length + cell.IndexOf(' ') + ".xlsx", Member(10, "张三", "zs", mobile: cell)));
            Assert.Empty(problems);
            Assert.Equal("+86 13800138000", Assert.Single(users).Mobile);
        }

        // ---- Duplicates and renames ----

        [Fact]
        public void Duplicate_account_without_case_neither_row_is_synced_and_both_rows_name_each_other()
        {
            var (users, problems, _) = Read(Hand("h-dup.xlsx", Member(10, "张三", "ZhangSan"), Member(11, "李四", "lisi"), Member(12, "张三二", "zhangsan")));
            var errors = Errors(problems);
            Assert.Equal(2, errors.Count);
            Assert.All(errors, e => Assert.Equal(ProblemCodes.DuplicateUserId, e.Code));
            Assert.Equal(new[] { 10, 12 }, errors.Select(e => e.Row.Row).OrderBy(r => r));
            Assert.Contains(errors, e => e.Row.Row == 10 && e.Message.Contains("row 12"));
            Assert.Contains(errors, e => e.Row.Row == 12 && e.Message.Contains("row 10"));
            // Row 10 streamed out before row 12 was met; the comparison never syncs it (see DeleteRuleTests).
            Assert.DoesNotContain(users, u => u.UserId == "zhangsan");
            Assert.True(users.Single(u => u.UserId == "ZhangSan").Skipped.Contains("zhangsan"));
        }

        [Fact]
        public void Rename_whose_new_account_is_another_rows_account_is_a_conflict_on_both_rows()
        {
            var (users, problems, _) = Read(Hand("h-rename.xlsx", Member(10, "张三", "wangwu"), Member(11, "王五", "ww_old:wangwu"), Member(12, "李四", "lisi")));
            var errors = Errors(problems);
            Assert.Equal(new[] { 10, 11 }, errors.Select(e => e.Row.Row).OrderBy(r => r));
            Assert.All(errors, e => Assert.Contains("old:new rename", e.Message));
            Assert.True(users[0].Skipped.Contains("wangwu"));
            Assert.True(users[0].Skipped.Contains("ww_old"));
        }

        // ---- Row options ----

        [Fact]
        public void StartRow_past_the_last_row_reads_nothing_and_says_it_counts_from_0()
        {
            string path = Hand("h-start.xlsx", Member(10, "张三", "zs"), Member(11, "李四", "ls"));
            var ex = Assert.Throws<AddressBookException>(() => new AddressBookReader(new AddressBookReadOptions { StartRow = 40 }).ReadUsers(path).ToList());
            Assert.Equal(ProblemCodes.NoMembers, ex.Problem.Code);
            Assert.Contains("-StartRow 40 (row 41 in Excel) is past the sheet's last row (11)", ex.Message);
            Assert.Contains("counts from 0", ex.Message);
        }

        // ---- Bounded resources ----

        [Fact]
        public void Cell_longer_than_Excels_32767_characters_is_refused_naming_the_limit()
        {
            var ex = Assert.Throws<AddressBookException>(() => Read(Hand("h-long.xlsx", Member(10, "张三", "zs", cells: new Dictionary<string, string> { ["J"] = Text("J10", new string('地', 40000)) }))));
            Assert.Equal(ProblemCodes.CellTooLong, ex.Problem.Code);
            Assert.Contains("32,767", ex.Message);
        }

        [Fact]
        public void Shared_string_table_beyond_the_bound_is_refused_before_it_is_loaded()
        {
            string path = Hand("h-sst.xlsx", Member(10, "张三", "zs"));
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                zip.GetEntry("xl/sharedStrings.xml").Delete();
                using (var w = new StreamWriter(zip.CreateEntry("xl/sharedStrings.xml").Open()))
                {
                    w.Write("<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
                    for (int i = 0; i <= XlsxInspection.MaxSharedStrings; i++) w.Write("<si/>");
                    w.Write("</sst>");
                }
            }
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.TooLarge, ex.Problem.Code);
            Assert.Contains("4,000,000", ex.Message);
        }

        [Fact]
        public void Zip_bomb_is_refused_before_its_sheet_is_expanded()
        {
            string path = _files.PathOf("h-bomb.xlsx");
            HandEditedExport.WriteZipBomb(path, 256);
            Assert.True(new FileInfo(path).Length < 2 << 20);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(ProblemCodes.TooLarge, ex.Problem.Code);
            Assert.Contains("xl/worksheets/sheet1.xml", ex.Message);
            Assert.True(allocated < 32 << 20, $"allocated {allocated:N0} bytes"); // a fixed buffer, not the expanded part
        }

        [Fact]
        public void Doctype_is_refused_and_the_message_never_advises_enabling_DTD_processing()
        {
            var ex = Assert.Throws<AddressBookException>(() => Read(Hand("h-dtd.xlsx",
                new HandSheet { Prolog = "<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>", Rows = { Member(10, "&xxe;", "zs") } })));
            Assert.Equal(ProblemCodes.DtdRefused, ex.Problem.Code);
            Assert.DoesNotContain("DtdProcessing", ex.Message);
            Assert.DoesNotContain("enable", ex.Message, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void Csv_record_beyond_the_bound_an_unclosed_quote_is_refused()
        {
            string path = _files.PathOf("h-quote.csv");
            File.WriteAllText(path, "姓名,账号,部门,手机\r\n张三,zs,公司,13800000000\r\n\"李四,ls,公司,13800000001\r\n" + string.Concat(Enumerable.Repeat("王五,ww,公司,13800000002\r\n", 200_000)), new UTF8Encoding(true));
            var ex = Assert.Throws<AddressBookException>(() => Read(path));
            Assert.Equal(ProblemCodes.CellTooLong, ex.Problem.Code);
            Assert.Contains("never closed", ex.Message);
        }
    }
}
