using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using Xunit;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    public class ReaderValidationTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public ReaderValidationTests(ExportFixture files) => _files = files;

        /// <summary>A good row, the bad one, a good row: the bad one is reported with its Excel row (11) and skipped.</summary>
        private AddressBookProblem BadRow(string file, Dictionary<string, object> bad, string code, bool unreadableId = false)
        {
            var (users, problems, reader) = Read(_files.Write(file, Sheet(Member("好人", "good1"), bad, Member("好人二", "good2"))));
            Assert.Equal(new[] { "good1", "good2" }, users.Select(u => u.UserId));
            // A row whose 账号 cannot be read could be anyone: the file is incomplete for deletes (a warning says so).
            var incomplete = Warnings(problems, "cannot show which members left");
            Assert.Equal(unreadableId ? 1 : 0, incomplete.Count);
            var p = Assert.Single(problems.Except(incomplete));
            Assert.Equal(code, p.Code);
            Assert.Equal(ProblemSeverity.Error, p.Severity);
            Assert.Equal(11, p.Row.Row);
            Assert.Equal("成员列表", p.Row.Sheet);
            Assert.StartsWith($"{file}, sheet 成员列表, row 11: ", p.Message);
            Assert.Equal(1, reader.Summary.RowsSkipped);
            return p;
        }

        [Fact] public void Empty_name_is_a_row_error() => BadRow("v-name.xlsx", Member("", "x1"), ProblemCodes.EmptyName);
        [Fact] public void Empty_account_is_a_row_error() => BadRow("v-id.xlsx", Member("某人", "  "), ProblemCodes.EmptyUserId, unreadableId: true);
        [Fact] public void Account_with_bad_characters_is_a_row_error() => BadRow("v-chars.xlsx", Member("某人", "zhang san"), ProblemCodes.InvalidUserId, unreadableId: true);
        [Fact] public void Account_starting_with_a_dot_is_a_row_error() => BadRow("v-dot.xlsx", Member("某人", ".zs"), ProblemCodes.InvalidUserId, unreadableId: true);
        [Fact] public void Account_longer_than_64_is_a_row_error() => BadRow("v-long.xlsx", Member("某人", new string('a', 65)), ProblemCodes.InvalidUserId, unreadableId: true);
        [Fact] public void Rename_with_an_empty_side_is_a_row_error() => BadRow("v-rename.xlsx", Member("某人", "old:"), ProblemCodes.InvalidUserId, unreadableId: true);
        [Fact] public void Neither_mobile_nor_email_is_a_row_error() => BadRow("v-contact.xlsx", Member("某人", "x1", mobile: ""), ProblemCodes.NoMobileOrEmail);
        [Fact] public void Mobile_with_one_star_is_a_row_error() => BadRow("v-star.xlsx", Member("某人", "x1", mobile: "+852590*1234"), ProblemCodes.InvalidMobile);
        [Fact] public void Letters_in_mobile_are_a_row_error() => BadRow("v-mobile.xlsx", Member("某人", "x1", mobile: "138abc"), ProblemCodes.InvalidMobile);
        [Fact] public void Email_without_at_is_a_row_error() => BadRow("v-mail.xlsx", Member("某人", "x1", more: ("邮箱", "not-an-email")), ProblemCodes.InvalidEmail);
        [Fact] public void Department_forbidden_character_is_a_row_error() => BadRow("v-deptchar.xlsx", Member("某人", "x1", "公司/研发|测试"), ProblemCodes.InvalidDepartmentName);
        [Fact] public void Department_name_longer_than_32_is_a_row_error() => BadRow("v-deptlen.xlsx", Member("某人", "x1", "公司/" + new string('部', 33)), ProblemCodes.InvalidDepartmentName);

        [Fact]
        public void Department_deeper_than_15_levels_is_a_row_error_and_15_is_fine()
        {
            string fifteen = string.Join("/", Enumerable.Range(1, 15).Select(i => "L" + i));
            Read(_files.Write("v-15.xlsx", Sheet(Member("某人", "x1", fifteen)))).Problems.ForEach(p => Assert.Fail(p.Message));
            BadRow("v-16.xlsx", Member("某人", "x1", fifteen + "/L16"), ProblemCodes.DepartmentTooDeep);
        }

        [Fact]
        public void More_than_100_departments_is_a_row_error()
        {
            string many = string.Join("；", Enumerable.Range(1, 101).Select(i => "公司/项目" + i));
            BadRow("v-many.xlsx", Member("某人", "x1", many), ProblemCodes.TooManyDepartments);
        }

        [Fact]
        public void Duplicate_account_ignoring_case_names_both_rows()
        {
            var (users, problems, _) = Read(_files.Write("v-dup.xlsx", Sheet(Member("张三", "ZhangSan"), Member("李四", "lisi"), Member("张三二", "zhangsan"))));
            Assert.Equal(2, problems.Count);
            var p = problems[1];
            Assert.Equal(ProblemCodes.DuplicateUserId, p.Code);
            Assert.Equal(12, p.Row.Row);
            Assert.Contains("row 10", p.Message);
            Assert.Equal(10, problems[0].Row.Row);
            Assert.Contains("row 12", problems[0].Message);
            Assert.Equal(2, users.Count); // row 10 streamed out first; its Skipped keys keep it from being synced
        }

        [Fact]
        public void Bad_row_carries_its_cells_for_the_error_target()
        {
            var p = BadRow("v-cells.xlsx", Member("", "x1", "公司/部门"), ProblemCodes.EmptyName);
            Assert.Equal("x1", p.Row.Cells["账号"]);
            Assert.Equal("公司/部门", p.Row.Cells["部门"]);
        }

        [Fact]
        public void Strict_stops_at_the_first_bad_row()
        {
            string path = _files.Write("v-strict.xlsx", Sheet(Member("好人", "good1"), Member("", "x1"), Member("某人", "bad id")));
            var seen = new List<string>();
            var reader = new AddressBookReader(new AddressBookReadOptions { Strict = true });
            var ex = Assert.Throws<AddressBookException>(() => { foreach (var u in reader.ReadUsers(path)) seen.Add(u.UserId); });
            Assert.Equal(ProblemCodes.EmptyName, ex.Problem.Code);
            Assert.Equal(11, ex.Problem.Row.Row);
            Assert.Equal(new[] { "good1" }, seen);
        }

        [Fact]
        public void Missing_required_column_stops_before_any_user()
        {
            var header = new[] { "姓名", "账号", "手机" };
            string path = _files.Write("v-nodept.xlsx", Sheet(header, new Dictionary<string, object> { ["姓名"] = "张三", ["账号"] = "zs", ["手机"] = "13800000000" }));
            var seen = 0;
            var ex = Assert.Throws<AddressBookException>(() => { foreach (var _ in new AddressBookReader().ReadUsers(path)) seen++; });
            Assert.Equal(ProblemCodes.MissingColumn, ex.Problem.Code);
            Assert.Contains("部门", ex.Message);
            Assert.Contains("row 9", ex.Message);
            Assert.Equal(0, seen);
        }

        [Fact]
        public void Header_without_account_is_reported_as_a_missing_column()
        {
            var header = new[] { "姓名", "部门", "手机", "邮箱" };
            string path = _files.Write("v-noid.xlsx", Sheet(header, new Dictionary<string, object> { ["姓名"] = "张三", ["部门"] = "公司", ["手机"] = "13800000000" }));
            var ex = Assert.Throws<AddressBookException>(() => new AddressBookReader().ReadUsers(path).ToList());
            Assert.Equal(ProblemCodes.MissingColumn, ex.Problem.Code);
            Assert.Contains("账号", ex.Message);
        }

        [Fact]
        public void Sheet_without_any_header_is_a_terminating_error()
        {
            var sheet = new ExportSheet { Instructions = null, Header = new[] { "a", "b" }, Rows = new List<object[]> { new object[] { "1", "2" } } };
            var ex = Assert.Throws<AddressBookException>(() => new AddressBookReader().ReadUsers(_files.Write("v-noheader.xlsx", sheet)).ToList());
            Assert.Equal(ProblemCodes.HeaderNotFound, ex.Problem.Code);
        }

        [Fact]
        public void Header_without_members_is_a_terminating_error_so_a_sync_never_sees_an_empty_directory()
        {
            var ex = Assert.Throws<AddressBookException>(() => new AddressBookReader().ReadUsers(_files.Write("v-template.xlsx", Sheet())).ToList());
            Assert.Equal(ProblemCodes.NoMembers, ex.Problem.Code);
        }

        [Fact]
        public void Generator_bad_rows_are_each_reported_once_with_their_kind()
        {
            var options = new GeneratorOptions { Users = 90, BadRows = MemberGenerator.BadRowKinds.Length, Seed = 5 };
            var (users, problems, _) = Read(_files.Write("v-generated.xlsx", MemberGenerator.Generate(options)));
            Assert.Equal(90, users.Count);
            // Each kind once; a duplicate 账号 is an error on both of its rows.
            var errors = problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Code).ToList();
            Assert.Equal(MemberGenerator.BadRowKinds.Select(k => "AddressBook" + k).OrderBy(x => x), errors.Distinct().OrderBy(x => x));
            Assert.Equal(errors.Count - 1, errors.Distinct().Count());
        }
    }
}
