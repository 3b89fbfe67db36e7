using System.Collections.Concurrent;

namespace WeComSync.Emulator.Control;

/// <summary>
/// Counts every request received per endpoint (path), whatever its outcome, so a test can assert
/// "no write calls" or "N batch calls". Keys are the request path, e.g. <c>/cgi-bin/user/create</c> or
/// <c>/api/v3/create-users-batch</c>.
/// </summary>
public sealed class CallCounters
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Increment(string path) => _counts.AddOrUpdate(path, 1, (_, n) => n + 1);

    /// <summary>Calls received on one path (0 if none).</summary>
    public long Get(string path) => _counts.TryGetValue(path, out var n) ? n : 0;

    /// <summary>A copy of every counter, sorted by path.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() =>
        new SortedDictionary<string, long>(_counts.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);

    public void Clear() => _counts.Clear();
}
