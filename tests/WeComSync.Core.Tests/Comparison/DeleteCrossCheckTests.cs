using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Comparison
{
    /// <summary>
    /// A delete-only plan checked against WeCom's own member list: a user WeCom still lists is not gone, whatever the
    /// file says (a hidden sheet, a filter, an old file). The end-to-end cases are in DeleteCrossCheckEndToEndTests.
    /// </summary>
    public class DeleteCrossCheckTests
    {
        private static readonly CompareOptions DeleteOnly = new CompareOptions { Operation = PlanOperation.Delete };

        private static List<User> Authing(params string[] ids) => ids.Select(id => new User { Source = DirectorySource.Authing, UserId = id, Name = "名" + id, Enabled = true }).ToList();

        private static List<User> File(params string[] ids) => ids.Select(id => new User { Source = DirectorySource.WeComExport, UserId = id, Name = "名" + id }).ToList();

        private static WeComMemberIds WeCom(params string[] ids) => new WeComMemberIds(ids);

        private static IEnumerable<string> Removed(Plan plan) => plan.Changes.Where(c => c.Operation.Removes()).Select(c => c.Key);

        [Fact]
        public void Users_missing_from_the_file_but_still_in_WeCom_are_not_deleted_each_is_reported_and_the_real_leaver_is()
        {
            var plan = DirectoryComparer.CompareUsers(File("zs"), Authing("zs", "hidden1", "hidden2", "gone"), DeleteOnly);
            Assert.Equal(new[] { "hidden1", "hidden2", "gone" }, Removed(plan));

            var result = DeleteCrossCheck.Apply(plan, WeCom("zs", "hidden1", "HIDDEN2"));

            Assert.False(result.Refused);
            Assert.Null(result.Plan.DeleteRefusedReason);
            Assert.Equal(new[] { "gone" }, Removed(result.Plan));
            Assert.Equal(1, result.Plan.Context.DeleteCount);
            Assert.Equal(new[] { 1 }, result.Plan.Changes.Select(c => c.Sequence));
            Assert.Equal(new[] { "hidden1", "hidden2" }, result.StillListed.Select(c => c.Key));
            Assert.Equal(2, result.Warnings.Count);
            Assert.Equal("hidden1 (名hidden1) is still in WeCom: the export does not show them — hidden sheet, filter, old file? Not deleted.", result.Warnings[0]);
        }

        [Fact]
        public void More_than_five_users_still_in_WeCom_refuse_every_delete_and_say_the_file_looks_stale_or_partial()
        {
            var missing = Enumerable.Range(1, 6).Select(i => $"m{i}").ToArray();
            var plan = DirectoryComparer.CompareUsers(File("zs"), Authing(new[] { "zs", "gone" }.Concat(missing).ToArray()), DeleteOnly);

            var result = DeleteCrossCheck.Apply(plan, WeCom(new[] { "zs" }.Concat(missing).ToArray()));

            Assert.True(result.Refused);
            Assert.Empty(Removed(result.Plan));  // the real leaver too: the file cannot be trusted
            Assert.Equal(0, result.Plan.Context.DeleteCount);
            Assert.Equal(6, result.StillListed.Count);
            Assert.Contains("6 of the 7 user(s) this run would delete are still members in WeCom (user/list_id)", result.Plan.DeleteRefusedReason);
            Assert.Contains("the file looks stale or partial", result.Plan.DeleteRefusedReason);
            Assert.Contains("m1 (名m1)", result.Plan.DeleteRefusedReason);
            Assert.Contains("Export the address book again", result.Plan.DeleteRefusedAdvice);
        }

        [Fact]
        public void Exactly_five_users_still_in_WeCom_are_withheld_one_by_one_not_refused()
        {
            var missing = Enumerable.Range(1, 5).Select(i => $"m{i}").ToArray();
            var plan = DirectoryComparer.CompareUsers(File("zs"), Authing(new[] { "zs", "gone" }.Concat(missing).ToArray()), DeleteOnly);
            var result = DeleteCrossCheck.Apply(plan, WeCom(missing));
            Assert.False(result.Refused);
            Assert.Equal(new[] { "gone" }, Removed(result.Plan));
            Assert.Equal(5, result.Warnings.Count);
        }

        [Fact]
        public void A_member_list_that_failed_to_read_refuses_every_delete_and_says_what_to_fix()
        {
            var plan = DirectoryComparer.CompareUsers(File("zs"), Authing("zs", "gone"), DeleteOnly);
            var result = DeleteCrossCheck.Apply(plan, WeComMemberIds.Failed("user/list_id answered 60020: not allow to access from your ip"));
            Assert.True(result.Refused);
            Assert.Empty(result.Plan.Changes);
            Assert.Contains("WeCom's member list could not be read completely (user/list_id answered 60020", result.Plan.DeleteRefusedReason);
            Assert.Contains("Test-WeComConnection", result.Plan.DeleteRefusedAdvice);
        }

        [Fact]
        public void A_partial_member_list_page_failed_refuses_every_delete_even_of_users_it_lists()
        {
            var plan = DirectoryComparer.CompareUsers(File("zs"), Authing("zs", "gone", "hidden"), DeleteOnly);
            var result = DeleteCrossCheck.Apply(plan, new WeComMemberIds(new[] { "zs", "hidden" }, "user/list_id failed after retries with -1: system busy"));
            Assert.True(result.Refused);
            Assert.Empty(Removed(result.Plan));
        }

        [Fact]
        public void Suspend_of_a_user_still_in_WeCom_is_withheld_too()
        {
            var plan = DirectoryComparer.CompareUsers(File("zs"), Authing("zs", "hidden", "gone"), new CompareOptions { Operation = PlanOperation.Delete, DeleteAction = DeleteAction.Suspend });
            Assert.All(plan.Changes, c => Assert.Equal(ChangeOperation.Suspend, c.Operation));
            var result = DeleteCrossCheck.Apply(plan, WeCom("zs", "hidden"));
            Assert.Equal(new[] { "gone" }, Removed(result.Plan));
            Assert.Equal(1, result.Plan.Context.SuspendCount);
            Assert.EndsWith("Not suspended.", Assert.Single(result.Warnings));
        }

        [Fact]
        public void A_plan_without_deletes_is_returned_as_it_is_even_with_a_failed_member_list()
        {
            var plan = DirectoryComparer.CompareUsers(File("zs", "new1"), Authing("zs"), new CompareOptions());
            var result = DeleteCrossCheck.Apply(plan, WeComMemberIds.Failed("boom"));
            Assert.Same(plan, result.Plan);
            Assert.False(result.Refused);
            Assert.Empty(result.Warnings);
        }

        [Fact]
        public void A_plan_whose_deletes_were_refused_already_stays_refused_with_its_own_reason()
        {
            var incomplete = Authing("zs", "gone");
            incomplete[0].IncompleteReason = "a page failed";
            var plan = DirectoryComparer.CompareUsers(File("zs"), incomplete, DeleteOnly);
            var result = DeleteCrossCheck.Apply(plan, WeCom("zs"));
            Assert.Same(plan, result.Plan);
            Assert.Contains("a page failed", result.Plan.DeleteRefusedReason);
        }
    }
}
