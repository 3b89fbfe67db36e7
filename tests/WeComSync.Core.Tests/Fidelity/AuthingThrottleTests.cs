using System.Threading.Tasks;
using WeComSync.Http;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>Authing throttles with a bare HTTP 429 and also with HTTP 200 carrying statusCode 429 in the envelope (issue 11).</summary>
    public sealed class AuthingThrottleTests : FidelityTestBase
    {
        [Theory]
        [InlineData("throttle")]
        [InlineData("throttle-envelope")]
        public async Task Throttling_in_either_form_is_retried(string kind)
        {
            using var client = Authing();
            await client.GetTokenAsync(None);
            await ControlAsync("faults", $"{{\"api\":\"authing\",\"path\":\"/api/v3/list-users\",\"kind\":\"{kind}\",\"count\":2}}");
            var page = await client.ListUsersAsync(1, 10, null, None);
            Assert.NotNull(page);
            Assert.Equal(3, Calls("/api/v3/list-users"));
        }

        [Fact]
        public async Task Throttling_that_outlasts_the_retries_is_a_retryable_error_not_a_data_error()
        {
            using var client = Authing();
            await client.GetTokenAsync(None);
            await ControlAsync("faults", "{\"api\":\"authing\",\"path\":\"/api/v3/list-users\",\"kind\":\"throttle-envelope\"}");
            var e = await Assert.ThrowsAsync<ApiException>(() => client.ListUsersAsync(1, 10, null, None));
            Assert.Equal("429", e.Code);
            Assert.Equal(ApiErrorClass.Throttled, e.Class);
            Assert.True(e.IsBackPressure);
            Assert.Contains("CallsPerMinute", e.RecommendedAction);
        }
    }
}
