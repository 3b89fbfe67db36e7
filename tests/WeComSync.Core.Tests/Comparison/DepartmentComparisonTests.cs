using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Comparison
{
    public class DepartmentComparisonTests
    {
        private const PlanOperation All = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete;

        /// <summary>An export department: its key and link are the path.</summary>
        internal static Department E(string path)
        {
            int slash = path.LastIndexOf('/');
            return new Department
            {
                Key = path, LinkId = path, Path = path, Name = path.Substring(slash + 1),
                ParentKey = slash < 0 ? null : path.Substring(0, slash), Source = DirectorySource.WeComExport,
            };
        }

        /// <summary>An Authing department with its own id and a link field.</summary>
        internal static Department A(string id, string path, string parentId, string link = "=")
        {
            int slash = path.LastIndexOf('/');
            return new Department
            {
                Key = id, SourceId = id, Path = path, Name = path.Substring(slash + 1), ParentKey = parentId,
                LinkId = link == "=" ? path : link, ParentLinkId = slash < 0 ? null : path.Substring(0, slash), Source = DirectorySource.Authing,
            };
        }

        /// <summary>A WeCom API department: key and link are the numeric id.</summary>
        private static Department W(string id, string name, string parentId) =>
            new Department { Key = id, LinkId = id, Name = name, ParentKey = parentId, Source = DirectorySource.WeComApi, IsRoot = id == "1" };

        private static Plan Compare(IEnumerable<Department> s, IEnumerable<Department> t, PlanOperation op = All, IEnumerable<User> su = null, IEnumerable<User> tu = null, CompareOptions o = null)
        {
            o = o ?? new CompareOptions();
            o.Operation = op;
            return DirectoryComparer.CompareDepartments(s, t, o, su, tu);
        }

        [Fact]
        public void Creates_come_parents_first_whatever_the_input_order()
        {
            var plan = Compare(new[] { E("公司/研发部/前端"), E("公司/研发部"), E("公司") }, new Department[0]);
            Assert.Equal(new[] { "公司", "公司/研发部", "公司/研发部/前端" }, plan.Changes.Select(c => c.Key));
            Assert.Equal("+ create department 研发部 in 公司", plan.Changes[1].Description);
        }

        /// <summary>The Authing organization's root: its link is whatever the export's top stands for (null when nothing).</summary>
        private static Department AuthingRoot(string link) =>
            new Department { Key = "root", SourceId = "root", Name = "组织", Path = link ?? "组织", LinkId = link, IsRoot = true, Source = DirectorySource.Authing };

        private static Department ExportTop(string path) { var d = E(path); d.IsRoot = true; return d; }

        [Fact]
        public void The_export_top_becomes_a_department_under_the_target_root_when_the_root_does_not_stand_for_it()
        {
            var top = ExportTop("公司");
            var plan = Compare(new[] { top, E("公司/研发部") }, new[] { AuthingRoot(null) });
            Assert.Equal(new[] { "公司", "公司/研发部" }, plan.Changes.Select(c => c.Key));
            Assert.All(plan.Changes, c => Assert.Equal(ChangeOperation.Create, c.Operation));
            Assert.Null(((Department)plan.Changes[0].Desired).ParentKey);
            Assert.True(top.IsRoot, "the caller's object is left as it is");
        }

        [Fact]
        public void The_export_top_is_the_target_root_when_the_root_carries_its_link()
        {
            var plan = Compare(new[] { ExportTop("公司"), E("公司/研发部") }, new[] { AuthingRoot("公司") });
            Assert.Equal(new[] { "公司/研发部" }, plan.Changes.Select(c => c.Key));
        }

        [Fact]
        public void Deletes_come_children_first()
        {
            var t = new[] { A("a1", "公司", null), A("a3", "公司/研发部/前端", "a2"), A("a2", "公司/研发部", "a1") };
            var plan = Compare(new[] { E("公司") }, t, PlanOperation.Delete);
            Assert.Equal(new[] { "公司/研发部/前端", "公司/研发部" }, plan.Changes.Select(c => c.Key));
        }

        [Fact]
        public void Identical_trees_plan_nothing()
        {
            var s = new[] { E("公司"), E("公司/研发部") };
            var t = new[] { A("a1", "公司", null), A("a2", "公司/研发部", "a1") };
            Assert.Empty(Compare(s, t).Changes);
        }

        [Fact]
        public void Parent_changed_is_a_move_that_reads_old_parent_to_new_parent()
        {
            // Downstream: the WeCom id is the identity, so a move keeps it.
            var s = new[] { W("1", "公司", null), W("2", "微信事业群", "1"), W("3", "平台部", "1"), W("4", "广州研发部", "3") };
            var t = new[] { W("1", "公司", null), W("2", "微信事业群", "1"), W("3", "平台部", "1"), W("4", "广州研发部", "2") };
            var c = Assert.Single(Compare(s, t).Changes);
            Assert.Equal(ChangeOperation.Move, c.Operation);
            Assert.Equal("> move department 广州研发部: 微信事业群 -> 平台部", c.Description);
            var f = Assert.Single(c.Fields);
            Assert.Equal(("ParentKey", "2", "3"), (f.Field, (string)f.Old, (string)f.New));
            Assert.Equal(1, c.Plan.MoveCount);
        }

        [Fact]
        public void Rename_with_the_same_link_id_is_an_update()
        {
            var s = new[] { W("1", "公司", null), W("2", "研发中心", "1") };
            var t = new[] { W("1", "公司", null), W("2", "研发部", "1") };
            var c = Assert.Single(Compare(s, t).Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            Assert.Equal("~ update department 研发部: name 研发部 -> 研发中心", c.Description);
        }

        [Fact]
        public void Root_is_never_created_renamed_moved_or_deleted()
        {
            var s = new[] { W("1", "New Corp", null) };
            var t = new[] { W("1", "Old Corp", null) };
            Assert.Empty(Compare(s, t).Changes);
            Assert.Empty(Compare(new Department[0], t).Changes);
        }

        [Fact]
        public void Renamed_upstream_is_matched_by_members_and_re_keyed_not_created_twice()
        {
            var s = new[] { E("公司"), E("公司/研发中心") };
            var t = new[] { A("a1", "公司", null), A("a2", "公司/研发部", "a1") };
            var su = new[] { new User { UserId = "u1", Departments = new List<string> { "公司/研发中心" } }, new User { UserId = "u2", Departments = new List<string> { "公司/研发中心" } } };
            var tu = new[] { new User { UserId = "U1", Departments = new List<string> { "公司/研发部" } }, new User { UserId = "u2", Departments = new List<string> { "公司/研发部" } } };
            var c = Assert.Single(Compare(s, t, All, su, tu).Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            Assert.Equal("renamed, matched by members", c.Reason);
            Assert.Contains(c.Fields, f => f.Field == "Name" && (string)f.New == "研发中心");
            Assert.Contains(c.Fields, f => f.Field == "LinkId" && (string)f.Old == "公司/研发部" && (string)f.New == "公司/研发中心");
            Assert.EndsWith("(renamed, matched by members)", c.Description);
        }

        [Fact]
        public void Renamed_parent_upstream_is_found_through_its_children()
        {
            var s = new[] { E("公司"), E("公司/研发中心"), E("公司/研发中心/前端") };
            var t = new[] { A("a1", "公司", null), A("a2", "公司/研发部", "a1"), A("a3", "公司/研发部/前端", "a2") };
            var su = new[] { new User { UserId = "u1", Departments = new List<string> { "公司/研发中心/前端" } } };
            var tu = new[] { new User { UserId = "u1", Departments = new List<string> { "公司/研发部/前端" } } };
            var plan = Compare(s, t, All, su, tu);
            Assert.All(plan.Changes, c => Assert.Equal(ChangeOperation.Update, c.Operation));
            Assert.Equal(new[] { "公司/研发中心", "公司/研发中心/前端" }, plan.Changes.Select(c => c.Key)); // parent re-keyed first
            Assert.Contains(plan.Changes[1].Fields, f => f.Field == "ParentLinkId" && (string)f.New == "公司/研发中心");
        }

        [Fact]
        public void Moved_upstream_is_matched_by_members_as_a_move()
        {
            var s = new[] { E("公司"), E("公司/A"), E("公司/B"), E("公司/B/组") };
            var t = new[] { A("a1", "公司", null), A("a2", "公司/A", "a1"), A("a3", "公司/B", "a1"), A("a4", "公司/A/组", "a2") };
            var su = new[] { new User { UserId = "u1", Departments = new List<string> { "公司/B/组" } } };
            var tu = new[] { new User { UserId = "u1", Departments = new List<string> { "公司/A/组" } } };
            var c = Assert.Single(Compare(s, t, All, su, tu).Changes);
            Assert.Equal(ChangeOperation.Move, c.Operation);
            Assert.Equal("> move department 组: A -> B; linkid 公司/A/组 -> 公司/B/组 (renamed, matched by members)", c.Description);
        }

        [Fact]
        public void Members_that_are_not_mostly_the_same_do_not_match()
        {
            var s = new[] { E("公司"), E("公司/新") };
            var t = new[] { A("a1", "公司", null), A("a2", "公司/旧", "a1") };
            var su = new[] { "u1", "u2", "u3" }.Select(u => new User { UserId = u, Departments = new List<string> { "公司/新" } });
            var tu = new[] { "u1", "x2", "x3" }.Select(u => new User { UserId = u, Departments = new List<string> { "公司/旧" } });
            var plan = Compare(s, t, All, su, tu);
            Assert.Equal(new[] { ChangeOperation.Create, ChangeOperation.Delete }, plan.Changes.Select(c => c.Operation));
        }

        [Fact]
        public void Unlinked_target_is_matched_by_path_and_linked()
        {
            var s = new[] { E("公司"), E("公司/研发部") };
            var t = new[] { A("a1", "公司", null), A("a2", "公司/研发部", "a1", link: null) };
            var c = Assert.Single(Compare(s, t).Changes);
            Assert.Equal("matched by path", c.Reason);
            Assert.Contains(c.Fields, f => f.Field == "LinkId" && f.Old == null && (string)f.New == "公司/研发部");
        }

        [Fact]
        public void Unlinked_unmatched_target_is_not_deleted()
        {
            Assert.Empty(Compare(new[] { E("公司") }, new[] { A("a1", "公司", null), A("a9", "公司/手工", "a1", link: null) }, PlanOperation.Delete).Changes);
        }

        [Fact]
        public void Order_is_compared_only_when_both_sides_know_it()
        {
            var s = new[] { W("1", "公司", null), W("2", "研发部", "1") };
            var t = new[] { W("1", "公司", null), W("2", "研发部", "1") };
            s[1].Order = 100;
            Assert.Empty(Compare(s, t).Changes);
            t[1].Order = 50;
            Assert.Equal("Order", Assert.Single(Assert.Single(Compare(s, t).Changes).Fields).Field);
        }

        [Fact]
        public void Excluding_ParentKey_plans_no_moves()
        {
            var s = new[] { W("1", "公司", null), W("2", "A", "1"), W("3", "B", "2") };
            var t = new[] { W("1", "公司", null), W("2", "A", "1"), W("3", "B", "1") };
            Assert.Empty(Compare(s, t, All, o: new CompareOptions { ExcludeProperty = new[] { "ParentKey" } }).Changes);
        }

        [Fact]
        public void UpdateMode_None_plans_no_moves_or_renames()
        {
            var s = new[] { W("1", "公司", null), W("2", "A2", "1"), W("3", "B", "2") };
            var t = new[] { W("1", "公司", null), W("2", "A", "1"), W("3", "B", "1") };
            Assert.Empty(Compare(s, t, All, o: new CompareOptions { UpdateMode = UpdateMode.None }).Changes);
        }

        [Fact]
        public void Out_of_scope_department_refuses_deletes()
        {
            var t = new[] { W("1", "公司", null), W("2", "A", "1"), W("3", "B", "1") };
            t[2].IncompleteReason = "department 3 is outside the app's visible range";
            var plan = Compare(new[] { W("1", "公司", null) }, t, PlanOperation.Delete);
            Assert.Empty(plan.Changes);
            Assert.Contains("outside the app's visible range", plan.DeleteRefusedReason);
        }

        [Fact]
        public void Duplicate_reference_paths_are_a_conflict()
        {
            var plan = Compare(new[] { E("公司"), E("公司/A"), E("公司/A") }, new Department[0]);
            Assert.Equal(new[] { ChangeOperation.Create, ChangeOperation.Conflict }, plan.Changes.Select(c => c.Operation));
        }

        [Fact]
        public void Unknown_department_property_fails_with_the_valid_names()
        {
            var ex = Assert.Throws<System.ArgumentException>(() => Compare(new Department[0], new Department[0], o: new CompareOptions { Property = new[] { "Mobile" } }));
            Assert.Contains("ParentKey", ex.Message);
        }

        [Theory]
        [InlineData(14, 0)] // root + 14 below: level 15, the deepest WeCom allows
        [InlineData(15, 1)] // root + 15 below: level 16
        [InlineData(17, 3)]
        public void A_tree_deeper_than_WeComs_15_levels_is_counted_and_warned_before_anything_is_applied(int below, int tooDeep)
        {
            var source = new List<Department> { AuthingRoot("1") };
            string parent = "root", path = "组织";
            for (int i = 1; i <= below; i++)
            {
                path += "/L" + (i + 1);
                source.Add(A("a" + i, path, parent, link: null));
                parent = "a" + i;
            }
            var plan = Compare(source, new[] { W("1", "公司", null) }, PlanOperation.Create);
            Assert.Equal(tooDeep, plan.Context.TooDeepCount);
            if (tooDeep == 0) Assert.Null(plan.Context.TooDeepWarning());
            else
            {
                Assert.Contains("15 levels", plan.Context.TooDeepWarning());
                Assert.EndsWith("/L16': WeCom refuses to create or move them (81002), and their members cannot be placed there. Flatten the tree to 15 levels before applying.", plan.Context.TooDeepWarning()); // the first one too deep, by its path
            }
        }

        [Fact]
        public void The_15_level_limit_is_WeComs_a_plan_into_Authing_is_not_warned()
        {
            var source = new List<Department> { ExportTop("公司") };
            string path = "公司";
            for (int i = 2; i <= 17; i++) { path += "/L" + i; source.Add(E(path)); }
            var plan = Compare(source, new[] { AuthingRoot("公司") }, PlanOperation.Create);
            Assert.Equal(0, plan.Context.TooDeepCount);
        }
    }
}
