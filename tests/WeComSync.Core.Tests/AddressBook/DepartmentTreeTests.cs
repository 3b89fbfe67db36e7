using System.Collections.Generic;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using WeComSync.Model;
using Xunit;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    public class DepartmentTreeTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public DepartmentTreeTests(ExportFixture files) => _files = files;

        [Fact]
        public void Tree_has_every_level_parents_first_with_path_keys_and_link_ids()
        {
            string path = _files.Write("tree.xlsx", Sheet(
                Member("张三", "a", "腾讯公司/微信事业群/广州研发部"),
                Member("李四", "b", "腾讯公司/互动娱乐事业群；腾讯公司/微信事业群/北京研发部"),
                Member("王五", "c", "")));
            var departments = new AddressBookReader().ReadDepartments(path);

            Assert.Equal(new[] { "腾讯公司", "腾讯公司/微信事业群", "腾讯公司/微信事业群/广州研发部", "腾讯公司/微信事业群/北京研发部", "腾讯公司/互动娱乐事业群" },
                departments.Select(d => d.Key));
            var root = departments[0];
            Assert.True(root.IsRoot);
            Assert.Equal(0, root.Depth);
            Assert.Null(root.ParentKey);
            Assert.Null(root.ParentLinkId);
            var gz = departments.Single(d => d.Name == "广州研发部");
            Assert.Equal(2, gz.Depth);
            Assert.Equal("腾讯公司/微信事业群/广州研发部", gz.LinkId);
            Assert.Equal("腾讯公司/微信事业群", gz.ParentKey);
            Assert.Equal("腾讯公司/微信事业群", gz.ParentLinkId);
            Assert.False(gz.IsRoot);
            Assert.Equal(DirectorySource.WeComExport, gz.Source);
            Assert.Equal("tree.xlsx, sheet 成员列表, row 10", gz.Origin);
        }

        [Fact]
        public void Every_department_comes_after_its_parent_in_a_generated_export()
        {
            var departments = new AddressBookReader().ReadDepartments(_files.Write("tree-gen.xlsx", MemberGenerator.Generate(new GeneratorOptions { Users = 3000, Seed = 11, MultiDepartmentRate = 0.5 })));
            var seen = new HashSet<string>();
            foreach (var d in departments)
            {
                if (d.ParentKey != null) Assert.Contains(d.ParentKey, seen);
                Assert.True(seen.Add(d.Key), $"{d.Key} listed twice");
            }
            Assert.Equal(MemberGenerator.Departments(new GeneratorOptions { Users = 3000 }).Count + 1, departments.Count);
        }

        [Fact]
        public void Bad_rows_do_not_add_departments()
        {
            string path = _files.Write("tree-bad.xlsx", Sheet(Member("张三", "a", "公司/研发部"), Member("", "b", "公司/只在坏行里")));
            var output = new RecordingHost();
            var departments = new AddressBookReader(null, output).ReadDepartments(path);
            Assert.DoesNotContain(departments, d => d.Name == "只在坏行里");
            Assert.Equal(ProblemCodes.EmptyName, Assert.Single(output.Errors).ErrorId);
            Assert.Empty(output.Warnings);
        }

        [Fact]
        public void Several_top_departments_are_a_warning()
        {
            var tree = new DepartmentTree();
            tree.AddPath("甲公司/部门", "x");
            tree.AddPath("乙公司", "y");
            var list = tree.Build();
            Assert.Equal(new[] { "甲公司", "甲公司/部门", "乙公司" }, list.Select(d => d.Key));
            Assert.Single(tree.Warnings);
        }
    }
}
