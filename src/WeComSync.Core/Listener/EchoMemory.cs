using System;
using System.Collections.Concurrent;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;

namespace WeComSync.Listener
{
    /// <summary>
    /// What the listener's own runs wrote, per service and object, for a short while: a write into WeCom comes back as
    /// a WeCom callback, a write into Authing as a webhook. An event about such an object whose current state still
    /// equals what was written is our echo and is dropped, so one change never loops between the two services. A real
    /// change made meanwhile shows as a differing field and is synced.
    /// </summary>
    public sealed class EchoMemory
    {
        private readonly ConcurrentDictionary<string, (WrittenObject What, DateTimeOffset At)> _written = new ConcurrentDictionary<string, (WrittenObject, DateTimeOffset)>(StringComparer.Ordinal);

        public EchoMemory(TimeSpan keep) { Keep = keep; }

        public TimeSpan Keep { get; }

        public void Remember(WrittenObject written, DateTimeOffset now)
        {
            if (written?.Id == null) return;
            _written[Key(written.Service, written.Kind, written.Id)] = (written, now);
            if (_written.Count > 10_000)
                foreach (var pair in _written.Where(p => now - p.Value.At > Keep).ToList()) _written.TryRemove(pair.Key, out _);
        }

        /// <summary>What we wrote recently into the service that sent <paramref name="e"/> about its object, or null.</summary>
        public WrittenObject Recent(ListenerEvent e, DateTimeOffset now)
        {
            if (!_written.TryGetValue(Key(e.Source, e.Kind, e.Id), out var entry)) return null;
            if (now - entry.At > Keep) { _written.TryRemove(Key(e.Source, e.Kind, e.Id), out _); return null; }
            return entry.What;
        }

        /// <summary>
        /// Is <paramref name="e"/>, with the object's <paramref name="current"/> state (null: gone), what our write left?
        /// A delete echoes a delete; a suspend or update echoes when every field written still holds the value written
        /// (a field the service withholds counts as the same: unknown is not a difference).
        /// </summary>
        public static bool IsEcho(WrittenObject written, ListenerEvent e, User current)
        {
            if (written == null) return false;
            if (written.Operation == ChangeOperation.Delete) return e.Action == EventAction.Deleted && current == null;
            if (current == null || e.Action == EventAction.Deleted) return false;
            if (written.Kind != ObjectKind.User || written.Written == null) return false;
            foreach (var name in written.Fields ?? Array.Empty<string>())
            {
                var field = UserFields.All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
                // A field the model cannot compare here (a mapped extra field): not proof either way, so not an echo.
                if (field == null) return false;
                if (!field.IsKnown(current)) continue;
                if (!field.IsKnown(written.Written) || !field.Same(written.Written, current)) return false;
            }
            return true;
        }

        private static string Key(EventSource service, ObjectKind kind, string id) => $"{service}|{kind}|{id}";
    }
}
