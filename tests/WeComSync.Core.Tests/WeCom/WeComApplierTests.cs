using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Model;
using WeComSync.Tests.Apply;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.WeCom
{
    /// <summary>Records write-backs the way the Authing link writer would make them.</summary>
    internal sealed class RecordingLinkWriter : IWeComLinkWriter
    {
        public ConcurrentDictionary<string, (string Id, string Parent)> Departments { get; } = new ConcurrentDictionary<string, (string, string)>();
        public ConcurrentDictionary<string, (string UserId, IReadOnlyList<string> Depts)> Users { get; } = new ConcurrentDictionary<string, (string, IReadOnlyList<string>)>();

        public Task WriteDepartmentLinkAsync(Department source, string weComId, string weComParentId, CancellationToken ct)
        {
            Departments[source.Key] = (weComId, weComParentId);
            return Task.CompletedTask;
        }

        public Task WriteUserLinkAsync(User source, string userId, IReadOnlyList<string> ids, CancellationToken ct)
        {
            Users[source.SourceId] = (userId, ids);
            return Task.CompletedTask;
        }
    }

    public class WeComApplierTests
    {
        private static Department AuthingDept(string key, string name, string parentKey, int depth, string parentLink = null) => new Department
        {
            Source = DirectorySource.Authing, Key = key, SourceId = key, Name = name, ParentKey = parentKey, ParentLinkId = parentLink, Depth = depth,
        };

        private static User AuthingUser(string id, string username, string name, params string[] departments) => new User
        {
            Source = DirectorySource.Authing, SourceId = id, Username = username, Name = name, Mobile = "+86 139" + Math.Abs(id.GetHashCode() % 100000000).ToString("00000000"),
            Email = username + "@example.com", Departments = departments.ToList(), Enabled = true,
        };

        private static Change Create(DirectoryObject desired, ObjectKind kind, int seq) =>
            new Change { Operation = ChangeOperation.Create, Kind = kind, Key = (desired as Department)?.Key ?? ((User)desired).Username, Desired = desired, Sequence = seq };

        private static Change LinkOnly(DirectoryObject desired, DirectoryObject current, string key, string weComId) => new Change
        {
            Operation = ChangeOperation.Update, Kind = desired is User ? ObjectKind.User : ObjectKind.Department, Key = key, Desired = desired, Current = current,
            Fields = new List<FieldChange> { new FieldChange(WeComSync.Comparison.LinkChange.Field, null, weComId) },
        };

        [Fact]
        public void WhatIf_and_Confirm_name_the_fields_an_update_writes_with_their_values_departments_as_paths()
        {
            using var client = WeComClientTests.Client(new FakeWeCom());
            var applier = new WeComUserApplier(client, new WeComApplyOptions { ExcludeProperty = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Email" } });
            // After a downstream run both sides hold WeCom's ids; the readers attached each department's path.
            var source = AuthingUser("u1", "lisi", "李四", "8");
            source.DepartmentPaths = new List<string> { "示例科技/市场部/一组" };
            var member = new User { Source = DirectorySource.WeComApi, UserId = "lisi", Name = "李四", Departments = new List<string> { "5" }, DepartmentPaths = new List<string> { "示例科技/研发部/一组" } };
            var update = new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "lisi", Desired = source, Current = member,
                Fields = new List<FieldChange>
                {
                    new FieldChange(nameof(User.Departments), new List<string> { "5" }, new List<string> { "8" }),
                    new FieldChange(nameof(User.Email), "old@example.com", "lisi@example.com"),
                },
            };
            Assert.Equal("Update: departments [示例科技/研发部/一组] -> [示例科技/市场部/一组]", applier.DescribeAction(update));
            update.Fields.RemoveAt(0);
            Assert.Equal("Update", applier.DescribeAction(update));   // -ExcludeProperty Email: nothing of it is written
        }

        [Fact]
        public void A_link_only_change_writes_the_link_back_to_Authing_and_makes_no_WeCom_write_call()
        {
            var fake = new FakeWeCom();
            using var client = WeComClientTests.Client(fake);
            var links = new RecordingLinkWriter();
            var options = new WeComApplyOptions { LinkWriter = links };
            var dept = AuthingDept("a1", "研发部", "root", 1, parentLink: "1");
            var weComDept = new Department { Source = DirectorySource.WeComApi, Key = "7", LinkId = "7", Name = "研发部", ParentKey = "1" };
            var user = AuthingUser("u1", "lisi", "李四", "authing:a1");
            var member = new User { Source = DirectorySource.WeComApi, UserId = "lisi", Name = "李四", Departments = new List<string> { "7", "9" } };

            var deptApplier = new WeComDepartmentApplier(client, options);
            var userApplier = new WeComUserApplier(client, options);
            Assert.Equal("Write the link back to Authing", userApplier.DescribeAction(LinkOnly(user, member, "lisi", "lisi")));
            var results = new PlanApplier(new RecordingHost()).Apply(new[] { LinkOnly(dept, weComDept, "a1", "7") }, deptApplier).ToList();
            results.AddRange(new PlanApplier(new RecordingHost()).Apply(new[] { LinkOnly(user, member, "lisi", "lisi") }, userApplier));

            Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(0, fake.WriteCalls);
            Assert.Equal(("7", "1"), links.Departments["a1"]);
            Assert.Equal("lisi", links.Users["u1"].UserId);
            Assert.Equal(new[] { "7", "9" }, links.Users["u1"].Depts);
            Assert.Equal("7", options.Ids.Resolve("authing:a1")); // users later in the session resolve the relinked department
        }

        [Fact]
        public void A_link_only_change_without_an_Authing_link_writer_is_skipped_and_sends_nothing()
        {
            var fake = new FakeWeCom();
            using var client = WeComClientTests.Client(fake);
            var member = new User { Source = DirectorySource.WeComApi, UserId = "lisi", Name = "李四" };
            var result = Assert.Single(new PlanApplier(new RecordingHost()).Apply(
                new[] { LinkOnly(AuthingUser("u1", "lisi", "李四"), member, "lisi", "lisi") }, new WeComUserApplier(client, new WeComApplyOptions())));
            Assert.Equal(Outcome.Skipped, result.Outcome);
            Assert.Contains("no Authing connection", result.Error);
            Assert.Equal(0, fake.WriteCalls);
        }

        [Fact]
        public void A_department_tree_three_levels_deep_is_created_in_one_run_parents_first_and_written_back()
        {
            var fake = new FakeWeCom();
            using var client = WeComClientTests.Client(fake);
            var links = new RecordingLinkWriter();
            var options = new WeComApplyOptions { LinkWriter = links };
            // Given children first on purpose: the applier orders by depth.
            var changes = new[]
            {
                Create(AuthingDept("a3", "广州研发部", "a2", 3), ObjectKind.Department, 0),
                Create(AuthingDept("a2", "微信事业群", "a1", 2), ObjectKind.Department, 1),
                Create(AuthingDept("a1", "腾讯公司", "root", 1, parentLink: "1"), ObjectKind.Department, 2),
            };
            var results = new PlanApplier(new RecordingHost()).Apply(changes, new WeComDepartmentApplier(client, options));
            Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            long l1 = long.Parse(links.Departments["a1"].Id), l2 = long.Parse(links.Departments["a2"].Id), l3 = long.Parse(links.Departments["a3"].Id);
            Assert.Equal(1, fake.Departments[l1].Parent);
            Assert.Equal(l1, fake.Departments[l2].Parent);
            Assert.Equal(l2, fake.Departments[l3].Parent);
            Assert.Equal(l2.ToString(), links.Departments["a3"].Parent);
            Assert.Equal(l3.ToString(), options.Ids.Resolve("authing:a3"));
        }

        [Fact]
        public void Department_deletes_run_children_first_and_a_parent_of_a_failed_child_is_skipped()
        {
            var fake = new FakeWeCom();
            var top = fake.AddDepartment("top", 1);
            var child = fake.AddDepartment("child", top);
            var other = fake.AddDepartment("other", 1);
            var busy = fake.AddDepartment("busy", other);
            fake.AddUser("member", "成员", busy);
            using var client = WeComClientTests.Client(fake);
            Department W(long id, long parent, int depth) => new Department { Source = DirectorySource.WeComApi, Key = id.ToString(), LinkId = id.ToString(), ParentKey = parent.ToString(), Depth = depth };
            var changes = new[] { W(top, 1, 1), W(child, top, 2), W(other, 1, 1), W(busy, other, 2) }
                .Select((d, i) => new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.Department, Key = d.Key, Current = d, Sequence = i }).ToList();
            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { DeleteGuard = new DeleteGuard { Force = true } })
                .Apply(changes, new WeComDepartmentApplier(client)).ToDictionary(r => r.Change.Key);
            Assert.Equal(Outcome.Succeeded, results[child.ToString()].Outcome);
            Assert.Equal(Outcome.Succeeded, results[top.ToString()].Outcome);
            Assert.Equal(Outcome.Failed, results[busy.ToString()].Outcome);
            Assert.Equal("60005", results[busy.ToString()].ErrorCode);
            Assert.Equal(Outcome.Skipped, results[other.ToString()].Outcome);
            Assert.True(fake.Departments.ContainsKey(other));
        }

        [Fact]
        public void Users_created_in_departments_made_earlier_in_the_run_get_the_new_ids_and_userid_from_link_field_else_username()
        {
            var fake = new FakeWeCom();
            using var client = WeComClientTests.Client(fake);
            var links = new RecordingLinkWriter();
            var options = new WeComApplyOptions { LinkWriter = links };
            var host = new RecordingHost();
            new PlanApplier(host).Apply(new[] { Create(AuthingDept("d1", "研发部", "root", 1, "1"), ObjectKind.Department, 0) }, new WeComDepartmentApplier(client, options));
            var linked = AuthingUser("u1", "zhang.san", "张三", "authing:d1");
            linked.UserId = "zhangsan";
            var plain = AuthingUser("u2", "lisi", "李四", "authing:d1", "1");
            var results = new PlanApplier(host).Apply(new[] { Create(linked, ObjectKind.User, 0), Create(plain, ObjectKind.User, 1) }, new WeComUserApplier(client, options));
            Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            string d1 = options.Ids.Resolve("authing:d1");
            Assert.True(fake.Users.ContainsKey("zhangsan"));
            Assert.True(fake.Users.ContainsKey("lisi"));
            Assert.Equal(new[] { long.Parse(d1), 1L }, fake.Users["lisi"]["department"].Select(x => (long)x));
            Assert.Equal(long.Parse(d1), (long)fake.Users["lisi"]["main_department"]);
            Assert.Equal(("zhangsan", d1), (links.Users["u1"].UserId, links.Users["u1"].Depts.Single()));
        }

        [Fact]
        public void A_user_with_no_mappable_department_or_no_valid_userid_is_reported_not_sent()
        {
            var fake = new FakeWeCom();
            using var client = WeComClientTests.Client(fake);
            var noDept = AuthingUser("u1", "zhangsan", "张三", "authing:never-created");
            var badId = AuthingUser("u2", "张三丰", "张三丰", "1");
            var noContact = AuthingUser("u3", "wangwu", "王五", "1");
            noContact.Mobile = null; noContact.Email = "";
            var results = new PlanApplier(new RecordingHost()).Apply(new[] { Create(noDept, ObjectKind.User, 0), Create(badId, ObjectKind.User, 1), Create(noContact, ObjectKind.User, 2) }, new WeComUserApplier(client));
            Assert.All(results, r => Assert.Equal(Outcome.Failed, r.Outcome));
            Assert.Equal(new[] { "department", "userid", "60129" }, results.Select(r => r.ErrorCode));
            Assert.Contains("never-created", results[0].Error);
            Assert.Equal(0, fake.Count("user/create"));
        }

        [Fact]
        public void Create_hitting_60102_links_to_the_existing_member_and_updates_it()
        {
            var fake = new FakeWeCom();
            fake.AddUser("zhangsan", "旧名字", 1);
            using var client = WeComClientTests.Client(fake);
            var links = new RecordingLinkWriter();
            var user = AuthingUser("u1", "zhangsan", "张三", "1");
            var r = new PlanApplier(new RecordingHost()).Apply(new[] { Create(user, ObjectKind.User, 0) }, new WeComUserApplier(client, new WeComApplyOptions { LinkWriter = links })).Single();
            Assert.Equal(Outcome.Succeeded, r.Outcome);
            Assert.Contains("60102", r.Error);
            Assert.Equal("张三", (string)fake.Users["zhangsan"]["name"]);
            Assert.Equal("zhangsan", links.Users["u1"].UserId);
        }

        [Fact]
        public void Create_hitting_60104_reports_the_clash_with_the_holders_userid()
        {
            var fake = new FakeWeCom();
            fake.AddUser("holder01", "持有人", 1);
            using var client = WeComClientTests.Client(fake);
            var user = AuthingUser("u1", "zhangsan", "张三", "1");
            user.Mobile = "+86 " + (string)fake.Users["holder01"]["mobile"];
            var r = new PlanApplier(new RecordingHost()).Apply(new[] { Create(user, ObjectKind.User, 0) }, new WeComUserApplier(client)).Single();
            Assert.Equal(Outcome.Failed, r.Outcome);
            Assert.Equal("60104", r.ErrorCode);
            Assert.Contains("holder01", r.Error);
            Assert.False(fake.Users.ContainsKey("zhangsan"));
        }

        [Fact]
        public void Update_sends_only_the_planned_fields_and_never_an_excluded_one()
        {
            var fake = new FakeWeCom();
            fake.AddUser("zhangsan", "张三", 1);
            using var client = WeComClientTests.Client(fake);
            var desired = AuthingUser("u1", "zhangsan", "张三丰", "1");
            desired.UserId = "zhangsan";
            desired.Position = "经理";
            var current = new User { Source = DirectorySource.WeComApi, UserId = "zhangsan", Name = "张三", Departments = new List<string> { "1" } };
            var change = new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zhangsan", Desired = desired, Current = current,
                Fields = { new FieldChange("Name", "张三", "张三丰"), new FieldChange("Mobile", null, desired.Mobile), new FieldChange("Position", null, "经理") },
            };
            var options = new WeComApplyOptions { ExcludeProperty = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "mobile" } };
            var r = new PlanApplier(new RecordingHost()).Apply(new[] { change }, new WeComUserApplier(client, options)).Single();
            Assert.Equal(Outcome.Succeeded, r.Outcome);
            var sent = fake.Writes.Single(w => w.Api == "user/update").Body;
            Assert.Equal(new[] { "userid", "name", "position" }, sent.Properties().Select(p => p.Name));
        }

        [Theory]
        [InlineData(Gender.Unknown, null)]
        [InlineData(Gender.Male, "1")]
        [InlineData(Gender.Female, "2")]
        public void Gender_is_sent_as_1_or_2_and_left_out_when_unknown_on_create_and_update(Gender gender, string expected)
        {
            // user/create and user/update define only 1 and 2 (document/path/90195, /90197); "0" is what reads answer.
            var fake = new FakeWeCom();
            fake.AddUser("lisi", "李四", 1);
            using var client = WeComClientTests.Client(fake);
            var created = AuthingUser("u1", "zhangsan", "张三", "1");
            created.Gender = gender;
            var updated = AuthingUser("u2", "lisi", "李四", "1");
            updated.UserId = "lisi";
            updated.Gender = gender;
            var update = new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "lisi", Desired = updated,
                Current = new User { Source = DirectorySource.WeComApi, UserId = "lisi", Name = "李四", Departments = new List<string> { "1" } },
                Fields = { new FieldChange("Gender", Gender.Female == gender ? Gender.Male : Gender.Female, gender), new FieldChange("Position", null, "经理") },
            };
            updated.Position = "经理";
            var results = new PlanApplier(new RecordingHost()).Apply(new[] { Create(created, ObjectKind.User, 0), update }, new WeComUserApplier(client));
            Assert.All(results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            foreach (var api in new[] { "user/create", "user/update" })
            {
                var body = fake.Writes.Single(w => w.Api == api).Body;
                Assert.Equal(expected, (string)body["gender"]);
                if (expected == null) Assert.False(body.ContainsKey("gender"));
            }
        }

        [Fact]
        public void Deletes_go_through_batchdelete_in_batches_of_200_and_a_failing_batch_is_split_to_find_the_bad_userid()
        {
            var fake = new FakeWeCom();
            for (int i = 0; i < 250; i++) fake.AddUser("u" + i, "用户" + i, 1);
            fake.BadUserIds.Add("u123");
            using var client = WeComClientTests.Client(fake);
            var changes = Enumerable.Range(0, 250).Select(i => new Change
            {
                Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "u" + i, Sequence = i,
                Current = new User { Source = DirectorySource.WeComApi, UserId = "u" + i },
            }).ToList();
            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { DeleteGuard = new DeleteGuard { Force = true } }).Apply(changes, new WeComUserApplier(client));
            Assert.Equal(249, results.Count(r => r.Outcome == Outcome.Succeeded));
            var bad = results.Single(r => r.Outcome == Outcome.Failed);
            Assert.Equal("u123", bad.Change.Key);
            Assert.Equal("40003", bad.ErrorCode);
            Assert.All(fake.Writes.Where(w => w.Api == "user/batchdelete"), w => Assert.True(w.Body["useridlist"].Count() <= 200));
            Assert.Single(fake.Users);
            Assert.True(fake.Count("user/batchdelete") < 30); // halving: about 2·log2(200) calls, not one per user
        }

        [Fact]
        public void Deletes_beyond_the_guard_stop_before_any_write()
        {
            var fake = new FakeWeCom();
            for (int i = 0; i < 10; i++) fake.AddUser("u" + i, "用户" + i, 1);
            using var client = WeComClientTests.Client(fake);
            var changes = Enumerable.Range(0, 5).Select(i => new Change
            {
                Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "u" + i, Sequence = i,
                Current = new User { Source = DirectorySource.WeComApi, UserId = "u" + i }, Plan = new PlanContext { TargetCount = 10, DeleteCount = 5 },
            }).ToList();
            var applier = new PlanApplier(new RecordingHost(), new ApplyOptions { DeleteGuard = new DeleteGuard { MaxDelete = 3 } });
            Assert.Throws<DeleteGuardException>(() => applier.Apply(changes, new WeComUserApplier(client)));
            Assert.Equal(0, fake.WriteCalls);
        }

        [Fact]
        public void WhatIf_makes_zero_write_calls()
        {
            var fake = new FakeWeCom();
            using var client = WeComClientTests.Client(fake);
            var host = new RecordingHost { Decide = (_, __) => false };
            var results = new PlanApplier(host).Apply(new[] { Create(AuthingDept("d1", "研发部", null, 1), ObjectKind.Department, 0) }, new WeComDepartmentApplier(client));
            Assert.Empty(results);
            Assert.Single(host.Prompts);
            Assert.Equal(0, fake.WriteCalls);
            Assert.Equal(0, fake.Count("gettoken"));
        }
    }
}
