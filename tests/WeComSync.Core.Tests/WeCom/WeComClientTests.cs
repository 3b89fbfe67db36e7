using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.WeCom
{
    public class WeComClientTests
    {
        internal static WeComClient Client(FakeWeCom fake, WeComAppMode mode = WeComAppMode.AddressBookSync, string secret = FakeWeCom.Secret, string corp = null) =>
            new WeComClient(new WeComConnectionSettings
            {
                // A corp id per test keeps the process-wide token cache from leaking tokens between fakes.
                CorpId = corp ?? FakeWeCom.CorpId, Secret = secret, AppMode = mode, ApiHost = new Uri("http://127.0.0.1:9/" + Guid.NewGuid().ToString("N") + "/"),
                Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), MaxWait = TimeSpan.FromMilliseconds(200), RateWindow = TimeSpan.FromMilliseconds(100) },
            }, fake);

        [Fact]
        public async Task Token_is_fetched_once_and_cached_across_calls()
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            await client.ListDepartmentIdsAsync(CancellationToken.None);
            await client.ListDepartmentIdsAsync(CancellationToken.None);
            await client.ListUserIdsPageAsync(null, 10, CancellationToken.None);
            Assert.Equal(1, fake.Count("gettoken"));
            Assert.Equal(2, fake.Count("department/simplelist"));
        }

        [Fact]
        public async Task Token_invalidated_mid_run_is_refreshed_and_the_call_retried_once()
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            await client.ListDepartmentIdsAsync(CancellationToken.None);
            fake.InvalidateTokens();
            var ids = await client.ListDepartmentIdsAsync(CancellationToken.None);
            Assert.Single(ids);
            Assert.Equal(2, fake.Count("gettoken"));
            Assert.Equal(1, client.TokenRefreshes);
        }

        [Theory]
        [InlineData(42001)]
        [InlineData(40001)]
        public async Task Expired_or_reset_token_codes_refresh_once_but_not_forever(int code)
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            fake.Fail("department/simplelist", code, "token problem", times: 2);
            var e = await Assert.ThrowsAsync<ApiException>(() => client.ListDepartmentIdsAsync(CancellationToken.None));
            Assert.Equal(code.ToString(), e.Code);
            Assert.Equal(2, fake.Count("department/simplelist")); // the call and exactly one retry
        }

        [Fact]
        public async Task Wrong_secret_fails_with_40001_explained_and_the_secret_never_in_the_message()
        {
            var fake = new FakeWeCom();
            using var client = Client(fake, secret: "wrong-secret-987654");
            var e = await Assert.ThrowsAsync<ApiException>(() => client.ListDepartmentIdsAsync(CancellationToken.None));
            Assert.Equal("40001", e.Code);
            Assert.Contains("secret", e.RecommendedAction);
            Assert.DoesNotContain("wrong-secret-987654", e.Message);
            Assert.Equal(1, fake.Count("gettoken"));
        }

        [Theory]
        [InlineData(60020, "trusted IP")]
        [InlineData(48009, "export")]
        [InlineData(48002, "address-book sync")]
        [InlineData(40013, "corp id")]
        [InlineData(40091, "corp id")]
        public async Task Admin_errors_60020_48009_48002_and_bad_credentials_are_explained(int code, string hint)
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            fake.Fail("department/simplelist", code);
            var e = await Assert.ThrowsAsync<ApiException>(() => client.ListDepartmentIdsAsync(CancellationToken.None));
            Assert.Equal(code.ToString(), e.Code);
            Assert.False(e.IsTransient);
            Assert.Contains(hint, e.RecommendedAction);
        }

        [Fact]
        public async Task System_busy_minus_1_and_45033_are_retried()
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            fake.Fail("department/simplelist", -1);
            fake.Fail("department/simplelist", 45033);
            var ids = await client.ListDepartmentIdsAsync(CancellationToken.None);
            Assert.Single(ids);
            Assert.Equal(3, fake.Count("department/simplelist"));
        }

        [Fact]
        public async Task System_busy_is_retried_at_most_3_times()
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            fake.Fail("department/simplelist", -1, times: 10);
            var e = await Assert.ThrowsAsync<ApiException>(() => client.ListDepartmentIdsAsync(CancellationToken.None));
            Assert.Equal("-1", e.Code);
            Assert.Equal(4, fake.Count("department/simplelist"));
        }

        [Fact]
        public void Frequency_limit_45009_blocks_a_minute_from_the_hit_or_an_hour_when_it_has_not_lifted()
        {
            // 90312/90454: a minute-level hit blocks 60 s, an hour-level hit 60 min, both counted from the hit (not natural minutes).
            var e = WeComErrors.Create("user/create", 45009, "api freq out of limit", TimeSpan.FromMinutes(1));
            Assert.True(e.IsTransient);
            Assert.Equal(ApiErrorClass.Blocked, e.Class);
            Assert.InRange(e.RetryAfter.Value.TotalSeconds, 60, 61);
            Assert.InRange(e.LongerBlock.Value.TotalMinutes, 60, 60.1);
        }

        [Fact]
        public async Task Frequency_limit_45009_is_retried_after_the_window_when_it_fits_MaxWait()
        {
            var fake = new FakeWeCom();
            using var client = Client(fake);
            fake.Fail("department/simplelist", 45009);
            var ids = await client.ListDepartmentIdsAsync(CancellationToken.None);
            Assert.Single(ids);
            Assert.Equal(2, fake.Count("department/simplelist"));
        }

        [Theory]
        [InlineData("mobile existed:zhangsan", "zhangsan")]
        [InlineData("mobile existed, holder userid: li.si", "li.si")]
        [InlineData("mobile existed", null)]
        public void Holder_of_a_mobile_is_read_from_60104(string errmsg, string holder) =>
            Assert.Equal(holder, WeComErrors.HolderOf(errmsg));
    }
}
