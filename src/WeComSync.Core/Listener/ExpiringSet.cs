using System;
using System.Collections.Concurrent;
using System.Linq;

namespace WeComSync.Listener
{
    /// <summary>
    /// Keys remembered for a while (the replay window): what makes a WeCom retry or a replayed request a duplicate.
    /// Bounded: past <see cref="Capacity"/> the oldest are dropped first, so a flood cannot grow memory without end.
    /// </summary>
    public sealed class ExpiringSet
    {
        private readonly ConcurrentDictionary<string, long> _seen = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly TimeSpan _keep;
        private long _nextSweep;

        public ExpiringSet(TimeSpan keep, int capacity = 200_000)
        {
            _keep = keep;
            Capacity = capacity;
        }

        public int Capacity { get; }
        public int Count => _seen.Count;

        /// <summary>Adds the key; false when it was already there (and not expired): a duplicate.</summary>
        public bool Add(string key, DateTimeOffset now)
        {
            long ticks = now.UtcTicks;
            Sweep(ticks);
            bool added = false;
            _seen.AddOrUpdate(key, _ => { added = true; return ticks; }, (_, old) =>
            {
                if (ticks - old > _keep.Ticks) { added = true; return ticks; }
                return old;
            });
            return added;
        }

        private void Sweep(long now)
        {
            if (now < System.Threading.Interlocked.Read(ref _nextSweep) && _seen.Count < Capacity) return;
            System.Threading.Interlocked.Exchange(ref _nextSweep, now + TimeSpan.FromSeconds(30).Ticks);
            foreach (var pair in _seen)
                if (now - pair.Value > _keep.Ticks) _seen.TryRemove(pair.Key, out _);
            if (_seen.Count >= Capacity)
                foreach (var pair in _seen.OrderBy(p => p.Value).Take(_seen.Count - Capacity / 2).ToList()) _seen.TryRemove(pair.Key, out _);
        }
    }
}
