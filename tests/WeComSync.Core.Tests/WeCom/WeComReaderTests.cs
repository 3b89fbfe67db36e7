using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.WeCom
{
    public class WeComReaderTests
    {
        private static FakeWeCom Seeded()
        {
            var fake = new FakeWeCom();
            var rd = fake.AddDepartment("研发部", 1);
            var gz = fake.AddDepartment("广州研发部", rd);
            var sales = fake.AddDepartment("销售部", 1);
            fake.AddUser("zhangsan", "张三", gz, sales);
            fake.AddUser("lisi", "李四", rd);
            fake.AddUser("wangwu", "王五", sales);
            return fake;
        }

        [Fact]
        public async Task Departments_carry_ids_names_paths_and_depths()
        {
            var fake = Seeded();
            using var client = WeComClientTests.Client(fake);
            var depts = await new WeComReader(client).ReadDepartmentsAsync(CancellationToken.None);
            var gz = depts.Single(d => d.Name == "广州研发部");
            Assert.Equal("示例科技/研发部/广州研发部", gz.Path);
            Assert.Equal(2, gz.Depth);
            Assert.Equal(gz.Key, gz.LinkId);
            Assert.True(depts.Single(d => d.Key == "1").IsRoot);
        }

        [Fact]
        public async Task Department_names_banned_by_48009_are_unknown_not_empty()
        {
            var fake = Seeded();
            fake.AppMode = FakeWeCom.Mode.NewIp;
            using var client = WeComClientTests.Client(fake);
            var depts = await new WeComReader(client).ReadDepartmentsAsync(CancellationToken.None);
            Assert.Equal(4, depts.Count);
            Assert.All(depts, d => { Assert.Null(d.Name); Assert.Contains("Name", d.WithheldFields); Assert.Null(d.IncompleteReason); });
        }

        [Fact]
        public async Task List_id_pages_are_folded_into_one_user_with_all_departments_main_first()
        {
            var fake = Seeded();
            fake.ListIdPageLimit = 1; // one row per page: every user spans pages
            using var client = WeComClientTests.Client(fake);
            var reader = new WeComReader(client);
            var users = await reader.ReadUsersAsync(CancellationToken.None);
            Assert.Equal(3, users.Count);
            var zhang = users.Single(u => u.UserId == "zhangsan");
            Assert.Equal(2, zhang.Departments.Count);
            Assert.Equal((string)fake.Users["zhangsan"]["main_department"], zhang.Departments[0]);
            Assert.Equal("张三", zhang.Name);
            Assert.Equal("+86 " + (string)fake.Users["zhangsan"]["mobile"], zhang.Mobile);
            Assert.Equal(WeComSync.Model.Gender.Male, zhang.Gender);
            Assert.True(fake.Count("user/list_id") >= 4);
        }

        [Fact]
        public async Task Agent_development_mode_withholds_sensitive_fields_as_unknown_and_lists_through_simplelist()
        {
            var fake = Seeded();
            fake.AppMode = FakeWeCom.Mode.App;
            using var client = WeComClientTests.Client(fake, WeComAppMode.AgentDevelopment);
            var users = await new WeComReader(client).ReadUsersAsync(CancellationToken.None);
            Assert.Equal(3, users.Count);
            foreach (var u in users)
            {
                Assert.NotNull(u.Name);
                Assert.Null(u.Mobile); Assert.Null(u.Email); Assert.Null(u.Gender);
                Assert.Contains("Mobile", u.WithheldFields);
                Assert.Null(u.IncompleteReason);
            }
            // One call per department (fetch_child is no longer documented): the fake corp has four.
            Assert.Equal(4, fake.Count("user/simplelist"));
        }

        [Fact]
        public async Task Address_book_secret_from_a_new_ip_48009_keeps_ids_and_departments_details_unknown()
        {
            var fake = Seeded();
            fake.AppMode = FakeWeCom.Mode.NewIp;
            using var client = WeComClientTests.Client(fake);
            var output = new RecordingHost();
            var reader = new WeComReader(client, output);
            var users = await reader.ReadUsersAsync(CancellationToken.None);
            var zhang = users.Single(u => u.UserId == "zhangsan");
            Assert.Equal(2, zhang.Departments.Count);
            Assert.Null(zhang.Name);
            Assert.Contains("Name", zhang.WithheldFields);
            // Why the details are unknown is a warning; the read's stages are progress, and the activity is closed.
            Assert.Contains(output.Warnings, n => n.Contains("48009"));
            Assert.Contains(output.ProgressStatus, s => s.StartsWith("Reading WeCom: Reading member details (user/list)"));
            Assert.Equal(100, output.Progress.Last());
        }

        [Fact]
        public async Task A_listing_that_fails_after_retries_marks_users_incomplete()
        {
            var fake = Seeded();
            fake.ListIdPageLimit = 1;
            fake.FailListIdAfterFirstPage = true;
            using var client = WeComClientTests.Client(fake);
            var users = await new WeComReader(client).ReadUsersAsync(CancellationToken.None);
            Assert.NotEmpty(users);
            Assert.All(users, u => Assert.Contains("user/list_id", u.IncompleteReason));
            Assert.Equal(1 + 4, fake.Count("user/list_id")); // the first page, then the failing one with its 3 retries
        }
    }
}
