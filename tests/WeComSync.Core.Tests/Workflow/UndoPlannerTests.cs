using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>Each inverse an undo plans from a before-image, and the phase (order) it is applied in.</summary>
    public sealed class UndoPlannerTests
    {
        private const string Run = "20240101-020000-upstream-abc123";

        private static User Held(string id, string mobile = "+86 13700000001") => new User
        {
            UserId = id, Username = id, SourceId = "au-" + id, Name = "张三", Mobile = mobile, Email = id + "@example.com",
            Departments = new List<string> { "公司/研发部" }, Enabled = true, Source = DirectorySource.Authing,
        };

        private static UndoItem Inverse(BeforeImage image, DeleteAction action = DeleteAction.Delete, string service = "Authing") =>
            UndoPlanner.Inverse(image, service, action, Run);

        [Fact]
        public void An_update_writes_back_the_old_values_of_the_fields_it_wrote_and_expects_what_it_wrote()
        {
            var before = Held("zhangsan");
            var after = Held("zhangsan", "+86 13900000009");
            var item = Inverse(new BeforeImage
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zhangsan", Before = before, After = after,
                Fields = { new FieldChange("Mobile", "+86 13700000001", "+86 13900000009") },
            });

            var change = item.Change;
            Assert.Equal((ChangeOperation.Update, UndoPhase.Users), (change.Operation, item.Phase));
            var field = Assert.Single(change.Fields);
            Assert.Equal(("Mobile", "+86 13900000009", "+86 13700000001"), (field.Field, (string)field.Old, (string)field.New));
            Assert.Equal("+86 13900000009", ((User)change.Current).Mobile);   // what the drift check expects: the run's value
            Assert.Equal("+86 13700000001", ((User)change.Desired).Mobile);
            Assert.Equal("au-zhangsan", change.Current.SourceId);
            Assert.Equal(before.Email, ((User)change.Current).Email);           // the rest of the object as it was
            Assert.Contains("undo of run " + Run, change.Reason);
        }

        [Fact]
        public void A_create_is_deleted_by_the_id_it_recorded_or_suspended_with_DeleteAction_Suspend()
        {
            var image = new BeforeImage { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "lisi", NewId = "au-new", After = Held("lisi") };

            var delete = Inverse(image).Change;
            Assert.Equal(ChangeOperation.Delete, delete.Operation);
            Assert.Equal("au-new", delete.Current.SourceId);

            var suspend = Inverse(image, DeleteAction.Suspend).Change;
            Assert.Equal(ChangeOperation.Suspend, suspend.Operation);
            Assert.Equal("au-new", suspend.Current.SourceId);

            // Without the id the target gave it, there is nothing safe to delete.
            Assert.NotNull(Inverse(new BeforeImage { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "x", After = Held("x") }).Cannot);
            // In WeCom the userid is the id.
            Assert.Equal(ChangeOperation.Delete, Inverse(new BeforeImage { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "x", After = Held("x") }, service: "WeCom").Change.Operation);
        }

        [Fact]
        public void A_suspend_is_reactivated_and_a_delete_re_created_from_the_before_image_saying_what_cannot_come_back()
        {
            var reactivate = Inverse(new BeforeImage { Operation = ChangeOperation.Suspend, Kind = ObjectKind.User, Key = "wangwu", Before = Held("wangwu") }).Change;
            Assert.Equal(ChangeOperation.Update, reactivate.Operation);
            Assert.Equal(("Enabled", false, true), (reactivate.Fields.Single().Field, reactivate.Fields.Single().Old, reactivate.Fields.Single().New));
            Assert.False(((User)reactivate.Current).Enabled);

            var item = Inverse(new BeforeImage { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "zhaoliu", Before = Held("zhaoliu") });
            var create = item.Change;
            Assert.Equal(ChangeOperation.Create, create.Operation);
            var again = (User)create.Desired;
            Assert.Equal(("zhaoliu", "+86 13700000001", "zhaoliu@example.com", null), (again.UserId, again.Mobile, again.Email, again.SourceId));
            Assert.Equal(new[] { "公司/研发部" }, again.Departments);
            Assert.Contains("new Authing user id", item.NotRestored);
            Assert.Contains("MFA", create.Reason);
            Assert.Contains("same userid", Inverse(new BeforeImage { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "zhaoliu", Before = Held("zhaoliu") }, service: "WeCom").NotRestored);
        }

        [Fact]
        public void A_field_the_target_did_not_show_before_cannot_be_written_back_and_is_named()
        {
            var before = Held("zhangsan");
            before.Mobile = null;   // withheld: unknown, not empty
            var item = Inverse(new BeforeImage
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zhangsan", Before = before, After = Held("zhangsan", "+86 13900000009"),
                Fields = { new FieldChange("Mobile", null, "+86 13900000009") },
            });
            Assert.Null(item.Change);
            Assert.Contains("Mobile", item.Cannot);
        }

        [Fact]
        public void Departments_renamed_back_after_the_users_created_ones_removed_last_deleted_ones_made_again_first()
        {
            var before = new Department { Key = "d1", SourceId = "d1", Name = "销售部", LinkId = "公司/销售部", ParentLinkId = "公司" };
            var after = new Department { Key = "公司/市场部", Name = "市场部", LinkId = "公司/市场部", ParentLinkId = "公司" };
            var rename = Inverse(new BeforeImage
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.Department, Key = "公司/市场部", Before = before, After = after,
                Fields = { new FieldChange("Name", "销售部", "市场部"), new FieldChange("LinkId", "公司/销售部", "公司/市场部") },
            });
            Assert.Equal((ChangeOperation.Update, UndoPhase.RenameDepartments), (rename.Change.Operation, rename.Phase));
            Assert.Equal(("市场部", "公司/市场部"), (((Department)rename.Change.Current).Name, ((Department)rename.Change.Current).LinkId));
            Assert.Equal(("销售部", "公司/销售部"), (((Department)rename.Change.Desired).Name, ((Department)rename.Change.Desired).LinkId));

            var created = Inverse(new BeforeImage { Operation = ChangeOperation.Create, Kind = ObjectKind.Department, Key = "公司/新部门", NewId = "d9", After = new Department { Key = "公司/新部门", Name = "新部门" } });
            Assert.Equal((ChangeOperation.Delete, UndoPhase.RemoveDepartments, "d9"), (created.Change.Operation, created.Phase, created.Change.Current.SourceId));

            var deleted = Inverse(new BeforeImage { Operation = ChangeOperation.Delete, Kind = ObjectKind.Department, Key = "公司/旧部门", Before = new Department { Key = "d5", SourceId = "d5", Name = "旧部门", LinkId = "公司/旧部门" } });
            Assert.Equal((ChangeOperation.Create, UndoPhase.RestoreDepartments), (deleted.Change.Operation, deleted.Phase));

            var moved = Inverse(new BeforeImage
            {
                Operation = ChangeOperation.Move, Kind = ObjectKind.Department, Key = "公司/甲/组", Before = new Department { Key = "d7", SourceId = "d7", Name = "组", LinkId = "公司/乙/组", ParentLinkId = "公司/乙" },
                After = new Department { Key = "公司/甲/组", Name = "组", LinkId = "公司/甲/组", ParentLinkId = "公司/甲" },
                Fields = { new FieldChange("ParentKey", "公司/乙", "公司/甲") },
            });
            Assert.Equal((ChangeOperation.Move, UndoPhase.RenameDepartments, "公司/乙"), (moved.Change.Operation, moved.Phase, ((Department)moved.Change.Desired).ParentLinkId));

            // Made again first, then the users, then renamed and moved back, then the created ones removed.
            Assert.Equal(new[] { UndoPhase.RestoreDepartments, UndoPhase.Users, UndoPhase.RenameDepartments, UndoPhase.RemoveDepartments },
                new[] { deleted.Phase, UndoPhase.Users, rename.Phase, created.Phase }.OrderBy(p => p));
        }
    }
}
