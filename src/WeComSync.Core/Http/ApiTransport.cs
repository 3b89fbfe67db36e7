using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace WeComSync.Http
{
    /// <summary>
    /// The one way WeComSync talks HTTP: every WeCom and Authing call goes through here, so retries, back-off,
    /// per-attempt timeouts, client-side rate limiting, call counting and redaction behave the same everywhere.
    /// The clients only say how to build a request and how to read the API's answer (which errors are transient);
    /// token refresh stays in the clients because each API signals it differently.
    /// </summary>
    public sealed class ApiTransport : IDisposable
    {
        private readonly HttpClient _http;
        private readonly ResiliencePipeline _pipeline;
        private readonly ConcurrentDictionary<string, RateLimiter> _limiters = new ConcurrentDictionary<string, RateLimiter>();
        private readonly ConcurrentDictionary<string, int> _calls = new ConcurrentDictionary<string, int>();
        // An API the server blocked (WeCom 45009, a 429 with Retry-After): until when. Later calls wait it out or fail
        // without being sent, so a blocked API is never hammered by the calls in flight behind the first refusal.
        private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedUntil = new ConcurrentDictionary<string, DateTimeOffset>();

        public ApiTransport(string service, Uri baseAddress, RetryOptions options = null, HttpMessageHandler handler = null, bool skipCertificateCheck = false)
        {
            Service = service;
            Options = options?.Clone() ?? new RetryOptions();
            if (handler == null)
            {
                var clientHandler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };
                // Private Authing deployments often run on self-signed certificates; only when the admin asks.
                if (skipCertificateCheck) clientHandler.ServerCertificateCustomValidationCallback = (_, __, ___, ____) => true;
                handler = clientHandler;
            }
            _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
            _pipeline = new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    // Polly needs at least one attempt to retry; MaxRetries 0 is honoured by ShouldRetry.
                    ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is ApiException e && args.AttemptNumber < Options.MaxRetries && ShouldRetry(e)),
                    MaxRetryAttempts = Math.Max(1, Options.MaxRetries),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = Options.BaseDelay,
                    MaxDelay = Options.MaxDelay,
                    DelayGenerator = args => new ValueTask<TimeSpan?>(
                        args.Outcome.Exception is ApiException e && e.RetryAfter.HasValue ? e.RetryAfter : null),
                    OnRetry = args =>
                    {
                        Trace?.Invoke($"{Service}: retry {args.AttemptNumber + 1} after {args.RetryDelay.TotalMilliseconds:0} ms ({args.Outcome.Exception?.Message})");
                        return default;
                    },
                })
                .Build();
        }

        public string Service { get; }
        public Uri BaseAddress => _http.BaseAddress;
        public RetryOptions Options { get; }

        /// <summary>Receives one redacted line per call and per retry (for -Verbose/-Debug). May be called from any thread.</summary>
        public Action<string> Trace { get; set; }

        /// <summary>Calls made per API (attempts, including retries), for run summaries and benchmarks.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, int> CallCounts => _calls;

        private bool ShouldRetry(ApiException e) =>
            e.IsTransient && !e.OutcomeUnknown && !e.StopsRun && (!e.RetryAfter.HasValue || e.RetryAfter.Value <= Options.MaxWait);

        /// <summary>Until when each API is known to be blocked (UTC); empty when none is.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, DateTimeOffset> BlockedUntil => _blockedUntil;

        /// <summary>
        /// Sends a request built fresh for every attempt (a request message cannot be sent twice) and interprets the
        /// answer. <paramref name="interpret"/> receives the HTTP status and body and returns the result or throws an
        /// <see cref="ApiException"/>; transient ones are retried with back-off. Pass <paramref name="idempotent"/> false
        /// for creates: a timeout or broken connection then fails with <see cref="ApiException.OutcomeUnknown"/> instead
        /// of being sent again.
        /// </summary>
        public Task<T> SendAsync<T>(string api, Func<HttpRequestMessage> createRequest, Func<HttpStatusCode, string, T> interpret,
            CancellationToken cancellationToken, bool idempotent = true)
        {
            return _pipeline.ExecuteAsync(async ct => await ObservedAttemptAsync(api, createRequest, interpret, idempotent, ct).ConfigureAwait(false), cancellationToken).AsTask();
        }

        /// <summary>
        /// One attempt, reported to the adaptive concurrency of the unit of work it runs in (if any): its latency from
        /// asking for a permit to the answer (so a queue in the rate limiter counts as latency), and whether the answer
        /// was back-pressure.
        /// </summary>
        private async Task<T> ObservedAttemptAsync<T>(string api, Func<HttpRequestMessage> createRequest, Func<HttpStatusCode, string, T> interpret,
            bool idempotent, CancellationToken cancellationToken)
        {
            var controller = AdaptiveConcurrency.Current;
            if (controller == null) return await AttemptAsync(api, createRequest, interpret, idempotent, cancellationToken).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            try
            {
                var result = await AttemptAsync(api, createRequest, interpret, idempotent, cancellationToken).ConfigureAwait(false);
                controller.OnCall(Service + " " + api, watch.Elapsed, backPressure: false);
                return result;
            }
            catch (ApiException e)
            {
                controller.OnCall(Service + " " + api, watch.Elapsed, IsBackPressure(e));
                throw;
            }
        }

        /// <summary>
        /// The service asks for fewer calls: throttled (HTTP/Authing 429, WeCom 45009), too many concurrent calls (WeCom
        /// 45033), busy or unavailable (WeCom -1, HTTP 503), or no answer in time. Other errors are answers like any other.
        /// </summary>
        private static bool IsBackPressure(ApiException e) =>
            e.RetryAfter.HasValue || e.Code == "timeout" || e.Code == "http:429" || e.Code == "http:503"
            || e.Code == "429" || e.Code.StartsWith("429/", StringComparison.Ordinal)
            || (e.Service == "WeCom" && (e.Code == "45009" || e.Code == "45033" || e.Code == "-1"));

        private async Task<T> AttemptAsync<T>(string api, Func<HttpRequestMessage> createRequest, Func<HttpStatusCode, string, T> interpret,
            bool idempotent, CancellationToken cancellationToken)
        {
            await WaitOutBlockAsync(api, cancellationToken).ConfigureAwait(false);
            await WaitForPermitAsync(api, cancellationToken).ConfigureAwait(false);
            _calls.AddOrUpdate(api, 1, (_, n) => n + 1);
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var request = createRequest())
            {
                attempt.CancelAfter(Options.AttemptTimeout);
                var watch = Stopwatch.StartNew();
                string body;
                HttpStatusCode status;
                TimeSpan? retryAfter = null;
                try
                {
                    using (var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false))
                    {
                        status = response.StatusCode;
                        if ((int)status == 429 || (int)status == 503) retryAfter = ReadRetryAfter(response);
                        body = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ApiException(Service, api, "timeout", $"no answer within {Options.AttemptTimeout.TotalSeconds:0.#} s", isTransient: true)
                    { OutcomeUnknown = !idempotent };
                }
                catch (HttpRequestException e)
                {
                    // A refused connection never reached the server, so even a create is safe to send again.
                    bool neverSent = e.GetBaseException() is System.Net.Sockets.SocketException se && se.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused;
                    throw new ApiException(Service, api, "transport", Redaction.Redact(e.GetBaseException().Message), isTransient: true)
                    { OutcomeUnknown = !idempotent && !neverSent };
                }
                Trace?.Invoke($"{Service}: {request.Method} {Redaction.Redact(request.RequestUri?.ToString())} -> {(int)status} ({watch.ElapsedMilliseconds} ms)");

                int code = (int)status;
                try
                {
                    if (code == 429 || code >= 500)
                    {
                        throw new ApiException(Service, api, "http:" + code, Truncate(body), isTransient: true) { RetryAfter = retryAfter };
                    }
                    return interpret(status, body);
                }
                catch (ApiException e) when (e.RetryAfter.HasValue)
                {
                    throw Blocked(api, e);
                }
            }
        }

        /// <summary>
        /// Remembers how long the API is blocked. A block within MaxWait is waited out by the retry (and by every call
        /// behind it); a longer one becomes an error that stops the run and says when it can run again.
        /// </summary>
        private ApiException Blocked(string api, ApiException e)
        {
            var until = DateTimeOffset.UtcNow + e.RetryAfter.Value;
            _blockedUntil.AddOrUpdate(api, until, (_, old) => old > until ? old : until);
            e.RetryAt = until;
            if (e.RetryAfter.Value <= Options.MaxWait) return e;
            return BlockedTooLong(api, until, e.Code, e);
        }

        private ApiException BlockedTooLong(string api, DateTimeOffset until, string code, Exception inner)
        {
            var wait = until - DateTimeOffset.UtcNow;
            return new ApiException(Service, api, code,
                $"the API is blocked until {until.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz} ({Math.Ceiling(Math.Max(0, wait.TotalSeconds)):0} s from now), longer than the {Options.MaxWait.TotalSeconds:0.#} s the connection may wait (MaxWait); the run stops here.",
                isTransient: false,
                $"Run it again after {until.ToLocalTime():HH:mm:ss}, or allow a longer wait (Connect-{Service} -MaxWait), or lower the call rate (-CallsPerMinute).", inner)
            { StopsRun = true, RetryAt = until, RetryAfter = wait };
        }

        private async Task WaitOutBlockAsync(string api, CancellationToken cancellationToken)
        {
            if (!_blockedUntil.TryGetValue(api, out var until)) return;
            var wait = until - DateTimeOffset.UtcNow;
            if (wait <= TimeSpan.Zero)
            {
                ((System.Collections.Generic.ICollection<System.Collections.Generic.KeyValuePair<string, DateTimeOffset>>)_blockedUntil)
                    .Remove(new System.Collections.Generic.KeyValuePair<string, DateTimeOffset>(api, until));
                return;
            }
            if (wait > Options.MaxWait) throw BlockedTooLong(api, until, "blocked", null);
            Trace?.Invoke($"{Service}: {api} is blocked for {wait.TotalMilliseconds:0} ms more; waiting");
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A Retry-After header (seconds or a date) on a throttled or unavailable answer.</summary>
        private static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header == null) return null;
            var wait = header.Delta ?? (header.Date.HasValue ? header.Date.Value - DateTimeOffset.UtcNow : (TimeSpan?)null);
            return wait.HasValue && wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        private async Task WaitForPermitAsync(string api, CancellationToken cancellationToken)
        {
            if (Options.CallsPerMinute <= 0) return;
            var limiter = _limiters.GetOrAdd(api, _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = Options.CallsPerMinute,
                // The server's fixed window starts at its first call and may straddle our segment boundaries: a window one
                // segment longer (10 → 11 segments' worth) always covers it, so the cap holds in every server window.
                Window = TimeSpan.FromTicks(Options.RateWindow.Ticks * 11 / 10),
                SegmentsPerWindow = 11,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }));
            using (var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false))
            {
                if (!lease.IsAcquired) throw new ApiException(Service, api, "ratelimit", "the client-side rate limiter refused the call", isTransient: true);
            }
        }

        private static string Truncate(string body) => body == null ? null : body.Length > 300 ? body.Substring(0, 300) + "…" : body;

        public void Dispose()
        {
            _http.Dispose();
            foreach (var limiter in _limiters.Values) limiter.Dispose();
        }
    }
}
