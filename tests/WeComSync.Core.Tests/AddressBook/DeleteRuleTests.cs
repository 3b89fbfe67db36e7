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
    /// Deletes never follow from a file that was not read completely: a 账号 on any row (valid or skipped as bad) is
    /// never deleted, and a skipped row whose 账号 cannot be read refuses every delete. The same for departments.
    /// </summary>
    public class DeleteRuleTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public DeleteRuleTests(ExportFixture files) => _files = files;

        private static readonly CompareOptions DeleteOnly = new CompareOptions { Operation = PlanOperation.Delete };

        // Authing as the clean file left it: linked users zs, ls, ww, gone.
        private static List<User> Authing(params string[] ids) => ids.Select(id => new User { Source = DirectorySource.Authing, UserId = id, Name = id }).ToList();

        private string File(string name, params string[] rows)
        {
            string path = _files.PathOf(name);
            HandEditedExport.Write(path, new HandSheet { Rows = rows.ToList() });
            return path;
        }

        [Theory]
        [InlineData("empty-name", "", "ls", null)]
        [InlineData("bad-mobile", "李四", "ls", "138abc")]
        [InlineData("invisible", "李四", "ls\u200C", null)]
        [InlineData("letters-in-mobile", "李四", "ls", "abc")]
        public void User_on_a_row_skipped_as_bad_is_never_deleted_and_one_really_gone_is(string name, string rowName, string rowId, string mobile)
        {
            string path = File($"d-{name}.xlsx", Member(10, "张三", "zs"), Member(11, rowName, rowId, mobile: mobile ?? "13800000002"), Member(12, "王五", "ww"));
            var (users, problems, _) = Read(path);
            Assert.Single(problems, p => p.Severity == ProblemSeverity.Error);
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww", "gone"), DeleteOnly);
            Assert.Null(plan.DeleteRefusedReason);
            Assert.Equal(new[] { "gone" }, plan.Changes.Where(c => c.Operation == ChangeOperation.Delete).Select(c => c.Key));
        }

        [Theory]
        [InlineData("empty-id", "")]
        [InlineData("unreadable-id", "张 三")]
        public void Skipped_row_whose_account_cannot_be_read_refuses_every_delete_and_says_where(string name, string rowId)
        {
            string path = File($"d-{name}.xlsx", Member(10, "张三", "zs"), Member(11, "李四", rowId), Member(12, "王五", "ww"));
            var (users, problems, _) = Read(path);
            var warning = Assert.Single(Warnings(problems, "cannot show which members left"));
            Assert.Contains($"d-{name}.xlsx, sheet 成员列表, row 11", warning.Message);
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww", "gone"), DeleteOnly);
            Assert.Empty(plan.Changes);
            Assert.Contains($"d-{name}.xlsx, sheet 成员列表, row 11", plan.DeleteRefusedReason);
            Assert.Contains("Fix the 账号 on that row", plan.DeleteRefusedReason);
        }

        [Fact]
        public void Unreadable_account_cell_holding_NA_refuses_every_delete()
        {
            string path = File("d-na.xlsx", Member(10, "张三", "zs"), Member(11, "李四", null, cells: new Dictionary<string, string> { ["B"] = Error("B11", "#N/A", "VLOOKUP(A11,ids!A:B,2,0)") }));
            var (users, _, _) = Read(path);
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "gone"), DeleteOnly);
            Assert.Empty(plan.Changes);
            Assert.Contains("its 账号 cell holds #N/A", plan.DeleteRefusedReason);
        }

        [Fact]
        public void Duplicate_account_is_neither_created_updated_nor_deleted()
        {
            string path = File("d-dup.xlsx", Member(10, "张三", "zs", mobile: "13900000000"), Member(11, "张三二", "ZS"), Member(12, "王五", "ww"), Member(13, "新人", "new1"));
            var (users, _, _) = Read(path);
            var all = new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete };
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ww"), all);
            Assert.DoesNotContain(plan.Changes, c => c.Key == "zs" && c.Operation != ChangeOperation.Conflict);
            var conflict = Assert.Single(plan.Changes, c => c.Operation == ChangeOperation.Conflict);
            Assert.Contains("row 11", conflict.Reason);
            Assert.Contains(plan.Changes, c => c.Operation == ChangeOperation.Create && c.Key == "new1");
        }

        [Fact]
        public void Department_named_only_on_a_skipped_row_is_never_deleted_and_an_unreadable_department_refuses_deletes()
        {
            string path = File("d-dept.xlsx", Member(10, "张三", "zs", "公司/研发部"), Member(11, "", "ls", "公司/市场部/华南"));
            var departments = new AddressBookReader().ReadDepartments(path);
            Assert.Equal(new[] { "公司", "公司/研发部" }, departments.Select(d => d.Key));
            var authing = new[] { "公司", "公司/研发部", "公司/市场部", "公司/市场部/华南", "公司/已撤销" }
                .Select(p => new Department { Source = DirectorySource.Authing, Key = p, Path = p, LinkId = p, Name = p.Split('/').Last(), ParentKey = p.Contains("/") ? p.Substring(0, p.LastIndexOf('/')) : null }).ToList();
            foreach (var d in authing) d.ParentLinkId = d.ParentKey;
            var plan = DirectoryComparer.CompareDepartments(departments, authing, DeleteOnly);
            Assert.Equal(new[] { "公司/已撤销" }, plan.Changes.Where(c => c.Operation == ChangeOperation.Delete).Select(c => c.Key));

            string broken = File("d-dept-na.xlsx", Member(10, "张三", "zs", "公司/研发部"), Member(11, "李四", "ls", null, cells: new Dictionary<string, string> { ["E"] = Error("E11", "#N/A") }));
            var refused = DirectoryComparer.CompareDepartments(new AddressBookReader().ReadDepartments(broken), authing, DeleteOnly);
            Assert.Empty(refused.Changes);
            Assert.Contains("its 部门 cell holds #N/A", refused.DeleteRefusedReason);
            // The advice is the file's (fix the row), not a service read's (permissions, a failed page).
            Assert.Contains("Fix the row(s) named in the file", refused.DeleteRefusedReason);
            Assert.DoesNotContain("permissions", refused.DeleteRefusedReason);
        }

        [Fact]
        public void Headerless_second_sheet_holding_pasted_member_rows_refuses_every_delete_and_names_the_sheet_and_its_row_count()
        {
            // 3 members on 成员列表, the last 2 pasted onto a second sheet without the header (a long list split in two).
            string path = _files.PathOf("d-headerless-sheet.xlsx");
            HandEditedExport.Write(path,
                new HandSheet { Rows = { Member(10, "张三", "zs"), Member(11, "李四", "ls"), Member(12, "王五", "ww") } },
                new HandSheet { Name = "Sheet2", TemplateRows = false, Rows = { Member(1, "赵六", "zl"), Member(2, "钱七", "qq") } });
            var (users, problems, _) = Read(path);
            Assert.Equal(new[] { "zs", "ls", "ww" }, users.Select(u => u.UserId));
            // One warning, the refusal's reason: the sheet was skipped, and why that stops deletes.
            var refusal = Assert.Single(Warnings(problems, "sheet Sheet2: no header row"));
            Assert.Contains("no member is deleted because of this file", refusal.Message);
            Assert.Contains("d-headerless-sheet.xlsx, sheet Sheet2", refusal.Message);
            Assert.Contains("holds 2 non-blank row(s) that were not read", refusal.Message);

            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "ls", "ww", "zl", "qq", "gone"), DeleteOnly);
            Assert.Empty(plan.Changes);
            Assert.Contains("sheet Sheet2", plan.DeleteRefusedReason);
            Assert.Contains("2 non-blank row(s)", plan.DeleteRefusedReason);

            // Departments too: the pasted rows may name departments no other row does.
            var departments = new AddressBookReader().ReadDepartments(path);
            Assert.All(departments, d => Assert.Contains("sheet Sheet2", d.IncompleteReason));
        }

        [Fact]
        public void Notes_sheet_of_one_column_of_text_is_skipped_with_a_warning_and_deletes_still_follow()
        {
            string path = _files.PathOf("d-notes-sheet.xlsx");
            HandEditedExport.Write(path,
                new HandSheet { Rows = { Member(10, "张三", "zs") } },
                new HandSheet { Name = "说明", TemplateRows = false, Rows = { "<row r=\"1\">" + Text("A1", "本表由人事部维护") + "</row>", "<row r=\"3\">" + Text("A3", "每月导出一次") + "</row>" } });
            var (users, problems, _) = Read(path);
            Assert.Single(Warnings(problems, "sheet 说明: no header row"));
            Assert.Empty(Warnings(problems, "no member is deleted"));
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "gone"), DeleteOnly);
            Assert.Null(plan.DeleteRefusedReason);
            Assert.Equal(new[] { "gone" }, plan.Changes.Select(c => c.Key));
        }
    }
}
