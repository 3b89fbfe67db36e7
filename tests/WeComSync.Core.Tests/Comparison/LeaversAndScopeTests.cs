using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Core.Tests.Comparison
{
    /// <summary>-DeleteAction Suspend, re-hires, and -Department/-ExcludeDepartment scopes in the comparison.</summary>
    public class LeaversAndScopeTests
    {
        private static User U(string id, string dept, bool? enabled = true) =>
            new User { UserId = id, Name = id, Departments = new List<string> { dept }, Enabled = enabled, SourceId = "a-" + id };

        [Fact]
        public void Suspend_replaces_delete_with_its_own_operation_and_skips_users_suspended_already()
        {
            var source = new[] { U("zhangsan", "公司/研发部") };
            var target = new[] { U("zhangsan", "公司/研发部"), U("lisi", "公司/研发部"), U("wangwu", "公司/研发部", enabled: false) };
            var plan = DirectoryComparer.CompareUsers(source, target, new CompareOptions { Operation = PlanOperation.Delete, DeleteAction = DeleteAction.Suspend });
            var change = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Suspend, change.Operation);
            Assert.Equal("lisi", change.Key);
            Assert.StartsWith("= suspend user lisi", change.Description);
            Assert.Equal(1, plan.Context.SuspendCount);
            Assert.Equal(0, plan.Context.DeleteCount);
            Assert.Contains("1 to suspend", plan.Summary);

            // A later Delete run removes those still absent, suspended or not.
            var delete = DirectoryComparer.CompareUsers(source, target, new CompareOptions { Operation = PlanOperation.Delete });
            Assert.Equal(new[] { "lisi", "wangwu" }, delete.Changes.Where(c => c.Operation == ChangeOperation.Delete).Select(c => c.Key));
        }

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        public void A_suspended_user_back_in_the_source_is_reactivated_never_created(UpdateMode mode)
        {
            var back = U("lisi", "公司/研发部");
            back.Mobile = "+86 13800000001";
            var suspended = U("lisi", "公司/研发部", enabled: false);
            suspended.Mobile = "+86 13800000000";
            var plan = DirectoryComparer.CompareUsers(new[] { back }, new[] { suspended }, new CompareOptions { UpdateMode = mode });
            var change = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Update, change.Operation);
            var enabled = Assert.Single(change.Fields, f => f.Field == nameof(User.Enabled));
            Assert.Equal(true, enabled.New);
            Assert.EndsWith("(re-hired: reactivated)", change.Description);
            Assert.Equal(mode == UpdateMode.Changed, change.Fields.Any(f => f.Field == nameof(User.Mobile))); // "and updated" where updates run
        }

        [Fact]
        public void A_suspended_user_back_in_a_source_that_does_not_say_enabled_stays_suspended_and_is_counted()
        {
            var silent = U("lisi", "公司/研发部", enabled: null);   // an export without 禁用状态, or a blank cell
            var suspended = new[] { U("lisi", "公司/研发部", enabled: false), U("wangwu", "公司/市场部", enabled: false) };
            var plan = DirectoryComparer.CompareUsers(new[] { silent, U("wangwu", "公司/市场部", enabled: null) }, suspended);
            Assert.Empty(plan.Changes);                             // unknown is never a change
            Assert.Equal(2, plan.Context.KeptSuspendedCount);       // Compare-Directory warns with this
            Assert.Equal(1, DirectoryComparer.CompareUsers(new[] { silent }, suspended,
                new CompareOptions { Scope = new DepartmentScope { Include = new[] { "公司/研发部" } } }).Context.KeptSuspendedCount);
            Assert.Equal(0, DirectoryComparer.CompareUsers(new[] { silent }, suspended, new CompareOptions { ExcludeProperty = new[] { "Enabled" } }).Context.KeptSuspendedCount);
            Assert.Equal(0, DirectoryComparer.CompareUsers(new[] { U("lisi", "公司/研发部") }, suspended).Context.KeptSuspendedCount); // said: re-hired
        }

        [Fact]
        public void A_scope_leaves_everything_outside_alone_and_judges_deletes_within_it()
        {
            var source = new[] { U("a", "公司/研发部"), U("b", "公司/研发部/前端"), U("c", "公司/市场部"), U("moved", "公司/市场部"), U("d", "公司/研发部/外包") };
            var target = new[] { U("gone1", "公司/研发部"), U("gone2", "公司/市场部"), U("moved", "公司/研发部"), U("e", "公司/研发部/外包") };
            var options = new CompareOptions
            {
                Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete,
                Scope = new DepartmentScope { Include = new[] { "公司/研发部" }, Exclude = new[] { "公司/研发部/外包" } },
            };
            var plan = DirectoryComparer.CompareUsers(source, target, options);
            Assert.Equal(new[] { "a", "b" }, plan.Changes.Where(c => c.Operation == ChangeOperation.Create).Select(c => c.Key)); // not c, not d
            Assert.Equal(new[] { "gone1" }, plan.Changes.Where(c => c.Operation == ChangeOperation.Delete).Select(c => c.Key));   // not gone2, not e
            Assert.DoesNotContain(plan.Changes, c => c.Key == "moved"); // moved out of the scope: neither deleted nor updated
            Assert.Equal(2, plan.Context.TargetCount);                   // gone1 and moved: the guard's percentage is within the scope
            Assert.Contains("scope: 公司/研发部 (subtrees), except 公司/研发部/外包", plan.Summary);
        }

        [Fact]
        public void A_scope_given_by_id_covers_the_subtree_through_the_department_tree()
        {
            var tree = new List<Department>
            {
                new Department { Source = DirectorySource.WeComApi, Key = "1", LinkId = "1", Path = "公司" },
                new Department { Source = DirectorySource.WeComApi, Key = "2", LinkId = "2", ParentKey = "1", Path = "公司/研发部" },
                new Department { Source = DirectorySource.WeComApi, Key = "3", LinkId = "3", ParentKey = "2", Path = "公司/研发部/前端" },
                new Department { Source = DirectorySource.WeComApi, Key = "4", LinkId = "4", ParentKey = "1", Path = "公司/市场部" },
            };
            var target = new[] { U("x", "3"), U("y", "4") };
            var options = new CompareOptions { Operation = PlanOperation.Delete, Scope = new DepartmentScope { Include = new[] { "2" }, Departments = tree } };
            var plan = DirectoryComparer.CompareUsers(new User[0], target, options);
            Assert.Equal(new[] { "x" }, plan.Changes.Select(c => c.Key));
        }
    }
}
