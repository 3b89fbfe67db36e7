using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace WeComSync.Http
{
    /// <summary>
    /// How many units of work (apply steps, read pages) run at once, found while running instead of set by hand:
    /// TCP's congestion control applied to API calls (RFC 5681 slow start and congestion avoidance, with Vegas's
    /// "latency holds" test for growth).
    /// <list type="bullet">
    /// <item>Grow while calls succeed and their latency holds: +1 per call answered (the limit doubles per round
    /// trip) until the first back-pressure, then +1 per round trip (additive increase, +1/limit per call).</item>
    /// <item>A call slower than twice its API's fastest answer (plus 20 ms of jitter) was queued somewhere — at the
    /// server, or in the client-side rate limiter that waits for a permit — so the limit holds: more calls in flight
    /// would only wait longer.</item>
    /// <item>Back-pressure (throttling, concurrency refusals, timeouts: see <see cref="ApiTransport"/>) halves the limit
    /// (multiplicative decrease) when it is more than noise: at least two refusals, and a quarter of the answers, within
    /// one round trip's worth of answers (a service over its limit refuses most calls; a few scattered busy answers,
    /// which the transport retries, are not a reason to slow down). Once per round trip: only a call sent after the last decrease can cause
    /// another.</item>
    /// </list>
    /// AIMD converges to a fair share of whatever capacity is there without knowing it, and halving backs off fast
    /// enough that a throttling service is not hammered while the transport's retries wait. The client-side rate
    /// limiter stays the hard cap on calls per minute; <see cref="Ceiling"/> caps calls in flight (-ThrottleLimit).
    /// Calls made inside a unit report here through <see cref="Current"/> (an AsyncLocal the runner sets), so the
    /// transport needs no reference to whoever runs it.
    /// </summary>
    public sealed class AdaptiveConcurrency
    {
        /// <summary>Most units in flight when no ceiling is given.</summary>
        public const int DefaultCeiling = 64;

        /// <summary>Where it starts: the fixed concurrency WeComSync used before it adapted.</summary>
        public const int DefaultInitial = 4;

        private static readonly AsyncLocal<AdaptiveConcurrency> CurrentSlot = new AsyncLocal<AdaptiveConcurrency>();
        private const double JitterMs = 20;

        private readonly object _gate = new object();
        private readonly Queue<TaskCompletionSource<bool>> _waiters = new Queue<TaskCompletionSource<bool>>();
        private readonly Dictionary<string, double> _fastestMs = new Dictionary<string, double>(StringComparer.Ordinal);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _window;
        private double _slowStartThreshold = double.MaxValue;
        private TimeSpan _lastDecrease = TimeSpan.MinValue;
        private int _inFlight;
        private int _roundAnswers;
        private int _roundPushBacks;
        private const int MinRound = 8;
        private const double PushBackShare = 0.25;

        /// <param name="ceiling">Most units in flight (0 or less: <see cref="DefaultCeiling"/>).</param>
        /// <param name="initial">Units in flight at the start (at most the ceiling).</param>
        public AdaptiveConcurrency(int ceiling = 0, int initial = DefaultInitial)
        {
            Ceiling = ceiling > 0 ? ceiling : DefaultCeiling;
            _window = Math.Max(1, Math.Min(Ceiling, initial));
            Peak = (int)_window;
        }

        /// <summary>The controller the calls of the current unit of work report to (null outside one).</summary>
        public static AdaptiveConcurrency Current
        {
            get => CurrentSlot.Value;
            set => CurrentSlot.Value = value;
        }

        public int Ceiling { get; }

        /// <summary>Units allowed in flight now.</summary>
        public int Limit { get { lock (_gate) return (int)_window; } }

        /// <summary>The highest limit reached (for run summaries and benchmarks).</summary>
        public int Peak { get; private set; }

        /// <summary>How many times back-pressure halved the limit.</summary>
        public int Decreases { get; private set; }

        public int InFlight { get { lock (_gate) return _inFlight; } }

        /// <summary>Waits for a free place (first come, first served); dispose the lease when the unit is done.</summary>
        public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
        {
            TaskCompletionSource<bool> waiter;
            lock (_gate)
            {
                if (_inFlight < (int)_window && _waiters.Count == 0)
                {
                    _inFlight++;
                    return new Lease(this);
                }
                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
            using (cancellationToken.Register(() => waiter.TrySetCanceled()))
            {
                await waiter.Task.ConfigureAwait(false);
            }
            return new Lease(this);
        }

        /// <summary>
        /// Runs <paramref name="body"/> for every item, as many at once as this controller allows (netstandard2.0 has no
        /// Parallel.ForEachAsync); the calls each body makes report here.
        /// </summary>
        public async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> body, CancellationToken cancellationToken)
        {
            var tasks = new List<Task>();
            foreach (var item in items)
            {
                var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
                tasks.Add(Task.Run(async () =>
                {
                    using (lease)
                    {
                        Current = this;
                        await body(item).ConfigureAwait(false);
                    }
                }));
            }
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        /// <summary>
        /// One call's outcome: its API (per service), how long it took from asking for a permit to the answer, and
        /// whether the answer was back-pressure.
        /// </summary>
        public void OnCall(string api, TimeSpan latency, bool backPressure)
        {
            lock (_gate)
            {
                var now = _clock.Elapsed;
                // A round: about one round trip's worth of answers (the limit's), at least MinRound.
                if (++_roundAnswers > Math.Max(MinRound, _window))
                {
                    _roundAnswers = 1;
                    _roundPushBacks = 0;
                }
                if (backPressure)
                {
                    // Sent before the last decrease: that decrease already answered this congestion.
                    if (now - latency < _lastDecrease) return;
                    // A service over its limit refuses many calls at once (everything beyond a concurrency cap, every call
                    // in a blocked window); one refusal in a round is noise that the transport's retry absorbs, and
                    // halving on it would keep the limit low for nothing (AIMD reads random loss as congestion).
                    if (++_roundPushBacks < Math.Max(2, Math.Ceiling(_window * PushBackShare))) return;
                    _slowStartThreshold = Math.Max(1, Math.Floor(_window / 2));
                    _window = _slowStartThreshold;
                    _lastDecrease = now;
                    _roundAnswers = 0;
                    _roundPushBacks = 0;
                    Decreases++;
                    return;
                }
                double ms = latency.TotalMilliseconds;
                double fastest = _fastestMs.TryGetValue(api ?? "", out var f) ? Math.Min(f, ms) : ms;
                _fastestMs[api ?? ""] = fastest;
                if (ms > 2 * fastest + JitterMs || _window >= Ceiling) return;
                _window = Math.Min(Ceiling, _window + (_window < _slowStartThreshold ? 1 : 1 / _window));
                if ((int)_window > Peak) Peak = (int)_window;
                WakeLocked();
            }
        }

        private void Release()
        {
            lock (_gate)
            {
                _inFlight--;
                WakeLocked();
            }
        }

        private void WakeLocked()
        {
            while (_inFlight < (int)_window && _waiters.Count > 0)
            {
                var next = _waiters.Dequeue();
                if (next.TrySetResult(true)) _inFlight++; // a cancelled waiter is skipped
            }
        }

        private sealed class Lease : IDisposable
        {
            private AdaptiveConcurrency _owner;

            public Lease(AdaptiveConcurrency owner) => _owner = owner;

            public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
        }
    }
}
