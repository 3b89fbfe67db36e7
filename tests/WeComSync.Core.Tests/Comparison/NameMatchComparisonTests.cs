using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Comparison
{
    /// <summary>
    /// Downstream's last fallback, MatchKey.Name: an unlinked Authing user pairs with the one WeCom member of the same
    /// name when the name is unique among the unmatched users of both sides; the pair plans the link (not a userid rename).
    /// </summary>
    public class NameMatchComparisonTests
    {
        private static User AuthingUser(string username, string name, string link = null, string mobile = "+86 13800000002") =>
            new User { UserId = link, Username = username, Name = name, Mobile = mobile, Source = DirectorySource.Authing, SourceId = "a-" + username };

        private static User Member(string userId, string name, string mobile = "+86 13800000002") =>
            new User { UserId = userId, Name = name, Mobile = mobile, Source = DirectorySource.WeComApi, SourceId = userId };

        private static Plan Users(IEnumerable<User> s, IEnumerable<User> t, UpdateMode mode = UpdateMode.Changed, bool byName = true,
            PlanOperation op = PlanOperation.Create | PlanOperation.Update) =>
            DirectoryComparer.CompareUsers(s.ToList(), t.ToList(), new CompareOptions
            {
                UpdateMode = mode, Operation = op,
                MatchBy = byName ? new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username, MatchKey.Name } : new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username },
            });

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        [InlineData(UpdateMode.Overwrite)]
        public void Unique_name_match_of_an_unlinked_user_with_equal_fields_plans_exactly_one_link_change(UpdateMode mode)
        {
            var plan = Users(new[] { AuthingUser("wang.wu", "王五") }, new[] { Member("wangwu", "王五") }, mode);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            var f = Assert.Single(c.Fields);
            Assert.Equal(LinkChange.Field, f.Field);
            Assert.Equal("wangwu", f.New);
            Assert.Equal("~ link user wang.wu (王五) to WeCom wangwu", c.Description);
            Assert.Equal("matched by unique name; link not written back yet", c.Reason);
        }

        [Fact]
        public void Unique_name_match_with_a_differing_field_updates_the_member_under_its_own_userid_and_carries_the_link()
        {
            var plan = Users(new[] { AuthingUser("wang.wu", "王五", mobile: "+86 13900000009") }, new[] { Member("wangwu", "王五") });
            var c = Assert.Single(plan.Changes);
            Assert.Equal(new[] { "Mobile", LinkChange.Field }, c.Fields.Select(f => f.Field));
            Assert.DoesNotContain(c.Fields, f => f.Field == nameof(User.UserId)); // never renames the member to the username
            Assert.Equal("wangwu", ((User)c.Current).UserId);
        }

        [Fact]
        public void Linked_pair_after_the_write_back_plans_nothing()
        {
            Assert.Empty(Users(new[] { AuthingUser("wang.wu", "王五", link: "wangwu") }, new[] { Member("wangwu", "王五") }).Changes);
        }

        [Fact]
        public void Name_shared_by_two_members_plans_no_link_and_is_reported_as_a_conflict_and_the_members_are_not_deleted()
        {
            var plan = Users(new[] { AuthingUser("li.si", "李四") }, new[] { Member("ls1", "李四"), Member("ls2", "李四") },
                op: PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Contains("2 users in WeCom match by unique name", c.Reason);
            Assert.Equal(2, c.Candidates.Count);
        }

        [Fact]
        public void Name_shared_by_two_unlinked_Authing_users_plans_no_link_no_create_and_is_reported_as_a_conflict()
        {
            var plan = Users(new[] { AuthingUser("li.si", "李四"), AuthingUser("li.si2", "李四") }, new[] { Member("ls1", "李四") },
                op: PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Contains("2 users in Authing (li.si, li.si2) match the same user in WeCom by unique name", c.Reason);
        }

        [Fact]
        public void Member_matched_by_username_or_link_is_not_a_name_candidate_and_the_namesake_is_created()
        {
            // lisi is taken by its username; the other 李四 (no link) finds no free member of its name: created.
            var plan = Users(new[] { AuthingUser("lisi", "李四", link: "lisi"), AuthingUser("li.si", "李四") }, new[] { Member("lisi", "李四") });
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Create, c.Operation);
            Assert.Equal("li.si", c.Key);
        }

        [Fact]
        public void Linked_reference_user_whose_member_is_gone_is_not_re_paired_by_name()
        {
            var plan = Users(new[] { AuthingUser("wang.wu", "王五", link: "old-id") }, new[] { Member("wangwu", "王五") });
            Assert.Equal(ChangeOperation.Create, Assert.Single(plan.Changes).Operation);
        }

        [Fact]
        public void Without_MatchKey_Name_the_same_pair_is_a_create()
        {
            var plan = Users(new[] { AuthingUser("wang.wu", "王五") }, new[] { Member("wangwu", "王五") }, byName: false);
            Assert.Equal(ChangeOperation.Create, Assert.Single(plan.Changes).Operation);
        }

        [Fact]
        public void Names_are_compared_exactly_and_an_unknown_name_matches_nothing()
        {
            var plan = Users(new[] { AuthingUser("amy.w", "Amy Wang"), AuthingUser("noname", null) }, new[] { Member("amyw", "amy wang"), Member("x", null) });
            Assert.All(plan.Changes, c => Assert.Equal(ChangeOperation.Create, c.Operation));
            Assert.Equal(2, plan.Changes.Count);
        }
    }
}
