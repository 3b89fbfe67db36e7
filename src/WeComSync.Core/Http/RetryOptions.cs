using System;

namespace WeComSync.Http
{
    /// <summary>How one client retries and paces its calls; overridable per connection.</summary>
    public sealed class RetryOptions
    {
        /// <summary>Retries after the first attempt for transient failures (transport, 5xx, WeCom -1/45033, Authing 429).</summary>
        public int MaxRetries { get; set; } = 3;

        /// <summary>First back-off delay; doubles per retry, with jitter.</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Timeout of one attempt (not of the whole call with its retries).</summary>
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Client-side cap per API and minute (0 = none). WeCom documents 10 000 calls/min per corp and API.</summary>
        public int CallsPerMinute { get; set; }

        /// <summary>Length of the rate-limit window; a minute in production, shorter against a test emulator.</summary>
        public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>How long a call may wait for a blocked API (WeCom 45009) before the run stops and says when to retry.</summary>
        public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(90);

        public RetryOptions Clone() => (RetryOptions)MemberwiseClone();
    }
}
