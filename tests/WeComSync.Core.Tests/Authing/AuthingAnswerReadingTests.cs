using System.Net;
using WeComSync.Authing;
using WeComSync.Http;
using Xunit;

namespace WeComSync.Tests.Authing
{
    /// <summary>Successful answers read straight into their data type (no JSON tree first); every other answer judged as before.</summary>
    public sealed class AuthingAnswerReadingTests
    {
        [Fact]
        public void A_list_users_page_is_read_straight_into_the_page_with_custom_data_and_other_fields()
        {
            const string body = "{\"statusCode\":200,\"message\":\"\",\"data\":{\"totalCount\":2,\"list\":[" +
                "{\"userId\":\"u1\",\"username\":\"a\",\"customData\":{\"wechatwork_user_id\":\"a\"},\"departmentIds\":[\"d1\"],\"givenName\":\"三\"}," +
                "{\"userId\":\"u2\",\"username\":\"b\"}]}}";
            var page = AuthingClient.InterpretData<AuthingPage<AuthingUserDto>>("list-users", HttpStatusCode.OK, body);
            Assert.Equal(2, page.TotalCount);
            Assert.Equal(new[] { "u1", "u2" }, page.List.ConvertAll(u => u.UserId));
            Assert.Equal("a", AuthingJson.Text(page.List[0].CustomData, "wechatwork_user_id"));
            Assert.Equal("三", page.List[0].TextOf("givenName"));
            Assert.Equal(new[] { "d1" }, page.List[0].DepartmentIds);
        }

        [Theory]
        [InlineData("{\"statusCode\":200,\"data\":[{\"userId\":\"u1\"},{\"userId\":\"u2\"}]}")]
        [InlineData("{\"statusCode\":200,\"data\":{\"list\":[{\"userId\":\"u1\"},{\"userId\":\"u2\"}],\"totalCount\":2}}")]
        public void A_batch_answer_holds_its_users_as_an_array_or_in_list(string body)
        {
            var users = AuthingClient.InterpretData<AuthingUserList>("create-users-batch", HttpStatusCode.OK, body);
            Assert.Equal(new[] { "u1", "u2" }, users.Users.ConvertAll(u => u.UserId));
        }

        [Fact]
        public void A_refusal_read_for_data_is_still_thrown_with_its_table_row()
        {
            var e = Assert.Throws<ApiException>(() => AuthingClient.InterpretData<AuthingUserList>("create-users-batch", HttpStatusCode.OK,
                "{\"statusCode\":402,\"message\":\"upgrade\",\"apiCode\":1234}"));
            Assert.True(e.Is(AuthingErrorCodes.PaymentRequired));
            Assert.True(e.StopsRun);
            Assert.Equal("402/1234", e.Code);
        }

        [Fact]
        public void An_answer_that_is_not_the_services_JSON_is_judged_by_its_HTTP_status()
        {
            var e = Assert.Throws<ApiException>(() => AuthingClient.InterpretData<AuthingUserList>("list-users", (HttpStatusCode)413, "<html>413 Request Entity Too Large</html>"));
            Assert.Equal("http:413", e.Code);
            Assert.True(AuthingClient.IsPayloadTooLarge(e));
            Assert.True(AuthingClient.IsSizeRefusal(e));
        }
    }
}
