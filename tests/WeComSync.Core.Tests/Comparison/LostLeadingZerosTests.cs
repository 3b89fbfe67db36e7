using System.Collections.Generic;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.Comparison;
using WeComSync.ExportGenerator;
using WeComSync.Model;
using WeComSync.Tests.AddressBook;
using Xunit;

namespace WeComSync.Tests.Comparison
{
    /// <summary>
    /// A CSV re-saved by Excel loses the leading zeros of a 账号 of digits (00123 → 123). The comparison refuses such a row
    /// when a linked user has the padded 账号: an error naming the row, no '123' created, and '00123' never deleted.
    /// </summary>
    public sealed class LostLeadingZerosTests : System.IDisposable
    {
        private readonly ExportFixture _files = new ExportFixture();
        public void Dispose() => _files.Dispose();

        private static List<User> Authing(params string[] ids) => ids.Select(id => new User { Source = DirectorySource.Authing, UserId = id, Username = id, Name = "用户" + id }).ToList();

        private static readonly CompareOptions Everything = new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete };

        /// <summary>A CSV as Excel saves it after opening the export: 账号 '00123' became '123'.</summary>
        private List<User> ResavedCsv(params string[] ids)
        {
            var members = ids.Select((id, i) => ExportFixture.Member("成员" + i, id, "示例科技/研发部", $"1390000{i:0000}")).ToArray();
            string path = _files.Write("resaved.csv", ExportFixture.Sheet(members));
            return ExportFixture.Read(path).Users;
        }

        [Fact]
        public void Account_that_lost_its_leading_zeros_is_a_row_error_and_is_neither_created_nor_is_its_padded_user_deleted()
        {
            var users = ResavedCsv("zs", "123", "ww");
            var plan = DirectoryComparer.CompareUsers(users, Authing("zs", "00123", "ww", "gone"), Everything);

            Assert.DoesNotContain(plan.Changes, c => c.Key == "123" || c.Key == "00123");
            Assert.Equal(new[] { "gone" }, plan.Changes.Where(c => c.Operation == ChangeOperation.Delete).Select(c => c.Key));
            var error = Assert.Single(plan.Errors);
            Assert.Equal(ProblemCodes.LeadingZerosLost, error.ErrorId);
            Assert.Contains("resaved.csv, sheet resaved, row 11", error.Message);   // below the instruction block and the header
            Assert.Contains("账号 '123' looks like '00123' with its leading zeros lost", error.Message);
            Assert.Contains("'123' is not created, and '00123' is not changed or deleted", error.Message);
            Assert.Contains("Format the 账号 column as text", error.RecommendedAction);
            Assert.Same(users[1], error.Target);
        }

        [Fact]
        public void Delete_only_plan_keeps_the_padded_user_of_a_row_that_lost_its_zeros()
        {
            var plan = DirectoryComparer.CompareUsers(ResavedCsv("zs", "7"), Authing("zs", "0007"), new CompareOptions { Operation = PlanOperation.Delete });
            Assert.Empty(plan.Changes);
            Assert.Single(plan.Errors);
            Assert.Null(plan.DeleteRefusedReason);   // one row refused; the other deletes still follow
        }

        [Fact]
        public void Account_of_digits_that_matches_an_existing_user_is_not_refused()
        {
            // Authing has both: the 123 of the file is that user, not a lost zero.
            var plan = DirectoryComparer.CompareUsers(ResavedCsv("123"), Authing("123", "00123"), new CompareOptions { Operation = PlanOperation.Create | PlanOperation.Update });
            Assert.Empty(plan.Errors);
        }

        [Fact]
        public void File_holding_both_the_padded_and_the_bare_account_is_two_members_not_a_lost_zero()
        {
            var plan = DirectoryComparer.CompareUsers(ResavedCsv("00123", "123"), Authing("00123"), Everything);
            Assert.Empty(plan.Errors);
            Assert.Contains(plan.Changes, c => c.Operation == ChangeOperation.Create && c.Key == "123");
        }

        [Fact]
        public void Unlinked_padded_user_or_a_reference_that_is_not_an_export_is_not_refused()
        {
            // Only a linked user can be deleted, and only the export's 账号 can have lost zeros.
            var unlinked = new List<User> { new User { Source = DirectorySource.Authing, Username = "00123", Name = "x" } };
            Assert.Empty(DirectoryComparer.CompareUsers(ResavedCsv("123"), unlinked, Everything).Errors);
            var fromAuthing = Authing("123");
            Assert.Empty(DirectoryComparer.CompareUsers(fromAuthing, new List<User> { new User { Source = DirectorySource.WeComApi, UserId = "00123", Name = "x" } }, Everything).Errors);
        }
    }
}
