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
    }
}
