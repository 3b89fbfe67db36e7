using System;
using System.Diagnostics;
using System.Threading.Tasks;
using WeComSync.Http;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>
    /// WeCom 45009: a minute-level hit blocks the API for 60 s, an hour-level hit (150 000 calls/hour per API) for
    /// 60 min, both from the hit (developer.work.weixin.qq.com/document/path/90312, /90454). Scaled down: one "minute"
    /// is 0.3 s here (the client's RateWindow and the emulator's minute rule), an "hour" 60 of them.
    /// </summary>
    public sealed class FrequencyLimitTests : FidelityTestBase
    {
        private const double Minute = 0.3;
        private const string Path = "/cgi-bin/department/simplelist";

        // The minute-level test counts blocks in a sliding window: three calls must land inside one "minute" even on a
        // loaded machine, so it scales a minute to a whole second.
        private const double SlowMinute = 1.0;

        private static RetryOptions Retry(double minute = Minute) { var r = FastRetry(); r.RateWindow = TimeSpan.FromSeconds(minute); r.MaxWait = TimeSpan.FromSeconds(3); return r; }

        private Task LimitsAsync(int perMinute, int perHour, double minute = Minute) => Task.WhenAll(
            ControlAsync("limits", $"{{\"api\":\"wecom\",\"path\":\"{Path}\",\"limit\":{perMinute},\"windowSeconds\":{minute}}}"),
            ControlAsync("limits", $"{{\"api\":\"wecom\",\"path\":\"{Path}\",\"limit\":{perHour},\"windowSeconds\":{minute * 60}}}"));

        [Fact]
        public async Task A_minute_level_block_is_waited_out_once_and_the_calls_go_on()
        {
            await LimitsAsync(perMinute: 3, perHour: 1000, minute: SlowMinute);
            using var client = WeCom(Retry(SlowMinute));
            for (int i = 0; i < 7; i++) await client.ListDepartmentIdsAsync(None);
            // 7 answered calls plus one refusal per minute-level block (after the 3rd and the 6th), each waited out once.
            Assert.Equal(9, Calls(Path));
        }

        [Fact]
        public async Task An_hour_level_block_stops_the_run_at_once_saying_the_hour_from_the_hit_not_retrying_every_minute()
        {
            await LimitsAsync(perMinute: 1000, perHour: 4);
            using var client = WeCom(Retry());
            for (int i = 0; i < 4; i++) await client.ListDepartmentIdsAsync(None);
            var hit = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<ApiException>(() => client.ListDepartmentIdsAsync(None));
            Assert.True(e.StopsRun);
            Assert.Equal("45009", e.Code);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"waited {watch.Elapsed} through an hour-level block");
            // The hit and a single retry after one "minute": then the client knows it is the hour and stops.
            Assert.Equal(6, Calls(Path));
            Assert.InRange(e.RetryAt.Value, hit.AddSeconds(Minute * 60 - 0.5), hit.AddSeconds(Minute * 60 + 2));
            Assert.Contains("hourly limit", e.Message);
            var again = await Assert.ThrowsAsync<ApiException>(() => client.ListDepartmentIdsAsync(None));
            Assert.True(again.StopsRun);
            Assert.Equal(6, Calls(Path)); // not sent
        }
    }
}
