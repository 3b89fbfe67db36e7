using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Comparison
{
    /// <summary>
    /// Downstream (Authing → WeCom): a reference object matched by a fallback while its own link field is empty (the
    /// write-back after an earlier create was lost) plans the link, and only the link, even when no field differs.
    /// </summary>
    public class LinkBackComparisonTests
    {
        private static User AuthingUser(string username, string link = null, string mobile = "+86 13800000002") =>
            new User { UserId = link, Username = username, Name = "李四", Mobile = mobile, Source = DirectorySource.Authing, SourceId = "a-" + username };

        private static User WeComUser(string userId, string mobile = "+86 13800000002") =>
            new User { UserId = userId, Name = "李四", Mobile = mobile, Source = DirectorySource.WeComApi, SourceId = userId };

        private static Plan Users(User s, User t, UpdateMode mode, PlanOperation op = PlanOperation.Create | PlanOperation.Update) =>
            DirectoryComparer.CompareUsers(new[] { s }, new[] { t }, new CompareOptions { UpdateMode = mode, Operation = op });

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        [InlineData(UpdateMode.Overwrite)]
        public void Unlinked_reference_user_matched_by_username_with_equal_fields_plans_exactly_one_link_change(UpdateMode mode)
        {
            var plan = Users(AuthingUser("lisi"), WeComUser("lisi"), mode);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            Assert.Equal("lisi", c.Key);
            var f = Assert.Single(c.Fields);
            Assert.Equal(LinkChange.Field, f.Field);
            Assert.Null(f.Old);
            Assert.Equal("lisi", f.New);
            Assert.True(LinkChange.Only(c));
            Assert.Equal("~ link user lisi (李四) to WeCom lisi", c.Description);
            Assert.Equal("matched by username; link not written back yet", c.Reason);
            Assert.Equal(1, plan.Context.UpdateCount);
        }

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        [InlineData(UpdateMode.Overwrite)]
        public void Linked_reference_user_with_equal_fields_plans_nothing(UpdateMode mode)
        {
            Assert.Empty(Users(AuthingUser("lisi", link: "lisi"), WeComUser("lisi"), mode).Changes);
        }

        [Fact]
        public void Linked_reference_user_whose_link_differs_from_its_username_plans_nothing_either()
        {
            // Linked to a member whose userid is not the username: matched by the link, nothing to write back.
            Assert.Empty(Users(AuthingUser("lisi", link: "li.si"), WeComUser("li.si"), UpdateMode.Changed).Changes);
        }

        [Fact]
        public void Unlinked_reference_user_with_a_differing_field_gets_the_field_and_the_link_in_one_update()
        {
            var plan = Users(AuthingUser("lisi", mobile: "+86 13900000009"), WeComUser("lisi"), UpdateMode.Changed);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(new[] { "Mobile", LinkChange.Field }, c.Fields.Select(f => f.Field));
            Assert.False(LinkChange.Only(c));
            Assert.Equal("matched by username", c.Reason);
            Assert.Equal("~ update user lisi: mobile +86 13800000002 -> +86 13900000009, link (unset) -> lisi", c.Description);
        }

        [Fact]
        public void Unlinked_reference_user_plans_no_link_when_updates_are_not_asked_for()
        {
            Assert.Empty(Users(AuthingUser("lisi"), WeComUser("lisi"), UpdateMode.None, PlanOperation.Create).Changes);
        }

        [Fact]
        public void Upstream_unlinked_difference_user_still_plans_its_own_userid_link_not_a_reference_link()
        {
            // Upstream the reference (the export) always carries its userid; the unlinked side is Authing, the difference.
            var export = new User { UserId = "lisi", Name = "李四", Source = DirectorySource.WeComExport };
            var authing = new User { Username = "lisi", Name = "李四", Source = DirectorySource.Authing, SourceId = "a1" };
            var c = Assert.Single(DirectoryComparer.CompareUsers(new[] { export }, new[] { authing }).Changes);
            Assert.Equal(new[] { nameof(User.UserId) }, c.Fields.Select(f => f.Field));
            Assert.False(LinkChange.Carries(c));
        }

        private static Department AuthingRoot() =>
            new Department { Key = "root", SourceId = "root", Name = "示例科技", Path = "示例科技", LinkId = "1", IsRoot = true, Source = DirectorySource.Authing };

        private static Department AuthingDept(string id, string name, string link) =>
            new Department { Key = id, SourceId = id, Name = name, Path = "示例科技/" + name, ParentKey = "root", LinkId = link, ParentLinkId = "1", Source = DirectorySource.Authing };

        private static Department WeComDept(string id, string name, string parent) =>
            new Department { Key = id, LinkId = id, Name = name, Path = parent == null ? name : "示例科技/" + name, ParentKey = parent, IsRoot = id == "1", Source = DirectorySource.WeComApi };

        private static Plan Departments(Department s, UpdateMode mode, PlanOperation op = PlanOperation.Create | PlanOperation.Update) =>
            DirectoryComparer.CompareDepartments(new[] { AuthingRoot(), s }, new[] { WeComDept("1", "示例科技", null), WeComDept("2", "研发部", "1") },
                new CompareOptions { UpdateMode = mode, Operation = op });

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        public void Unlinked_reference_department_matched_by_path_with_equal_fields_plans_exactly_one_link_change(UpdateMode mode)
        {
            var plan = Departments(AuthingDept("d1", "研发部", null), mode);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            Assert.Equal("d1", c.Key);
            var f = Assert.Single(c.Fields);
            Assert.Equal(LinkChange.Field, f.Field);
            Assert.Equal("2", f.New);
            Assert.Equal("~ link department 研发部 to WeCom 2", c.Description);
            Assert.Equal("matched by path; link not written back yet", c.Reason);
        }

        [Theory]
        [InlineData(UpdateMode.None)]
        [InlineData(UpdateMode.Changed)]
        public void Linked_reference_department_with_equal_fields_plans_nothing(UpdateMode mode)
        {
            Assert.Empty(Departments(AuthingDept("d1", "研发部", "2"), mode).Changes);
        }

        [Fact]
        public void Unlinked_reference_department_below_a_differently_named_root_is_matched_by_its_path_below_the_root_and_linked()
        {
            // As read downstream: Authing's root path is its link ("1"), WeCom's is the company name; whole paths never meet.
            var root = new Department { Key = "root", SourceId = "root", Name = "组织", Path = "1", LinkId = "1", IsRoot = true, Source = DirectorySource.Authing };
            var rd = new Department { Key = "d1", SourceId = "d1", Name = "研发部", Path = "1/研发部", ParentKey = "root", ParentLinkId = "1", Source = DirectorySource.Authing };
            var wx = new Department { Key = "d2", SourceId = "d2", Name = "微信事业群", Path = "1/研发部/微信事业群", ParentKey = "d1", Source = DirectorySource.Authing };
            var other = new Department { Key = "d3", SourceId = "d3", Name = "法务部", Path = "1/法务部", ParentKey = "root", ParentLinkId = "1", Source = DirectorySource.Authing };
            var weCom = new[]
            {
                WeComDept("1", "示例科技", null), WeComDept("2", "研发部", "1"),
                new Department { Key = "3", LinkId = "3", Name = "微信事业群", Path = "示例科技/研发部/微信事业群", ParentKey = "2", Source = DirectorySource.WeComApi },
            };
            var plan = DirectoryComparer.CompareDepartments(new[] { root, rd, wx, other }, weCom, new CompareOptions { UpdateMode = UpdateMode.None });
            Assert.Equal(new[] { "~ link department 研发部 to WeCom 2", "+ create department 法务部 in 组织", "~ link department 微信事业群 to WeCom 3" },
                plan.Changes.Select(c => c.Description));
        }

        [Fact]
        public void Unlinked_reference_department_plans_no_link_when_updates_are_not_asked_for()
        {
            Assert.Empty(Departments(AuthingDept("d1", "研发部", null), UpdateMode.None, PlanOperation.Create).Changes);
        }
    }
}
