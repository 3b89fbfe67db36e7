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
    /// Texts as WeCom counts and takes them: lengths in characters (code points: an emoji is one), a 职务 over WeCom's
    /// 128 a warning, a 账号 typed in full-width letters a row error that gives its ASCII form (and protects it from deletes).
    /// </summary>
    public class CellTextTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public CellTextTests(ExportFixture files) => _files = files;

        private string Hand(string name, params string[] rows)
        {
            string path = _files.PathOf(name);
            HandEditedExport.Write(path, new HandSheet { Rows = rows.ToList() });
            return path;
        }

        private static List<AddressBookProblem> Errors(List<AddressBookProblem> problems) => problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();

        [Fact]
        public void Name_of_36_characters_with_emoji_is_read_and_one_of_65_is_refused_counting_characters_not_UTF16_units()
        {
            string emoji = string.Concat(Enumerable.Repeat("\U0001F600", 29));           // 29 characters, 58 UTF-16 units
            string name36 = "张三李四王五赵" + emoji;                                        // 36 characters, 65 units
            string name65 = string.Concat(Enumerable.Repeat("\U0001F600", 65));            // 65 characters
            Assert.Equal(65, name36.Length);
            var (users, problems, _) = Read(Hand("t-emoji-name.xlsx", Member(10, name36, "zs"), Member(11, name65, "ls")));
            Assert.Equal(name36, Assert.Single(users).Name);
            var e = Assert.Single(Errors(problems));
            Assert.Equal(ProblemCodes.NameTooLong, e.Code);
            Assert.Contains("is 65 characters long; WeCom allows at most 64", e.Message);
            Assert.Contains("row 11", e.Message);
        }

        [Fact]
        public void Position_over_WeComs_128_characters_is_read_with_a_warning_naming_the_row()
        {
            string position = new string('职', 129);
            var (users, problems, _) = Read(Hand("t-long-position.xlsx",
                Member(10, "张三", "zs", cells: new Dictionary<string, string> { ["D"] = Text("D10", position) }),
                Member(11, "李四", "ls", cells: new Dictionary<string, string> { ["D"] = Text("D11", new string('职', 128)) })));
            Assert.Equal(new[] { "zs", "ls" }, users.Select(u => u.UserId));
            Assert.Equal(position, users[0].Position);
            var w = Assert.Single(problems);
            Assert.Equal(ProblemSeverity.Warning, w.Severity);
            Assert.Contains("sheet 成员列表, row 10: 职务 (position) is 129 characters long; WeCom allows at most 128", w.Message);
        }

        [Fact]
        public void Full_width_letters_in_the_account_are_a_row_error_giving_the_ASCII_form_and_that_user_is_not_deleted()
        {
            var (users, problems, _) = Read(Hand("t-fullwidth-id.xlsx", Member(10, "周九", "ｚｈｏｕｊｉｕ"), Member(11, "李四", "ls")));
            Assert.Equal(new[] { "ls" }, users.Select(u => u.UserId));
            var e = Assert.Single(Errors(problems));
            Assert.Equal(ProblemCodes.InvalidUserId, e.Code);
            Assert.Contains("full-width", e.Message);
            Assert.Contains("Its ASCII form is 'zhoujiu'", e.Message);

            // The row names one member unambiguously: zhoujiu is kept, the file still shows who left.
            var authing = new[] { "zhoujiu", "ls", "gone" }.Select(id => new User { Source = DirectorySource.Authing, UserId = id, Name = id }).ToList();
            var plan = DirectoryComparer.CompareUsers(users, authing, new CompareOptions { Operation = PlanOperation.Delete });
            Assert.Null(plan.DeleteRefusedReason);
            Assert.Equal(new[] { "gone" }, plan.Changes.Select(c => c.Key));
        }
    }
}
