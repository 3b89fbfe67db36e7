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
    }
}
