using System;
using System.Management.Automation;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// The resilience settings every Connect-* cmdlet takes, so each connection can be tuned the same way (a slow
    /// private deployment, a corp with a lower limit, an emulator with scaled-down windows).
    /// </summary>
    public abstract class ConnectCmdlet : PSCmdlet
    {
        private static readonly RetryOptions Defaults = new RetryOptions();

        /// <summary>Retries of a call that failed transiently (transport error, timeout, busy, throttled, 5xx); 0 = none.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaxRetry { get; set; } = Defaults.MaxRetries;

        /// <summary>First back-off delay before a retry; it doubles per retry, with jitter.</summary>
        [Parameter]
        public TimeSpan RetryDelay { get; set; } = Defaults.BaseDelay;

        /// <summary>Timeout of one attempt of one call (not of the call with its retries).</summary>
        [Parameter]
        public TimeSpan AttemptTimeout { get; set; } = Defaults.AttemptTimeout;

        /// <summary>
        /// Client-side cap on calls per API and -RateWindow (0 = none), so a large run is not throttled; the default is
        /// the service's documented limit where it has one (<see cref="DefaultCallsPerMinute"/>).
        /// </summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public int CallsPerMinute { get; set; }

        /// <summary>The window of -CallsPerMinute: a minute against the real API, shorter against a scaled-down emulator.</summary>
        [Parameter]
        public TimeSpan RateWindow { get; set; } = Defaults.RateWindow;

        /// <summary>Longest wait for a blocked or throttled API before the call fails and says when to retry.</summary>
        [Parameter]
        public TimeSpan MaxWait { get; set; } = Defaults.MaxWait;

        /// <summary>-CallsPerMinute when not given: the service's documented per-API limit, 0 where there is none.</summary>
        protected virtual int DefaultCallsPerMinute => 0;

        protected RetryOptions BuildRetryOptions()
        {
            if (AttemptTimeout <= TimeSpan.Zero) ThrowBadSetting(nameof(AttemptTimeout), AttemptTimeout);
            if (RateWindow <= TimeSpan.Zero) ThrowBadSetting(nameof(RateWindow), RateWindow);
            if (MaxWait < TimeSpan.Zero) ThrowBadSetting(nameof(MaxWait), MaxWait);
            if (RetryDelay < TimeSpan.Zero) ThrowBadSetting(nameof(RetryDelay), RetryDelay);
            var options = Defaults.Clone();
            options.MaxRetries = MaxRetry;
            options.AttemptTimeout = AttemptTimeout;
            options.BaseDelay = RetryDelay;
            if (options.MaxDelay < RetryDelay) options.MaxDelay = RetryDelay;
            // The adaptive concurrency grows until the service pushes back; where WeCom's push-back is a block for the
            // rest of the window (45009), the limiter must keep the run under the limit before that happens.
            options.CallsPerMinute = MyInvocation.BoundParameters.ContainsKey(nameof(CallsPerMinute)) ? CallsPerMinute : DefaultCallsPerMinute;
            options.RateWindow = RateWindow;
            options.MaxWait = MaxWait;
            return options;
        }

        private void ThrowBadSetting(string name, TimeSpan value) =>
            ThrowTerminatingError(Errors.Create("BadResilienceSetting", ErrorCategory.InvalidArgument, value,
                $"-{name} {value} is not a valid duration here.", $"Give a positive duration, e.g. -{name} (New-TimeSpan -Seconds 30)."));
    }
}
