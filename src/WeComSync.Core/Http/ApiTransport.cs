using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
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
        // An API the server blocked (WeCom 45009, a 429 with Retry-After): since when and until when. Later calls wait it
        // out or fail without being sent, so a blocked API is never hammered by the calls in flight behind the first refusal.
        private readonly ConcurrentDictionary<string, Block> _blocks = new ConcurrentDictionary<string, Block>();

        private sealed class Block
        {
            public DateTimeOffset FirstRefusal;
            public DateTimeOffset Until;
            /// <summary>The longer block the service may have imposed instead (WeCom's hour limit), when the answer cannot say.</summary>
            public TimeSpan? Longer;
            /// <summary>The API was still blocked when the shorter block ended: the longer block is the one in force.</summary>
            public bool IsLonger;
        }

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

        /// <summary>Until when each API is known to be blocked (UTC); a block that has ended may still be listed until the next call succeeds.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, DateTimeOffset> BlockedUntil =>
            _blocks.ToArray().ToDictionary(kv => kv.Key, kv => kv.Value.Until);

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

        /// <summary>The service asks for fewer calls: the error's class in its service's table (Throttled, Blocked), or no answer in time.</summary>
        private static bool IsBackPressure(ApiException e) => e.IsBackPressure || e.RetryAfter.HasValue;

        private async Task<T> AttemptAsync<T>(string api, Func<HttpRequestMessage> createRequest, Func<HttpStatusCode, string, T> interpret,
            bool idempotent, CancellationToken cancellationToken)
        {
            var waitedOut = await WaitOutBlockAsync(api, cancellationToken).ConfigureAwait(false);
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
                    throw new ApiException(Service, api, "timeout", $"no answer within {Options.AttemptTimeout.TotalSeconds:0.#} s", ApiErrorClass.Retryable)
                    { OutcomeUnknown = !idempotent };
                }
                catch (HttpRequestException e)
                {
                    // A refused connection never reached the server, so even a create is safe to send again.
                    bool neverSent = e.GetBaseException() is System.Net.Sockets.SocketException se && se.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused;
                    throw new ApiException(Service, api, "transport", Redaction.Redact(e.GetBaseException().Message), ApiErrorClass.Retryable)
                    { OutcomeUnknown = !idempotent && !neverSent };
                }
                Trace?.Invoke($"{Service}: {request.Method} {Redaction.Redact(request.RequestUri?.ToString())} -> {(int)status} ({watch.ElapsedMilliseconds} ms)");

                int code = (int)status;
                try
                {
                    // 501 Not Implemented is the server saying it never supports the call (RFC 9110 15.6.2; Authing's
                    // UnsupportedOperationError): no retry can help, so the service's own answer and table judge it.
                    if (code == 429 || (code >= 500 && code != 501))
                    {
                        // 429 and 503 ask for fewer calls (RFC 9110 15.5.30, 15.6.4); other 5xx are plain failures.
                        throw new ApiException(Service, api, "http:" + code, Truncate(body), code == 429 || code == 503 ? ApiErrorClass.Throttled : ApiErrorClass.Retryable) { RetryAfter = retryAfter };
                    }
                    var result = interpret(status, body);
                    Unblocked(api, waitedOut);
                    return result;
                }
                catch (ApiException e) when (e.RetryAfter.HasValue)
                {
                    throw Blocked(api, e, waitedOut);
                }
            }
        }

        /// <summary>
        /// Remembers how long the API is blocked, counted from the first refusal. When the answer cannot say how long
        /// (<see cref="ApiException.LongerBlock"/>: WeCom's 45009 is a minute or an hour), the shorter block is assumed;
        /// a refusal after it ended means the longer one is in force, from the same first refusal, so the client never
        /// retries every minute through an hour-long block. A block within MaxWait is waited out by the retry (and by
        /// every call behind it); a longer one becomes an error that stops the run and says when it can run again.
        /// </summary>
        /// <param name="waitedOut">The block this call waited for before it was sent, if any: refused after it, the block did not lift.</param>
        private ApiException Blocked(string api, ApiException e, Block waitedOut)
        {
            var now = DateTimeOffset.UtcNow;
            Block block;
            lock (_blocks)
            {
                _blocks.TryGetValue(api, out block);
                if (block == null || (now >= block.Until && (block.IsLonger || block.Longer == null)))
                {
                    block = new Block { FirstRefusal = now, Until = now + e.RetryAfter.Value, Longer = e.LongerBlock };
                    _blocks[api] = block;
                }
                else if (!block.IsLonger && block.Longer != null && (now >= block.Until || ReferenceEquals(waitedOut, block)))
                {
                    block.IsLonger = true;
                    block.Until = block.FirstRefusal + block.Longer.Value;
                    Trace?.Invoke($"{Service}: {api} is still blocked after {e.RetryAfter.Value.TotalSeconds:0.#} s: the longer block is in force until {block.Until.ToLocalTime():HH:mm:ss}");
                }
                else if (block.Longer == null && now + e.RetryAfter.Value > block.Until)
                {
                    block.Until = now + e.RetryAfter.Value; // a later Retry-After moves the end
                }
            }
            e.RetryAt = block.Until;
            e.RetryAfter = block.Until - now;
            if (e.RetryAfter.Value <= Options.MaxWait) return e;
            return BlockedTooLong(api, block, e.Code, e);
        }

        /// <summary>
        /// A call succeeded: a block it waited out (or one that has ended) is over. A success of a call sent before the
        /// block was known proves nothing (it reached the server before the hit).
        /// </summary>
        private void Unblocked(string api, Block waitedOut)
        {
            if (_blocks.IsEmpty) return;
            lock (_blocks)
            {
                if (_blocks.TryGetValue(api, out var block) && (ReferenceEquals(block, waitedOut) || DateTimeOffset.UtcNow >= block.Until)) _blocks.TryRemove(api, out _);
            }
        }

        private ApiException BlockedTooLong(string api, Block block, string code, Exception inner)
        {
            var until = block.Until;
            var wait = until - DateTimeOffset.UtcNow;
            string when = $"until {Local(until)} ({Math.Ceiling(Math.Max(0, wait.TotalSeconds)):0} s from now)";
            string retry = $"Run it again after {until.ToLocalTime():HH:mm:ss}";
            if (block.IsLonger)
            {
                when += $": it was still refused when the shorter block from {block.FirstRefusal.ToLocalTime():HH:mm:ss} ended, so the longer one (WeCom: the hourly limit) is in force";
            }
            else if (block.Longer.HasValue)
            {
                var longer = block.FirstRefusal + block.Longer.Value;
                when += $"; if the service's longer limit was hit instead (WeCom: the hourly limit), until {Local(longer)}";
                retry += $" (or after {longer.ToLocalTime():HH:mm:ss} if it is still refused then)";
            }
            var e = new ApiException(Service, api, code,
                $"the API is blocked {when}, longer than the {Options.MaxWait.TotalSeconds:0.#} s the connection may wait (MaxWait); the run stops here",
                ApiErrorClass.Blocked,
                $"{retry}, or allow a longer wait (Connect-{Service} -MaxWait), or lower the call rate (-CallsPerMinute).", inner)
            { StopsRun = true, RetryAt = until, RetryAfter = wait };
            // Still the service's code (45009): callers that ask e.Is(...) see the refusal it grew from.
            return inner is ApiException refusal && refusal.Error != null ? e.WithError(refusal.Error) : e;
        }

        private static string Local(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Waits for a known block to end (or fails when it lasts longer than MaxWait); returns the block waited for, if any.</summary>
        private async Task<Block> WaitOutBlockAsync(string api, CancellationToken cancellationToken)
        {
            if (!_blocks.TryGetValue(api, out var block)) return null;
            var wait = block.Until - DateTimeOffset.UtcNow;
            if (wait <= TimeSpan.Zero) return block; // ended: this call finds out whether it really lifted (see Blocked)
            if (wait > Options.MaxWait) throw BlockedTooLong(api, block, "blocked", null);
            Trace?.Invoke($"{Service}: {api} is blocked for {wait.TotalMilliseconds:0} ms more; waiting");
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            return block;
        }

        /// <summary>A Retry-After header (seconds or a date) on a throttled or unavailable answer.</summary>
        private static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header == null) return null;
            var wait = header.Delta ?? (header.Date.HasValue ? header.Date.Value - DateTimeOffset.UtcNow : (TimeSpan?)null);
            return wait.HasValue && wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        private static readonly TimeSpan MinRateSegment = TimeSpan.FromMilliseconds(50);

        private async Task WaitForPermitAsync(string api, CancellationToken cancellationToken)
        {
            if (Options.CallsPerMinute <= 0) return;
            // The server's fixed window starts at its first call and may straddle our segment boundaries: a window one
            // segment longer (n → n + 1 segments' worth) always covers it, so the cap holds in every server window. That
            // segment costs 1/(n + 1) of the rate: 60 segments cost 1.6 % where 10 cost 9 % (bench/DownstreamSync reached
            // 88 % of the limit with 10); a segment stays at least 50 ms, so a short test window runs no millisecond timer.
            var limiter = _limiters.GetOrAdd(api, _ =>
            {
                int segments = (int)Math.Max(10, Math.Min(60, Options.RateWindow.Ticks / MinRateSegment.Ticks));
                return new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = Options.CallsPerMinute,
                    Window = TimeSpan.FromTicks(Options.RateWindow.Ticks * (segments + 1) / segments),
                    SegmentsPerWindow = segments + 1,
                    QueueLimit = int.MaxValue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = true,
                });
            });
            using (var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false))
            {
                if (!lease.IsAcquired) throw new ApiException(Service, api, "ratelimit", "the client-side rate limiter refused the call", ApiErrorClass.Retryable);
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
