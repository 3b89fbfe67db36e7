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
    /// 部门 cells an admin edited by hand (issue 20): departments joined with '，' ',' '、' instead of '；', a full-width '／'
    /// between levels, rows under two top departments, and a hidden sheet holding members. None of them creates junk
    /// departments, and none deletes a member who is in the file. Files in the real template's layout (sheet XML as the
    /// console writes it).
    /// </summary>
    public class DepartmentEdgeTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public DepartmentEdgeTests(ExportFixture files) => _files = files;

        private static readonly CompareOptions DeleteOnly = new CompareOptions { Operation = PlanOperation.Delete };

        private static List<User> Authing(params string[] ids) => ids.Select(id => new User { Source = DirectorySource.Authing, UserId = id, Name = id }).ToList();

        private string File(string name, params string[] rows)
        {
            string path = _files.PathOf(name);
            HandEditedExport.Write(path, new HandSheet { Rows = rows.ToList() });
            return path;
        }

        [Theory]
        [InlineData("fullwidth-comma", "，")]
        [InlineData("ascii-comma", ",")]
        [InlineData("enumeration-comma", "、")]
        public void Departments_joined_with_a_comma_before_the_top_department_are_a_row_error_that_says_to_use_the_fullwidth_semicolon(string name, string separator)
        {
            string path = File($"sep-{name}.xlsx",
                Member(10, "张三", "zs", "示例科技/研发部"),
                Member(11, "李四", "ls", $"示例科技/研发部{separator}示例科技/市场部"),
                Member(12, "王五", "ww", "示例科技/市场部"));
            var (users, problems, _) = Read(path);

            Assert.Equal(new[] { "zs", "ww" }, users.Select(u => u.UserId));
            var error = Assert.Single(problems, p => p.Severity == ProblemSeverity.Error);
            Assert.Equal(ProblemCodes.WrongDepartmentSeparator, error.Code);
            Assert.Contains($"sep-{name}.xlsx, sheet 成员列表, row 11", error.Message);
            Assert.Contains($"joins two departments with '{separator}'", error.Message);
            Assert.Contains("Write '示例科技/研发部；示例科技/市场部'", error.Message);
            // No junk department (研发部，示例科技) and the member on that row is kept from deletion.
            var departments = new AddressBookReader().ReadDepartments(path);
            Assert.DoesNotContain(departments, d => d.Name.Contains(separator));
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww", "gone"), DeleteOnly);
            Assert.Equal(new[] { "gone" }, plan.Changes.Select(c => c.Key));
        }

        [Fact]
        public void Comma_inside_a_department_name_not_followed_by_the_top_department_is_part_of_the_name()
        {
            // WeCom allows '，' and '、' in a name (it refuses only \ : * ? " < > |): 研发、测试部 is one department.
            string path = File("sep-in-name.xlsx", Member(10, "张三", "zs", "示例科技/研发、测试部"), Member(11, "李四", "ls", "示例科技/市场部，华东"));
            var (users, problems, _) = Read(path);
            Assert.DoesNotContain(problems, p => p.Severity == ProblemSeverity.Error);
            Assert.Equal(new[] { "示例科技/研发、测试部" }, users[0].Departments);
            Assert.Equal(new[] { "示例科技/市场部，华东" }, users[1].Departments);
        }

        [Fact]
        public void Comma_followed_by_the_files_top_department_in_a_first_level_is_a_row_error_too()
        {
            // The row's own first level is no help here: the file's top comes from the rows before.
            string path = File("sep-first-level.xlsx", Member(10, "张三", "zs", "示例科技/研发部"), Member(11, "李四", "ls", "研发部，示例科技/市场部"));
            var (users, problems, _) = Read(path);
            Assert.Equal(new[] { "zs" }, users.Select(u => u.UserId));
            Assert.Equal(ProblemCodes.WrongDepartmentSeparator, Assert.Single(problems, p => p.Severity == ProblemSeverity.Error).Code);
        }

        [Fact]
        public void Fullwidth_slash_in_a_department_path_is_a_row_error_that_says_to_retype_it_as_a_slash_and_makes_no_second_top_department()
        {
            string path = File("fullwidth-slash.xlsx",
                Member(10, "张三", "zs", "示例科技/研发部"),
                Member(11, "李四", "ls", "示例科技／研发部"),
                Member(12, "王五", "ww", "示例科技/研发部／后端组"));
            var (users, problems, _) = Read(path);

            Assert.Equal(new[] { "zs" }, users.Select(u => u.UserId));
            var errors = problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();
            Assert.Equal(2, errors.Count);
            Assert.All(errors, e => Assert.Equal(ProblemCodes.WrongDepartmentSeparator, e.Code));
            Assert.Contains("row 11", errors[0].Message);
            Assert.Contains("full-width slash '／'", errors[0].Message);
            Assert.Contains("retype it as '/' ('示例科技/研发部')", errors[0].Message);
            Assert.Contains("WeCom allows '／' inside a department name", errors[0].Message);
            var departments = new AddressBookReader().ReadDepartments(path);
            Assert.Single(departments, d => d.IsRoot);
            Assert.Empty(Warnings(problems, "different top departments"));
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww"), DeleteOnly);
            Assert.Empty(plan.Changes);
        }

        [Fact]
        public void Rows_under_two_different_top_departments_refuse_every_delete_and_the_department_plan_naming_the_rows()
        {
            string path = File("two-tops.xlsx",
                Member(10, "张三", "zs", "示例科技/研发部"),
                Member(11, "李四", "ls", "示例科技/市场部"),
                Member(12, "王五", "ww", "示例科枝/市场部"),
                Member(13, "赵六", "zl", "示例科技/研发部"));
            var (users, problems, _) = Read(path);
            Assert.Equal(4, users.Count);
            var warning = Assert.Single(Warnings(problems, "different top departments"));
            Assert.Contains("'示例科技' (3 row(s)) and '示例科枝' (1 row(s): sheet 成员列表, row 12)", warning.Message);
            Assert.Contains("not one company's export", warning.Message);

            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww", "zl", "gone"), DeleteOnly);
            Assert.Empty(plan.Changes);
            Assert.Contains("sheet 成员列表, row 12", plan.DeleteRefusedReason);

            var export = new AddressBookReader().ReadExport(path);
            var departments = DirectoryComparer.CompareDepartments(export.Departments, new List<Department>(), new CompareOptions(), export.Users, new List<User>());
            Assert.Empty(departments.Changes);
            Assert.NotNull(departments.Refusal);
            Assert.Equal("DepartmentsRefusedSeveralTops", departments.Refusal.ErrorId);
            Assert.Contains("'示例科枝' (first on two-tops.xlsx, sheet 成员列表, row 12)", departments.Refusal.Message);
            Assert.All(export.Departments, d => Assert.Contains("row 12", d.IncompleteReason));
        }

        [Fact]
        public void Hidden_sheet_holding_member_rows_refuses_every_delete_and_names_the_sheet_and_its_row_count()
        {
            // 3 members on 成员列表, 2 more on a copy of the sheet that an admin hid.
            string path = _files.PathOf("hidden-members.xlsx");
            HandEditedExport.Write(path,
                new HandSheet { Rows = { Member(10, "张三", "zs"), Member(11, "李四", "ls"), Member(12, "王五", "ww") } },
                new HandSheet { Name = "成员列表2", State = "hidden", Rows = { Member(10, "赵六", "zl"), Member(11, "钱七", "qq") } });
            var (users, problems, _) = Read(path);
            Assert.Equal(new[] { "zs", "ls", "ww" }, users.Select(u => u.UserId));
            var refusal = Assert.Single(Warnings(problems, "sheet 成员列表2 is hidden"));
            Assert.Contains("no member is deleted because of this file", refusal.Message);
            Assert.Contains("non-blank row(s)", refusal.Message);

            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww", "zl", "qq", "gone"), DeleteOnly);
            Assert.Empty(plan.Changes);
            Assert.Contains("sheet 成员列表2 is hidden", plan.DeleteRefusedReason);
            Assert.All(new AddressBookReader().ReadDepartments(path), d => Assert.Contains("成员列表2", d.IncompleteReason));

            // The admin names the export's sheet: the hidden one is not the address book, and deletes follow.
            var (named, _, _) = Read(path, new AddressBookReadOptions { Sheets = new[] { "成员列表" } });
            var deletes = DirectoryComparer.CompareUsers(named, Authing("zs", "ls", "ww", "gone"), DeleteOnly);
            Assert.Equal(new[] { "gone" }, deletes.Changes.Select(c => c.Key));
        }

        [Fact]
        public void Empty_hidden_sheet_is_only_skipped_and_deletes_still_follow()
        {
            string path = _files.PathOf("hidden-empty.xlsx");
            HandEditedExport.Write(path,
                new HandSheet { Rows = { Member(10, "张三", "zs") } },
                new HandSheet { Name = "备注", State = "hidden", TemplateRows = false, Rows = { "<row r=\"1\">" + Text("A1", "下拉选项") + "</row>" } });
            var (users, problems, _) = Read(path);
            Assert.Single(Warnings(problems, "hidden sheet(s) '备注' not read"));
            Assert.Empty(Warnings(problems, "no member is deleted"));
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "gone"), DeleteOnly);
            Assert.Equal(new[] { "gone" }, plan.Changes.Select(c => c.Key));
        }
    }
}
