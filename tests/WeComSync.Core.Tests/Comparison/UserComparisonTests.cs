using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Comparison
{
    public class UserComparisonTests
    {
        private static User U(string id, string name = null, string mobile = null, string email = null, params string[] depts) =>
            new User { UserId = id, Name = name, Mobile = mobile, Email = email, Departments = depts.Length == 0 ? null : depts.ToList() };

        private static Plan Compare(IEnumerable<User> s, IEnumerable<User> t, CompareOptions o = null) => DirectoryComparer.CompareUsers(s, t, o);

        private static CompareOptions Ops(PlanOperation op) => new CompareOptions { Operation = op };

        [Fact]
        public void User_only_in_reference_is_created_and_reads_like_a_plan_line()
        {
            var plan = Compare(new[] { U("zhangsan", "张三", "13800000000", null, "公司/研发部") }, new User[0]);
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Create, c.Operation);
            Assert.Equal("zhangsan", c.Key);
            Assert.Equal("+ create user zhangsan (张三) in 研发部", c.Description);
            Assert.Contains(c.Fields, f => f.Field == "Mobile" && (string)f.New == "+86 13800000000" && f.Old == null);
            Assert.Equal(1, plan.Context.CreateCount);
            Assert.Equal(1, c.Sequence);
            Assert.Same(plan.Context, c.Plan);
        }

        [Fact]
        public void Identical_directories_plan_nothing()
        {
            var s = new[] { U("a", "A", "13800000001", "a@x.cn", "d1"), U("b", "B") };
            var t = new[] { U("a", "A", "13800000001", "a@x.cn", "d1"), U("b", "B") };
            Assert.Empty(Compare(s, t, Ops(PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete)).Changes);
        }

        [Fact]
        public void Userid_link_key_is_matched_without_case()
        {
            var plan = Compare(new[] { U("ZhangSan", "张三") }, new[] { U("zhangsan", "张三") }, Ops(PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete));
            Assert.Empty(plan.Changes);
        }

        [Fact]
        public void Update_carries_field_old_new_for_every_differing_field_and_reads_like_terraform()
        {
            var plan = Compare(new[] { U("lisi", "李四", "+86 13900000000", "li@new.cn") }, new[] { U("lisi", "李四", "+86 13800000000", "li@old.cn") });
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            Assert.Equal(new[] { "Mobile", "Email" }, c.Fields.Select(f => f.Field));
            Assert.Equal("+86 13800000000", c.Fields[0].Old);
            Assert.Equal("+86 13900000000", c.Fields[0].New);
            Assert.Equal("~ update user lisi: mobile +86 13800000000 -> +86 13900000000, email li@old.cn -> li@new.cn", c.Description);
        }

        [Theory]
        [InlineData("13800000000", "+86 13800000000")]
        [InlineData("+8613800000000", "+86 13800000000")]
        [InlineData("138-0000-0000", "+86 13800000000")]
        [InlineData("0086 13800000000", "+86 13800000000")]
        public void Mobile_forms_of_one_number_are_not_a_change(string a, string b)
        {
            Assert.Empty(Compare(new[] { U("a", mobile: a) }, new[] { U("a", mobile: b) }).Changes);
        }

        [Fact]
        public void Email_case_and_blanks_are_not_a_change()
        {
            Assert.Empty(Compare(new[] { U("a", email: " Zhang.San@Acme.COM") }, new[] { U("a", email: "zhang.san@acme.com") }).Changes);
        }

        [Fact]
        public void Trimmed_text_with_full_width_and_zero_width_blanks_is_not_a_change()
        {
            Assert.Empty(Compare(new[] { U("a", name: "张三\u3000\u200B") }, new[] { U("a", name: "张三") }).Changes);
        }

        [Fact]
        public void Department_lists_compare_as_sets_with_the_main_department_significant()
        {
            Assert.Empty(Compare(new[] { U("a", null, null, null, "d1", "d2", "d3") }, new[] { U("a", null, null, null, "d1", "d3", "d2") }).Changes);
            var c = Assert.Single(Compare(new[] { U("a", null, null, null, "d2", "d1") }, new[] { U("a", null, null, null, "d1", "d2") }).Changes);
            Assert.Equal("Departments", Assert.Single(c.Fields).Field);
        }

        [Fact]
        public void After_a_downstream_run_plan_lines_name_departments_by_their_paths_not_by_WeCom_ids()
        {
            // Authing (reference) and WeCom (difference) both hold WeCom's department ids as the link; the readers attached paths.
            var authing = U("lisi", "李四", null, null, "8");
            authing.Source = DirectorySource.Authing;
            authing.DepartmentPaths = new List<string> { "示例科技/产品研发中心/一组" };
            var wecom = U("lisi", "李四", null, null, "2");
            wecom.Source = DirectorySource.WeComApi;
            wecom.DepartmentPaths = new List<string> { "示例科技/产品研发中心" };
            var update = Assert.Single(Compare(new[] { authing }, new[] { wecom }).Changes);
            Assert.Equal("~ update user lisi: departments [示例科技/产品研发中心] -> [示例科技/产品研发中心/一组]", update.Description);
            Assert.Equal(new[] { "8" }, (IEnumerable<string>)update.Fields.Single().New);   // the change itself still carries the ids
            Assert.Equal("departments [示例科技/产品研发中心] -> [示例科技/产品研发中心/一组]", update.Fields.ToString());   // Export-Csv's Fields column
            var create = Assert.Single(Compare(new[] { authing }, new User[0]).Changes);
            Assert.Equal("+ create user lisi (李四) in 产品研发中心/一组", create.Description);
        }

        [Fact]
        public void Unknown_is_not_empty_null_or_withheld_fields_never_produce_a_change()
        {
            var source = U("a", name: "A"); // mobile unknown
            var target = U("a", name: "A", mobile: "+86 13800000000", email: "a@x.cn");
            var withheldSource = U("a", name: "A", mobile: "+86 13900000000", email: "b@x.cn");
            withheldSource.WithheldFields.Add("Email");
            var withheldTarget = U("a", name: "A", mobile: "", email: "");
            withheldTarget.WithheldFields.Add("Mobile");
            Assert.Empty(Compare(new[] { source }, new[] { target }).Changes);
            var c = Compare(new[] { withheldSource }, new[] { withheldTarget }).Changes;
            Assert.Empty(c);
        }

        [Fact]
        public void Known_empty_differs_from_a_value()
        {
            var c = Assert.Single(Compare(new[] { U("a", email: "") }, new[] { U("a", email: "a@x.cn") }).Changes);
            Assert.Equal("", c.Fields.Single().New);
        }

        [Fact]
        public void Overwrite_sends_the_fields_the_target_withholds_or_holds_differently_never_one_it_holds_the_same_nor_an_unknown_one()
        {
            // Not "name 赵勇 -> 赵勇": a field the target provably holds the same writes nothing new, so it is not in the plan.
            var s = U("a", "赵勇", "13800000000", null, "d1");
            var t = U("a", "赵勇", null, null, "d2");
            t.WithheldFields.Add("Mobile");
            var c = Assert.Single(Compare(new[] { s }, new[] { t }, new CompareOptions { UpdateMode = UpdateMode.Overwrite }).Changes);
            Assert.Equal(new[] { "Mobile", "Departments" }, c.Fields.Select(f => f.Field));
            Assert.Null(c.Fields[0].Old);
            Assert.DoesNotContain("赵勇 -> 赵勇", c.Description);
        }

        [Fact]
        public void Overwrite_skips_a_pair_whose_every_field_is_known_and_the_same()
        {
            Assert.Empty(Compare(new[] { U("a", "A", "13800000000") }, new[] { U("a", "A", "+86 13800000000") }, new CompareOptions { UpdateMode = UpdateMode.Overwrite }).Changes);
        }

        [Fact]
        public void Overwrite_with_excluded_sensitive_fields_never_sends_them()
        {
            var c = Assert.Single(Compare(new[] { U("a", "A", "13800000000", "a@x.cn") }, new[] { U("a", "B") },
                new CompareOptions { UpdateMode = UpdateMode.Overwrite, ExcludeProperty = new[] { "mobile", "Email" } }).Changes);
            Assert.Equal(new[] { "Name" }, c.Fields.Select(f => f.Field));
        }

        [Fact]
        public void UpdateMode_None_plans_no_updates_but_still_creates()
        {
            var plan = Compare(new[] { U("a", "A2"), U("b", "B") }, new[] { U("a", "A") }, new CompareOptions { UpdateMode = UpdateMode.None });
            Assert.Equal(ChangeOperation.Create, Assert.Single(plan.Changes).Operation);
        }

        [Fact]
        public void Deletes_are_planned_only_when_asked_and_delete_only_plans_nothing_else()
        {
            var s = new[] { U("a", "A2"), U("b", "B") };
            var t = new[] { U("a", "A"), U("wangwu", "王五") };
            Assert.DoesNotContain(Compare(s, t).Changes, c => c.Operation == ChangeOperation.Delete);
            var plan = Compare(s, t, Ops(PlanOperation.Delete));
            var d = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Delete, d.Operation);
            Assert.Equal("- delete user wangwu (王五)", d.Description);
            Assert.Equal(2, plan.Context.TargetCount);
            Assert.Equal(1, plan.Context.DeleteCount);
        }

        [Fact]
        public void Unlinked_difference_users_are_never_deleted()
        {
            var native = new User { Username = "admin", Source = DirectorySource.Authing };
            Assert.Empty(Compare(new User[0], new[] { native }, Ops(PlanOperation.Delete)).Changes);
        }

        [Fact]
        public void Fallback_username_matches_an_unlinked_user_and_plans_the_link()
        {
            var t = new User { Username = "ZhangSan", Name = "张三", Source = DirectorySource.Authing };
            var c = Assert.Single(Compare(new[] { U("zhangsan", "张三") }, new[] { t }).Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            Assert.Equal("matched by username", c.Reason);
            var link = Assert.Single(c.Fields);
            Assert.Equal("UserId", link.Field);
            Assert.Null(link.Old);
            Assert.Equal("zhangsan", link.New);
        }

        [Fact]
        public void Fallbacks_follow_MatchBy_order_and_a_missing_fallback_creates()
        {
            var t = new User { Username = "other", Mobile = "13800000000" };
            var byMobile = Compare(new[] { U("zhangsan", mobile: "+86 13800000000") }, new[] { t }, new CompareOptions { MatchBy = new[] { MatchKey.Mobile } });
            Assert.Equal("matched by mobile", Assert.Single(byMobile.Changes).Reason);
            var noFallback = Compare(new[] { U("zhangsan", mobile: "+86 13800000000") }, new[] { t }, new CompareOptions { MatchBy = new[] { MatchKey.LinkKey } });
            Assert.Equal(ChangeOperation.Create, Assert.Single(noFallback.Changes).Operation);
        }

        [Fact]
        public void Ambiguous_fallback_is_a_conflict_with_both_candidates_never_a_guess()
        {
            var t1 = new User { Username = "x1", Email = "same@x.cn" };
            var t2 = new User { Username = "x2", Email = "SAME@x.cn" };
            var plan = Compare(new[] { U("zhangsan", email: "same@x.cn") }, new[] { t1, t2 },
                new CompareOptions { MatchBy = new[] { MatchKey.Email }, Operation = PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete });
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Equal(new DirectoryObject[] { t1, t2 }, c.Candidates);
            Assert.StartsWith("! conflict user zhangsan: ambiguous", c.Description);
            Assert.Equal(1, plan.Context.ConflictCount);
        }

        [Fact]
        public void Two_reference_users_claiming_one_unlinked_user_is_a_conflict()
        {
            var t = new User { Username = "u", Mobile = "13800000000" };
            var plan = Compare(new[] { U("a", mobile: "13800000000"), U("b", mobile: "+86 13800000000") }, new[] { t }, new CompareOptions { MatchBy = new[] { MatchKey.Mobile } });
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Equal(2, c.Candidates.Count);
        }

        [Fact]
        public void Duplicate_userids_in_reference_are_reported_not_created_and_their_namesake_is_not_deleted()
        {
            var plan = Compare(new[] { U("dup", "One"), U("DUP", "Two") }, new[] { U("dup", "Old") }, Ops(PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete));
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Equal(2, c.Candidates.Count);
        }

        [Fact]
        public void Duplicate_links_in_difference_make_the_match_ambiguous()
        {
            var plan = Compare(new[] { U("a", "A") }, new[] { U("a", "X"), U("A", "Y") }, Ops(PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete));
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Equal(2, c.Candidates.Count);
        }

        [Fact]
        public void Duplicate_links_in_difference_that_nobody_matches_are_reported_and_not_deleted()
        {
            var c = Assert.Single(Compare(new User[0], new[] { U("a", "X"), U("a", "Y") }, Ops(PlanOperation.Delete)).Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
        }

        [Fact]
        public void Reference_user_without_userid_is_a_conflict()
        {
            var c = Assert.Single(Compare(new[] { new User { Name = "nobody", Origin = "contacts.xlsx!Sheet1 row 7" } }, new User[0]).Changes);
            Assert.Equal(ChangeOperation.Conflict, c.Operation);
            Assert.Contains("row 7", c.Reason);
        }

        [Fact]
        public void Export_rename_old_new_matches_the_old_userid_and_plans_a_userid_update()
        {
            var s = U("newid", "张三");
            s.PreviousUserId = "oldid";
            var plan = Compare(new[] { s }, new[] { U("oldid", "张三") }, Ops(PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete));
            var c = Assert.Single(plan.Changes);
            Assert.Equal(ChangeOperation.Update, c.Operation);
            var f = Assert.Single(c.Fields);
            Assert.Equal(("UserId", "oldid", "newid"), (f.Field, (string)f.Old, (string)f.New));
        }

        [Fact]
        public void Export_rename_already_applied_matches_the_new_userid()
        {
            var s = U("newid", "张三");
            s.PreviousUserId = "oldid";
            Assert.Empty(Compare(new[] { s }, new[] { U("newid", "张三") }).Changes);
        }

        [Fact]
        public void Property_limits_the_compared_fields()
        {
            var c = Assert.Single(Compare(new[] { U("a", "A2", "13900000000") }, new[] { U("a", "A", "13800000000") }, new CompareOptions { Property = new[] { "Name" } }).Changes);
            Assert.Equal("Name", Assert.Single(c.Fields).Field);
        }

        [Fact]
        public void ExcludeProperty_removes_a_field_from_compare_and_from_the_created_object()
        {
            var o = new CompareOptions { ExcludeProperty = new[] { "Mobile" } };
            Assert.Empty(Compare(new[] { U("a", "A", "13900000000") }, new[] { U("a", "A", "13800000000") }, o).Changes);
            var source = U("b", "B", "13900000000");
            var create = Assert.Single(Compare(new[] { source }, new User[0], o).Changes);
            Assert.Null(((User)create.Desired).Mobile);
            Assert.DoesNotContain(create.Fields, f => f.Field == "Mobile");
            Assert.Equal("13900000000", source.Mobile); // the reference object itself is untouched
        }

        [Fact]
        public void Unknown_property_name_fails_with_the_valid_names()
        {
            var ex = Assert.Throws<ArgumentException>(() => Compare(new User[0], new User[0], new CompareOptions { Property = new[] { "Phone" } }));
            Assert.Contains("Mobile", ex.Message);
        }

        [Fact]
        public void Incomplete_read_refuses_deletes_with_the_cause_but_plans_creates()
        {
            var t = U("gone", "G");
            t.IncompleteReason = "page 3 of user/list failed";
            var plan = Compare(new[] { U("new", "N") }, new[] { t, U("gone2") }, Ops(PlanOperation.Create | PlanOperation.Delete));
            Assert.Equal(ChangeOperation.Create, Assert.Single(plan.Changes).Operation);
            Assert.Contains("the target was not read completely", plan.DeleteRefusedReason);   // hand-built users: the side named as the cmdlet names it
            Assert.Contains("page 3 of user/list failed", plan.DeleteRefusedReason);
            Assert.Contains("Fix the read (permissions", plan.DeleteRefusedReason);
            Assert.Same(t, plan.DeleteRefusedBy);
            Assert.Contains("deletes refused", plan.Summary);
        }

        [Fact]
        public void Incomplete_read_without_deletes_asked_is_not_an_error()
        {
            var s = U("a", "A");
            s.IncompleteReason = "department 5 out of scope";
            Assert.Null(Compare(new[] { s }, new User[0]).DeleteRefusedReason);
        }

        [Fact]
        public void Plan_orders_creates_updates_deletes_then_conflicts_and_counts_each()
        {
            var plan = Compare(new[] { U("c", "C"), U("u", "U2"), U("x"), U("X") }, new[] { U("u", "U"), U("d", "D") },
                Ops(PlanOperation.Create | PlanOperation.Update | PlanOperation.Delete));
            Assert.Equal(new[] { ChangeOperation.Create, ChangeOperation.Update, ChangeOperation.Delete, ChangeOperation.Conflict }, plan.Changes.Select(c => c.Operation));
            Assert.Equal(new[] { 1, 2, 3, 4 }, plan.Changes.Select(c => c.Sequence));
            Assert.Equal((1, 1, 1, 1, 4, 2), (plan.Context.CreateCount, plan.Context.UpdateCount, plan.Context.DeleteCount, plan.Context.ConflictCount, plan.Context.SourceCount, plan.Context.TargetCount));
            Assert.Equal("Plan: 1 to create, 1 to update, 0 to move, 1 to delete, 1 conflict(s) to resolve.", plan.Summary);
        }

        [Fact]
        public void Verbose_explains_each_matching_decision()
        {
            var output = new RecordingHost();
            Compare(new[] { U("a"), U("b") }, new[] { U("a"), new User { Username = "b" } }, new CompareOptions { Output = output });
            var lines = output.Verbose;
            Assert.Contains("a: matched by userid.", lines);
            Assert.Contains(lines, l => l.StartsWith("b: matched by username"));
        }
    }
}
