using System;
using System.Linq;
using WeComSync.Authing;
using WeComSync.Http;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Http
{
    /// <summary>An error carries its row of the service's table: callers ask by name (e.Is, e.Class), never by code text.</summary>
    public class ApiExceptionTests
    {
        [Theory]
        [InlineData(WeComErrorCodes.SystemBusy, ApiErrorClass.Throttled)]
        [InlineData(WeComErrorCodes.FrequencyLimited, ApiErrorClass.Blocked)]
        [InlineData(WeComErrorCodes.ConcurrencyLimited, ApiErrorClass.Throttled)]
        public void A_copied_throttled_or_blocked_WeCom_error_keeps_its_class_row_and_block(int code, ApiErrorClass expected)
        {
            var original = WeComErrors.Create("user/get", code, "refused", TimeSpan.FromMinutes(1));
            original.StopsRun = true;
            var copy = original.At("user/get of zhangsan");

            Assert.Equal(expected, copy.Class);
            Assert.True(copy.Is(code));
            Assert.Same(original.Error, copy.Error);
            Assert.Equal(original.RetryAfter, copy.RetryAfter);
            Assert.Equal(original.LongerBlock, copy.LongerBlock);
            Assert.True(copy.StopsRun);
            Assert.Equal(original.RecommendedAction, copy.RecommendedAction);
            Assert.Equal("user/get of zhangsan", copy.Endpoint);
            Assert.Same(original, copy.InnerException);
        }

        [Fact]
        public void A_copied_Authing_429_stays_throttled()
        {
            var original = new ApiException("Authing", "list-users", "429", "too many requests", AuthingErrorCodes.Find(AuthingErrorCodes.TooManyRequests));
            var copy = original.At("list-users page 7");
            Assert.Equal(ApiErrorClass.Throttled, copy.Class);
            Assert.True(copy.IsBackPressure);
            Assert.True(copy.Is(AuthingErrorCodes.TooManyRequests));
        }

        [Fact]
        public void Is_matches_the_row_not_the_code_text()
        {
            var e = WeComErrors.Create("user/create", WeComErrorCodes.UserIdExists, "userid existed", TimeSpan.FromMinutes(1));
            Assert.True(e.Is(WeComErrorCodes.UserIdExists));
            Assert.False(e.Is(WeComErrorCodes.MobileExists));

            // An Authing envelope code with an apiCode ("409/2004") is still the 409 row.
            var conflict = new ApiException("Authing", "create-user", "409/2004", "exists", AuthingErrorCodes.Find(AuthingErrorCodes.Conflict));
            Assert.True(conflict.Is(AuthingErrorCodes.Conflict));

            // No row (no answer, not the service's JSON): no code matches, the class alone says how to treat it.
            var transport = new ApiException("WeCom", "user/get", "http:404", "not found", ApiErrorClass.PerObject);
            Assert.Null(transport.Error);
            Assert.False(transport.Is(404));
        }

        [Fact]
        public void Fatal_transient_and_not_allowed_follow_the_class_in_one_place()
        {
            foreach (var row in WeComErrorCodes.All.Concat(AuthingErrorCodes.All))
            {
                var e = new ApiException("X", "api", row.Code.ToString(), "m", row);
                Assert.Equal(row.Class.IsFatal(), e.IsFatal);
                Assert.Equal(row.Class.IsTransient(), e.IsTransient);
                Assert.Equal(row.Class == ApiErrorClass.Credentials || row.Class == ApiErrorClass.Forbidden, e.IsFatal);
                Assert.Equal(row.RenewsToken, e.RenewsToken);
            }
        }

        [Fact]
        public void One_mapping_to_an_error_a_WeCom_block_not_waited_out_says_when_it_lifts_once()
        {
            var e = WeComErrors.Create("user/create", WeComErrorCodes.FrequencyLimited, "api freq out of limit", TimeSpan.FromMinutes(1));
            e.RetryAt = new DateTimeOffset(2026, 12, 8, 3, 4, 5, TimeSpan.Zero);
            var error = OutputError.FromApi(e);
            Assert.Equal("WeComApi45009", error.ErrorId);
            Assert.Equal("user/create", error.Target);
            Assert.Same(e, error.Exception);
            Assert.Equal(e.Summary, error.Message);   // what happened; the advice is apart, once
            Assert.DoesNotContain(e.RecommendedAction ?? "\0", error.Message);
            string at = $"Run it again after {e.RetryAt.Value.ToLocalTime():HH:mm:ss}.";
            Assert.EndsWith(at, error.RecommendedAction);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(error.RecommendedAction, "Run it again after"));
            // Given again (a second mapping of the same error), the time is not added twice.
            var again = new ApiException("WeCom", "user/create", "45009", "limit", ApiErrorClass.Blocked, error.RecommendedAction) { RetryAt = e.RetryAt };
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(OutputError.FromApi(again).RecommendedAction, "Run it again after"));
        }

        [Fact]
        public void One_mapping_to_an_error_an_Authing_code_with_an_api_code_its_target_and_no_secret()
        {
            Redaction.Register("sk-not-to-be-seen-0001");
            var e = new ApiException("Authing", "create-user", "409/2004", "exists for sk-not-to-be-seen-0001", AuthingErrorCodes.Find(AuthingErrorCodes.Conflict));
            var error = OutputError.FromApi(e, "zhangsan");
            Assert.Equal("Authing409_2004", error.ErrorId);
            Assert.Equal("zhangsan", error.Target);
            Assert.DoesNotContain("sk-not-to-be-seen-0001", error.Message);
            Assert.Equal(e.RecommendedAction, error.RecommendedAction);
            // No advice in the table: the message is the whole text, no advice.
            var bare = new ApiException("Authing", "list-users", "http:418", "teapot", ApiErrorClass.PerObject);
            Assert.Equal(bare.Message, OutputError.FromApi(bare).Message);
            Assert.Null(OutputError.FromApi(bare).RecommendedAction);
        }
    }
}
