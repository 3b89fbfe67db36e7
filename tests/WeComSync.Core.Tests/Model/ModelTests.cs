using System.Collections;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Model
{
    public class ModelTests
    {
        [Fact]
        public void New_user_has_every_field_unknown_not_empty()
        {
            var user = new User();
            Assert.Null(user.Mobile);
            Assert.Null(user.Departments);
            Assert.Null(user.Gender);
            Assert.Empty(user.Extra);
        }

        [Fact]
        public void User_reads_as_userid_and_name()
        {
            Assert.Equal("zhangsan (张三)", new User { UserId = "zhangsan", Name = "张三" }.ToString());
            Assert.Equal("lisi", new User { UserId = "lisi" }.ToString());
        }

        [Fact]
        public void Extra_is_a_dictionary_by_name_kept_in_slots_where_null_is_no_value()
        {
            var user = new User { Extra = { ["工号"] = "A1", ["入职日期"] = "2024-01-01" } };
            user.Extra["备注"] = "";                      // known empty is a value
            Assert.Equal(3, user.Extra.Count);
            Assert.Equal("A1", user.Extra["工号"]);
            Assert.True(user.Extra.TryGetValue("备注", out var empty) && empty == "");
            Assert.False(user.Extra.ContainsKey("工號"));   // names compare ordinally
            Assert.Throws<KeyNotFoundException>(() => user.Extra["never-met-" + System.Guid.NewGuid()]);
            Assert.False(user.Extra.ContainsKey("never-met-" + System.Guid.NewGuid())); // a lookup takes no slot

            user.Extra["入职日期"] = null;                 // null is unknown: the name goes
            Assert.Equal(2, user.Extra.Count);
            Assert.False(user.Extra.ContainsKey("入职日期"));
            // Export-Csv's text; names come in the order the process first met them (another test may have met 备注 first).
            Assert.Contains(user.Extra.ToString(), new[] { "工号=A1; 备注=", "备注=; 工号=A1" });
            Assert.Throws<System.ArgumentException>(() => user.Extra.Add("工号", "A2"));

            // PowerShell sees a plain dictionary (Format-List, $u.Extra.工号, Export-Clixml's <DCT>).
            var plain = (IDictionary)user.Extra;
            Assert.Equal("A1", plain["工号"]);
            Assert.Null(plain["absent"]);
            Assert.Equal(new[] { "备注", "工号" }, plain.Keys.Cast<string>().OrderBy(k => k, System.StringComparer.Ordinal));
        }

        [Fact]
        public void Extra_is_copied_on_set_and_on_clone_and_read_by_a_mapped_field_through_its_slot()
        {
            var given = new Dictionary<string, string> { ["工号"] = "A1" };
            var user = new User { Extra = given };
            given["工号"] = "changed";
            Assert.Equal("A1", user.Extra["工号"]);       // the setter keeps a copy

            var clone = user.Clone();
            clone.Extra["工号"] = "B1";
            Assert.Equal("A1", user.Extra["工号"]);

            var field = UserFields.For(UserFieldDefinition.Mapped("工号"));
            Assert.Equal("A1", field.Get(user));
            field.Set(user, "A2");
            Assert.Equal("A2", user.Extra["工号"]);
            field.Set(user, null);
            Assert.False(user.Extra.ContainsKey("工号"));
            Assert.False(field.IsKnown(user));

            user.Extra = null;                           // null empties
            Assert.Empty(user.Extra);
        }
    }
}
