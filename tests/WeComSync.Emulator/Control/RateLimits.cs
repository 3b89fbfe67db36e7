using System.Diagnostics;

namespace WeComSync.Emulator.Control;

/// <summary>
/// One rate-limit rule: at most <see cref="Limit"/> calls per <see cref="WindowSeconds"/> window for each API
/// (path) of <see cref="Api"/>, or only for <see cref="Path"/> when given. Windows are fixed: the first call after a
/// window ended opens the next one, and once the limit is broken every call is refused until the window ends
/// (WeCom's "blocked for the rest of the window"; WeCom answers 45009, Authing HTTP 429).
/// </summary>
public sealed class RateLimitRule
{
    /// <summary><c>wecom</c> or <c>authing</c>.</summary>
    public string Api { get; set; }

    /// <summary>One path, or null/<c>*</c> for every path (each counted separately).</summary>
    public string Path { get; set; }

    public int Limit { get; set; }

    public double WindowSeconds { get; set; } = 60;
}

/// <summary>Fixed-window counters per (api, path) plus a concurrency cap per API (WeCom 45033, Authing 429).</summary>
public sealed class RateLimits
{
    private readonly object _gate = new();
    private readonly List<RateLimitRule> _rules = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _concurrencyCap = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    private sealed class Window
    {
        public long StartTicks;
        public long EndTicks;
        public int Count;
    }

    public void AddRule(RateLimitRule rule)
    {
        if (rule.Limit < 0 || rule.WindowSeconds <= 0) throw new ArgumentException("limit must be >= 0 and windowSeconds > 0");
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

    /// <summary>Counts one call; false (with the seconds until the block ends) when the window's limit is broken.</summary>
    public bool TryAcquire(string api, string path, out double retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        lock (_gate)
        {
            if (_rules.Count == 0) return true;
            var now = Stopwatch.GetTimestamp();
            var allowed = true;
            foreach (var rule in _rules)
            {
                if (rule.Api != api) continue;
                var rp = NormPath(rule.Path);
                if (rp != "*" && rp != path) continue;
                var key = api + " " + rp + " " + path + " " + rule.WindowSeconds;
                if (!_windows.TryGetValue(key, out var w) || now >= w.EndTicks)
                {
                    w = new Window { StartTicks = now, EndTicks = now + (long)(rule.WindowSeconds * Stopwatch.Frequency), Count = 0 };
                    _windows[key] = w;
                }
                w.Count++;
                if (w.Count > rule.Limit)
                {
                    allowed = false;
                    retryAfterSeconds = Math.Max(retryAfterSeconds, (w.EndTicks - now) / (double)Stopwatch.Frequency);
                }
            }
            return allowed;
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
