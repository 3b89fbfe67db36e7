using System.Diagnostics;

namespace WeComSync.Emulator.Control;

/// <summary>
/// One rate-limit rule: at most <see cref="Limit"/> calls in any <see cref="WindowSeconds"/> (a sliding window) for
/// each API (path) of <see cref="Api"/>, or only for <see cref="Path"/> when given. The call that breaks the limit is
/// refused and blocks the path for <see cref="BlockSeconds"/> counted from that hit, whatever the window: WeCom
/// documents "按分钟拦截则被屏蔽60秒,按小时拦截则被屏蔽60分钟" (developer.work.weixin.qq.com/document/path/90312,
/// /90454) with 10 000 calls/min and 150 000 calls/hour per API. A minute rule and an hour rule stand side by side.
/// Refused calls are not counted (the documentation is silent). WeCom answers 45009, Authing HTTP 429.
/// </summary>
public sealed class RateLimitRule
{
    /// <summary><c>wecom</c> or <c>authing</c>.</summary>
    public string Api { get; set; }

    /// <summary>One path, or null/<c>*</c> for every path (each counted separately).</summary>
    public string Path { get; set; }

    public int Limit { get; set; }

    public double WindowSeconds { get; set; } = 60;

    /// <summary>How long a broken limit blocks, from the hit; null: as long as the window.</summary>
    public double? BlockSeconds { get; set; }
}

/// <summary>Sliding-window counters per (rule, path), blocks counted from the hit, and a concurrency cap per API (WeCom 45033, Authing 429).</summary>
public sealed class RateLimits
{
    private readonly object _gate = new();
    private readonly List<RateLimitRule> _rules = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _concurrencyCap = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    private sealed class Window
    {
        public readonly Queue<long> Calls = new();
        public long BlockedUntil;
    }

    public void AddRule(RateLimitRule rule)
    {
        if (rule.Limit < 0 || rule.WindowSeconds <= 0 || rule.BlockSeconds <= 0) throw new ArgumentException("limit must be >= 0, windowSeconds and blockSeconds > 0");
        lock (_gate)
        {
            // One rule per (api, path, window length): a minute and an hour window may stand side by side.
            _rules.RemoveAll(r => r.Api == rule.Api && NormPath(r.Path) == NormPath(rule.Path) && r.WindowSeconds == rule.WindowSeconds);
            _rules.Add(rule);
            _windows.Clear();
        }
    }

    public void SetConcurrency(string api, int cap)
    {
        lock (_gate)
        {
            if (cap <= 0) _concurrencyCap.Remove(api);
            else _concurrencyCap[api] = cap;
        }
    }

    public IReadOnlyList<RateLimitRule> Rules { get { lock (_gate) return _rules.ToList(); } }

    public IReadOnlyDictionary<string, int> ConcurrencyCaps { get { lock (_gate) return new Dictionary<string, int>(_concurrencyCap); } }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _windows.Clear();
            _concurrencyCap.Clear();
        }
    }

    private static string NormPath(string p) => string.IsNullOrEmpty(p) || p == "*" ? "*" : p;

    /// <summary>Counts one call; false (with the seconds until the block ends) when the path is blocked or this call breaks a limit.</summary>
    public bool TryAcquire(string api, string path, out double retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        lock (_gate)
        {
            if (_rules.Count == 0) return true;
            var now = Stopwatch.GetTimestamp();
            var matching = new List<(RateLimitRule rule, Window w)>();
            foreach (var rule in _rules)
            {
                if (rule.Api != api) continue;
                var rp = NormPath(rule.Path);
                if (rp != "*" && rp != path) continue;
                var key = api + " " + rp + " " + path + " " + rule.WindowSeconds;
                if (!_windows.TryGetValue(key, out var w)) _windows[key] = w = new Window();
                var windowStart = now - (long)(rule.WindowSeconds * Stopwatch.Frequency);
                while (w.Calls.Count > 0 && w.Calls.Peek() <= windowStart) w.Calls.Dequeue();
                matching.Add((rule, w));
            }
            // Blocked by an earlier hit: refused, not counted.
            foreach (var (_, w) in matching)
                if (now < w.BlockedUntil) retryAfterSeconds = Math.Max(retryAfterSeconds, (w.BlockedUntil - now) / (double)Stopwatch.Frequency);
            if (retryAfterSeconds > 0) return false;
            // This call breaks a limit: the hit starts that rule's block.
            foreach (var (rule, w) in matching)
            {
                if (w.Calls.Count < rule.Limit) continue;
                w.BlockedUntil = now + (long)((rule.BlockSeconds ?? rule.WindowSeconds) * Stopwatch.Frequency);
                retryAfterSeconds = Math.Max(retryAfterSeconds, (w.BlockedUntil - now) / (double)Stopwatch.Frequency);
            }
            if (retryAfterSeconds > 0) return false;
            foreach (var (_, w) in matching) w.Calls.Enqueue(now);
            return true;
        }
    }

    /// <summary>Takes a concurrency slot; null when the API's cap is reached. Dispose the slot when the call ends.</summary>
    public IDisposable TryEnter(string api)
    {
        lock (_gate)
        {
            _inFlight.TryGetValue(api, out var n);
            if (_concurrencyCap.TryGetValue(api, out var cap) && n >= cap) return null;
            _inFlight[api] = n + 1;
        }
        return new Slot(this, api);
    }

    private void Leave(string api)
    {
        lock (_gate) _inFlight[api] = _inFlight[api] - 1;
    }

    private sealed class Slot : IDisposable
    {
        private RateLimits _owner;
        private readonly string _api;
        public Slot(RateLimits owner, string api) { _owner = owner; _api = api; }
        public void Dispose() { Interlocked.Exchange(ref _owner, null)?.Leave(_api); }
    }
}
