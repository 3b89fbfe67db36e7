using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using Xunit;

namespace WeComSync.Tests.Http
{
    public class ApiTransportTests
    {
        /// <summary>Answers each request with the next scripted response (or throws the scripted exception).</summary>
        private sealed class ScriptedHandler : HttpMessageHandler
        {
            private readonly Queue<Func<HttpRequestMessage, Task<HttpResponseMessage>>> _script;
            public int Calls;
            public static CancellationToken Current => _current.Value;
            private static readonly AsyncLocal<CancellationToken> _current = new AsyncLocal<CancellationToken>();
            public ScriptedHandler(params Func<HttpRequestMessage, Task<HttpResponseMessage>>[] script) => _script = new Queue<Func<HttpRequestMessage, Task<HttpResponseMessage>>>(script);
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref Calls);
                _current.Value = cancellationToken;
                return _script.Dequeue()(request);
            }
        }

        private static Func<HttpRequestMessage, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string body) =>
            _ => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });

        private static RetryOptions Fast => new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromMilliseconds(300) };

        private static ApiTransport Transport(HttpMessageHandler handler, RetryOptions options = null) =>
            new ApiTransport("WeCom", new Uri("http://127.0.0.1:1/"), options ?? Fast, handler);

        private static string Interpret(HttpStatusCode status, string body) =>
            body == "busy" ? throw new ApiException("WeCom", "x", "-1", "system busy", ApiErrorClass.Throttled)
            : body == "bad" ? throw new ApiException("WeCom", "x", "60102", "userid existed", ApiErrorClass.PerObject)
            : body;

        private static HttpRequestMessage Get() => new HttpRequestMessage(HttpMethod.Get, "cgi-bin/user/get?access_token=SECRET-TOKEN-123&userid=a");

        [Fact]
        public async Task Transient_5xx_and_api_busy_are_retried_until_success()
        {
            var handler = new ScriptedHandler(Answer(HttpStatusCode.BadGateway, "oops"), Answer(HttpStatusCode.OK, "busy"), Answer(HttpStatusCode.OK, "done"));
            using var transport = Transport(handler);
            Assert.Equal("done", await transport.SendAsync("user/get", Get, Interpret, CancellationToken.None));
            Assert.Equal(3, handler.Calls);
            Assert.Equal(3, transport.CallCounts["user/get"]);
        }

        [Fact]
        public async Task Permanent_errors_are_not_retried()
        {
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "bad"), Answer(HttpStatusCode.OK, "done"));
            using var transport = Transport(handler);
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync("user/create", Get, Interpret, CancellationToken.None));
            Assert.Equal("60102", e.Code);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task Retries_stop_after_the_configured_count()
        {
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "busy"), Answer(HttpStatusCode.OK, "busy"), Answer(HttpStatusCode.OK, "busy"), Answer(HttpStatusCode.OK, "done"));
            var options = Fast; options.MaxRetries = 2;
            using var transport = Transport(handler, options);
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync("user/get", Get, Interpret, CancellationToken.None));
            Assert.Equal("-1", e.Code);
            Assert.Equal(3, handler.Calls);
        }

        [Fact]
        public async Task A_slow_attempt_times_out_and_an_idempotent_call_is_retried()
        {
            var handler = new ScriptedHandler(async r => { await Task.Delay(5000, ScriptedHandler.Current); return new HttpResponseMessage(); }, Answer(HttpStatusCode.OK, "done"));
            using var transport = Transport(handler);
            Assert.Equal("done", await transport.SendAsync("user/get", Get, Interpret, CancellationToken.None));
        }

        [Fact]
        public async Task A_create_that_timed_out_is_not_sent_again_and_reports_an_unknown_outcome()
        {
            var handler = new ScriptedHandler(async r => { await Task.Delay(5000, ScriptedHandler.Current); return new HttpResponseMessage(); }, Answer(HttpStatusCode.OK, "done"));
            using var transport = Transport(handler);
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync("user/create", Get, Interpret, CancellationToken.None, idempotent: false));
            Assert.True(e.OutcomeUnknown);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task A_block_longer_than_MaxWait_fails_at_once()
        {
            var blocked = new ApiException("WeCom", "x", "45009", "api freq out of limit", ApiErrorClass.Blocked) { RetryAfter = TimeSpan.FromMinutes(5) };
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "done"));
            using var transport = Transport(handler);
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync<string>("user/get", Get, (s, b) => throw blocked, CancellationToken.None));
            Assert.Equal("45009", e.Code);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task A_block_within_MaxWait_is_waited_out_then_retried()
        {
            int n = 0;
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "done"));
            using var transport = Transport(handler);
            var result = await transport.SendAsync("user/get", Get, (s, b) => ++n == 1
                ? throw new ApiException("WeCom", "x", "45009", "api freq out of limit", ApiErrorClass.Blocked) { RetryAfter = TimeSpan.FromMilliseconds(50) }
                : b, CancellationToken.None);
            Assert.Equal("done", result);
        }

        private static ApiException FrequencyLimited(TimeSpan shortBlock, TimeSpan longBlock) =>
            new ApiException("WeCom", "x", "45009", "api freq out of limit", ApiErrorClass.Blocked) { RetryAfter = shortBlock, LongerBlock = longBlock };

        [Fact]
        public async Task Still_refused_when_the_short_block_ends_means_the_longer_block_the_run_stops_instead_of_retrying_each_window()
        {
            // WeCom 45009 does not say whether the minute (60 s) or the hour (60 min) limit was hit (90312/90454).
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "x"));
            var options = Fast; options.MaxWait = TimeSpan.FromSeconds(2);
            using var transport = Transport(handler, options);
            var first = DateTimeOffset.UtcNow;
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync<string>("user/create", Get,
                (s, b) => throw FrequencyLimited(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)), CancellationToken.None));
            Assert.Equal(2, handler.Calls); // the hit, and one retry when the short block ended; never a retry per window
            Assert.True(e.StopsRun);
            Assert.InRange(e.RetryAt.Value, first.AddMinutes(10).AddSeconds(-1), first.AddMinutes(10).AddSeconds(2));
            Assert.Contains("longer one", e.Message);
            // Later calls to the API fail at once, without being sent.
            var later = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync("user/create", Get, Interpret, CancellationToken.None));
            Assert.True(later.StopsRun);
            Assert.Equal(2, handler.Calls);
        }

        [Fact]
        public async Task A_short_block_that_lifted_is_forgotten_once_a_call_succeeds()
        {
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "x"), Answer(HttpStatusCode.OK, "x"));
            using var transport = Transport(handler);
            int n = 0;
            string Refuse(HttpStatusCode s, string b) => ++n % 2 == 1 ? throw FrequencyLimited(TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10)) : "done";
            Assert.Equal("done", await transport.SendAsync("user/create", Get, Refuse, CancellationToken.None));
            Assert.Equal("done", await transport.SendAsync("user/create", Get, Refuse, CancellationToken.None));
            Assert.Equal(4, handler.Calls);
        }

        [Fact]
        public async Task A_stop_before_the_block_length_is_known_names_both_possible_ends_once()
        {
            var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, "x"));
            var options = Fast; options.MaxWait = TimeSpan.FromMilliseconds(10);
            using var transport = Transport(handler, options);
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync<string>("user/create", Get,
                (s, b) => throw FrequencyLimited(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(60)), CancellationToken.None));
            Assert.True(e.StopsRun);
            Assert.Contains("hourly limit", e.Message);
            Assert.Contains("or after", e.RecommendedAction);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Message, "Run it again after"));
            Assert.EndsWith(".", e.Message);
        }

        [Fact]
        public async Task The_client_side_limiter_holds_calls_to_the_configured_rate()
        {
            var responses = new Func<HttpRequestMessage, Task<HttpResponseMessage>>[6];
            for (int i = 0; i < responses.Length; i++) responses[i] = Answer(HttpStatusCode.OK, "ok");
            var options = Fast; options.CallsPerMinute = 3; options.RateWindow = TimeSpan.FromMilliseconds(400);
            using var transport = Transport(new ScriptedHandler(responses), options);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 6; i++) await transport.SendAsync("user/get", Get, Interpret, CancellationToken.None);
            // Six calls at three per window need at least one more window.
            Assert.True(watch.ElapsedMilliseconds >= 300, $"took {watch.ElapsedMilliseconds} ms");
        }

        [Fact]
        public void Secrets_and_tokens_are_redacted_from_messages()
        {
            Redaction.Register("my-corp-secret-value");
            var text = Redaction.Redact("GET /cgi-bin/gettoken?corpid=ww1&corpsecret=abcdef123&x=1 access_token=TOKEN999 Authorization: Bearer eyJhbGciOi.x.y failed, secret my-corp-secret-value {\"accessKeySecret\":\"sk-123456\"}");
            Assert.DoesNotContain("abcdef123", text);
            Assert.DoesNotContain("TOKEN999", text);
            Assert.DoesNotContain("eyJhbGciOi", text);
            Assert.DoesNotContain("my-corp-secret-value", text);
            Assert.DoesNotContain("sk-123456", text);
            Assert.Contains("corpid=ww1", text);
        }

        [Fact]
        public async Task Exception_messages_never_carry_the_token_from_the_url()
        {
            var handler = new ScriptedHandler(_ => throw new HttpRequestException("connection reset while calling http://x/cgi-bin/user/get?access_token=SECRET-TOKEN-123"),
                _ => throw new HttpRequestException("again access_token=SECRET-TOKEN-123"), _ => throw new HttpRequestException("access_token=SECRET-TOKEN-123"), _ => throw new HttpRequestException("access_token=SECRET-TOKEN-123"));
            using var transport = Transport(handler);
            var e = await Assert.ThrowsAsync<ApiException>(() => transport.SendAsync("user/get", Get, Interpret, CancellationToken.None));
            Assert.Equal("transport", e.Code);
            Assert.DoesNotContain("SECRET-TOKEN-123", e.Message);
        }
    }
}
