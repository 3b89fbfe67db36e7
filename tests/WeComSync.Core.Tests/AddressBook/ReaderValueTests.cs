using System.Collections.Generic;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.Model;
using Xunit;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    public class ReaderValueTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public ReaderValueTests(ExportFixture files) => _files = files;

        private User One(string name, Dictionary<string, object> member)
        {
            var (users, problems, _) = Read(_files.Write(name, Sheet(member)));
            Assert.Empty(problems);
            return Assert.Single(users);
        }

        [Fact]
        public void Mobile_stored_as_a_number_is_read_as_text_never_scientific()
        {
            var u = One("number.xlsx", Member("张三", "zs", mobile: 13800000000d));
            Assert.Equal("+86 13800000000", u.Mobile);
            Assert.DoesNotContain("E", u.Mobile);
        }

        [Theory]
        [InlineData("13800000000", "+86 13800000000")]
        [InlineData("+85259001234", "+852 59001234")]
        [InlineData("+1 4155550100", "+1 4155550100")]
        [InlineData(" 138 0000 0000\u3000", "+86 13800000000")]
        public void Domestic_numbers_get_plus_86_and_international_ones_are_kept(string cell, string expected)
        {
            var u = One("mobile-" + expected.Replace(" ", "").Replace("+", "") + ".xlsx", Member("张三", "zs", mobile: cell));
            Assert.Equal(expected, u.Mobile);
        }

        [Fact]
        public void Multi_department_cells_split_on_full_width_and_ascii_semicolons_first_is_main()
        {
            var u = One("multi.xlsx", Member("张三", "zs", "公司/研发部/后端组；公司/产品部; 公司/运营部 / 华东区；公司/产品部"));
            Assert.Equal(new[] { "公司/研发部/后端组", "公司/产品部", "公司/运营部/华东区" }, u.Departments);
        }

        [Theory]
        [InlineData("男", Gender.Male)]
        [InlineData("女", Gender.Female)]
        [InlineData("", Gender.Unknown)]
        public void Gender_words_map_to_the_model(string cell, Gender expected)
        {
            var u = One("gender-" + (int)expected + ".xlsx", Member("张三", "zs", more: ("性别", cell)));
            Assert.Equal(expected, u.Gender);
        }

        [Theory]
        [InlineData("已激活", "启用", UserStatus.Active, true, "已激活/启用")]
        [InlineData("未激活", "启用", UserStatus.NotActivated, true, "未激活/启用")]
        [InlineData("已激活", "禁用", UserStatus.Disabled, false, "已激活/禁用")]
        [InlineData("已退出", "", UserStatus.Left, null, "已退出")]
        [InlineData("某种新状态", "", UserStatus.Unknown, null, "某种新状态")]
        public void Status_words_are_mapped_and_the_raw_text_kept(string activation, string disabled, UserStatus status, bool? enabled, string text)
        {
            var u = One("status-" + activation.GetHashCode() + disabled.GetHashCode() + ".xlsx", Member("张三", "zs", more: new[] { ("激活状态", (object)activation), ("禁用状态", disabled) }));
            Assert.Equal(status, u.Status);
            Assert.Equal(enabled, u.Enabled);
            Assert.Equal(text, u.StatusText);
        }

        [Fact]
        public void Old_colon_new_in_the_account_is_a_rename()
        {
            var u = One("rename.xlsx", Member("张三", "wx_gen_01:zhangsan"));
            Assert.Equal("zhangsan", u.UserId);
            Assert.Equal("wx_gen_01", u.PreviousUserId);
        }

        [Fact]
        public void Text_is_trimmed_including_full_width_and_invisible_spaces()
        {
            var u = One("spaces.xlsx", Member("\u3000张三 ", " zs\u00A0", " 公司 /\u3000研发部 ", more: new[] { ("职务", (object)"\u200B工程师\u3000"), ("邮箱", " zs@example.com ") }));
            Assert.Equal("张三", u.Name);
            Assert.Equal("zs", u.UserId);
            Assert.Equal("工程师", u.Position);
            Assert.Equal("zs@example.com", u.Email);
            Assert.Equal(new[] { "公司/研发部" }, u.Departments);
        }

        [Fact]
        public void Empty_department_means_the_top_department_even_when_it_comes_first()
        {
            var (users, problems, _) = Read(_files.Write("emptydept.xlsx", Sheet(Member("张三", "zs", ""), Member("李四", "ls", "星河科技/研发部"))));
            Assert.Empty(problems);
            var zs = users.Single(u => u.UserId == "zs");
            Assert.Equal(new[] { "星河科技" }, zs.Departments);
        }

        [Fact]
        public void Email_only_member_is_valid()
        {
            var u = One("emailonly.xlsx", Member("张三", "zs", mobile: "", more: ("邮箱", "zs@example.com")));
            Assert.Equal("", u.Mobile);
            Assert.Equal("zs@example.com", u.Email);
        }
    }
}
