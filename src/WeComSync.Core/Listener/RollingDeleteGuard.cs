using System;
using System.Collections.Generic;
using System.Linq;

namespace WeComSync.Listener
{
    /// <summary>
    /// The listener's delete guard: at most <see cref="MaxPerHour"/> deletes or suspends in any rolling hour, and at most
    /// <see cref="MaxPerDepartment"/> within one department subtree. The first delete past either limit trips it: from
    /// then on no delete is acted on until the listener is started again (each is still logged, as held), because a
    /// flood of deletes is what a mistake in the source looks like — a department of 300 members deleted at 09:00 must
    /// not become 300 deletes. Scheduled runs keep their own guard (-MaxDelete, -MaxDeletePercent) for the held ones.
    /// </summary>
    public sealed class RollingDeleteGuard
    {
        public const int DefaultMaxPerHour = 20;
        public const int DefaultMaxPerDepartment = 5;

        private readonly object _gate = new object();
        private readonly Queue<(DateTimeOffset At, string[] Subtrees)> _taken = new Queue<(DateTimeOffset, string[])>();

        public RollingDeleteGuard(int maxPerHour = DefaultMaxPerHour, int maxPerDepartment = DefaultMaxPerDepartment, TimeSpan? window = null)
        {
            if (maxPerHour < 0 || maxPerDepartment < 0) throw new ArgumentOutOfRangeException(nameof(maxPerHour), "The delete limits cannot be negative.");
            MaxPerHour = maxPerHour;
            MaxPerDepartment = maxPerDepartment;
            Window = window ?? TimeSpan.FromHours(1);
        }

        public int MaxPerHour { get; }
        public int MaxPerDepartment { get; }
        public TimeSpan Window { get; }

        /// <summary>Why the guard tripped (null while it has not): said on screen, in the log and in health.</summary>
        public string TrippedReason { get; private set; }
        public DateTimeOffset? TrippedAt { get; private set; }

        /// <summary>Deletes refused since the guard tripped.</summary>
        public int Held { get; private set; }

        public int TakenInWindow(DateTimeOffset now) { lock (_gate) { Expire(now); return _taken.Count; } }

        /// <summary>
        /// May the listener delete or suspend <paramref name="id"/> now? <paramref name="departments"/> are the object's
        /// department paths ("公司/研发部/后端"; each prefix below the top is a subtree) or ids (each its own subtree).
        /// True takes a slot; false means held, and says why in <paramref name="reason"/>.
        /// </summary>
        public bool TryTake(string id, IEnumerable<string> departments, DateTimeOffset now, out string reason)
        {
            lock (_gate)
            {
                if (TrippedReason != null)
                {
                    Held++;
                    reason = TrippedReason;
                    return false;
                }
                Expire(now);
                var subtrees = Subtrees(departments).ToArray();
                string over = null;
                if (_taken.Count + 1 > MaxPerHour)
                    over = $"more than {MaxPerHour} delete(s)/suspend(s) within {Window.TotalMinutes:0} minutes";
                else
                {
                    foreach (var s in subtrees)
                    {
                        int n = _taken.Count(t => t.Subtrees.Contains(s, StringComparer.Ordinal));
                        if (n + 1 > MaxPerDepartment) { over = $"more than {MaxPerDepartment} delete(s)/suspend(s) within {Window.TotalMinutes:0} minutes in '{s}'"; break; }
                    }
                }
                if (over != null)
                {
                    TrippedAt = now;
                    TrippedReason = $"The listener's delete guard stopped at {id}: {over}. No delete or suspend is acted on until the listener is started again; the held ones are logged. Review them, then run Invoke-WeComUpstreamSync -Mode DeleteOnly or Invoke-WeComDownstreamSync -Delete.";
                    Held++;
                    reason = TrippedReason;
                    return false;
                }
                _taken.Enqueue((now, subtrees));
                reason = null;
                return true;
            }
        }

        private void Expire(DateTimeOffset now)
        {
            while (_taken.Count > 0 && now - _taken.Peek().At >= Window) _taken.Dequeue();
        }

        /// <summary>Each department's subtrees: every path prefix below the top department (the company, which is everyone).</summary>
        internal static IEnumerable<string> Subtrees(IEnumerable<string> departments)
        {
            var result = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in departments ?? Enumerable.Empty<string>())
            {
                if (string.IsNullOrEmpty(d)) continue;
                var parts = d.Split('/');
                if (parts.Length == 1) { result.Add(d); continue; }
                for (int i = 2; i <= parts.Length; i++) result.Add(string.Join("/", parts.Take(i)));
            }
            return result;
        }
    }
}
