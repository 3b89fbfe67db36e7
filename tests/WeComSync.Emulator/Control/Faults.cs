namespace WeComSync.Emulator.Control;

/// <summary>
/// A fault injected into matching requests.
/// <list type="bullet">
/// <item><c>busy</c>: WeCom errcode -1 (system busy); Authing HTTP 500 with statusCode 500.</item>
/// <item><c>http</c>: a bare HTTP <see cref="Status"/> (default 503) from both APIs.</item>
/// <item><c>throttle</c>: WeCom errcode 45009; Authing HTTP 429 with the envelope.</item>
/// <item><c>throttle-envelope</c>: Authing HTTP 200 with <c>statusCode: 429</c> in the envelope (as the live API also answers); WeCom 45009.</item>
/// <item><c>errcode</c>: WeCom answers <see cref="Errcode"/>; Authing answers envelope <see cref="Status"/>.</item>
/// <item><c>drop</c>: the connection is aborted without an answer.</item>
/// <item><c>latency</c>: the call waits <see cref="LatencyMs"/> and then runs normally.</item>
/// <item><c>reorder</c>: a listing (Authing list-users) answers in a different order on every call wherever its order
/// is not fixed by the request's sort (all of it without <c>options.sort</c>, ties otherwise): a service whose default
/// order is not stable, so pages read in parallel may miss or repeat users; with <see cref="IgnoreSort"/> the sort is
/// ignored too. Runs normally otherwise.</item>
/// </list>
/// A fault fires with probability <see cref="Rate"/> (deterministic per emulator run), after <see cref="Skip"/>
/// matching calls have passed, at most <see cref="Count"/> times (null = forever). With <see cref="Page"/> it only
/// matches listing calls for that page (1-based: list_id's N-th page of a cursor chain, Authing's <c>page</c>).
/// </summary>
public sealed class FaultRule
{
    public string Api { get; set; } = "*";
    public string Path { get; set; }
    public string Kind { get; set; } = "busy";
    public double Rate { get; set; } = 1.0;
    public int? Count { get; set; }
    public int Skip { get; set; }
    public int? Page { get; set; }
    public int LatencyMs { get; set; }
    public int? Status { get; set; }
    public int? Errcode { get; set; }

    /// <summary>With <c>reorder</c>: the service also ignores the request's sort, so every order is shuffled.</summary>
    public bool IgnoreSort { get; set; }

    internal int Seen;
    internal int Fired;
}

/// <summary>The active faults; the first matching rule that fires wins (latency and reorder rules never stop a call).</summary>
public sealed class Faults
{
    private readonly object _gate = new();
    private readonly List<FaultRule> _rules = new();
    private Random _random = new(20240815);

    public void Add(FaultRule rule)
    {
        var kinds = new[] { "busy", "http", "throttle", "throttle-envelope", "errcode", "drop", "latency", "reorder" };
        if (!kinds.Contains(rule.Kind)) throw new ArgumentException($"kind must be one of {string.Join(", ", kinds)}");
        if (rule.Rate < 0 || rule.Rate > 1) throw new ArgumentException("rate must be within 0..1");
        lock (_gate) _rules.Add(rule);
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _random = new Random(20240815);
        }
    }

    public IReadOnlyList<FaultRule> Rules { get { lock (_gate) return _rules.ToList(); } }

    /// <summary>Total latency to add, the first stopping fault that fires for this call (or null), and whether to reorder a listing.</summary>
    public (int latencyMs, FaultRule fault, string reorder) Evaluate(string api, string path, int? page)
    {
        lock (_gate)
        {
            var latency = 0;
            string reorder = null;
            FaultRule hit = null;
            foreach (var r in _rules)
            {
                if (r.Api != "*" && r.Api != api) continue;
                if (!string.IsNullOrEmpty(r.Path) && r.Path != "*" && r.Path != path) continue;
                if (r.Page.HasValue && r.Page != page) continue;
                if (r.Kind is not ("latency" or "reorder") && hit != null) continue;
                r.Seen++;
                if (r.Seen <= r.Skip) continue;
                if (r.Count.HasValue && r.Fired >= r.Count) continue;
                if (r.Rate < 1 && _random.NextDouble() >= r.Rate) continue;
                r.Fired++;
                if (r.Kind == "latency") latency += r.LatencyMs;
                else if (r.Kind == "reorder") reorder = r.IgnoreSort || reorder == "all" ? "all" : "ties";
                else hit = r;
            }
            return (latency, hit, reorder);
        }
    }
}
