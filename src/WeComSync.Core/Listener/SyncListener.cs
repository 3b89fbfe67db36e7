using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Model;

namespace WeComSync.Listener
{
    /// <summary>What the listener is given besides its engine.</summary>
    public sealed class ListenerOptions
    {
        /// <summary>The directions asked for; None: each the connections allow (<see cref="IEventSync.Available"/>).</summary>
        public ListenerDirection Direction { get; set; }

        /// <summary>Act on deletes (as <see cref="DeleteAction"/> says); without it a delete event is logged and left.</summary>
        public bool Delete { get; set; }

        public DeleteAction DeleteAction { get; set; } = DeleteAction.Suspend;

        public int MaxDeletesPerHour { get; set; } = RollingDeleteGuard.DefaultMaxPerHour;
        public int MaxDeletesPerDepartment { get; set; } = RollingDeleteGuard.DefaultMaxPerDepartment;

        /// <summary>Events for one object within this time become one sync.</summary>
        public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMilliseconds(300);

        /// <summary>Most objects in one batch (one run, one run log).</summary>
        public int MaxBatchSize { get; set; } = 50;

        /// <summary>Most batches running at once; their calls share the connections' rate limiters with every other run.</summary>
        public int MaxConcurrentBatches { get; set; } = 2;

        /// <summary>Most objects waiting; past it a request is answered 503, so the service delivers it again later (not lost).</summary>
        public int MaxPending { get; set; } = 100_000;

        /// <summary>How long what a run wrote is remembered to recognise its echo.</summary>
        public TimeSpan EchoWindow { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>On stop, how long running syncs may take to finish before they are interrupted (recorded Interrupted).</summary>
        public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);

        /// <summary>Plan every event, write nothing.</summary>
        public bool WhatIf { get; set; }
    }

    /// <summary>
    /// The output a batch's run writes to: the listener's, with the batch's cancellation (Ctrl+C past the grace time:
    /// Interrupted). ShouldProcess approves: the admin decided once, when starting the listener (-WhatIf runs ask nothing).
    /// </summary>
    internal sealed class BatchOutput : IOutputWriter
    {
        private readonly IOutputWriter _inner;
        public BatchOutput(IOutputWriter inner, CancellationToken cancellation) { _inner = inner; CancellationToken = cancellation; }
        public CancellationToken CancellationToken { get; }
        public bool ShouldProcess(string target, string action) => true;
        public void WriteProgress(string activity, string status, int percentComplete) { }
        public void WriteVerbose(string message) => _inner.WriteVerbose(message);
        public void WriteWarning(string message) => _inner.WriteWarning(message);
        public void WriteError(OutputError error) => _inner.WriteError(error);
        public void WriteTrace(string message) => _inner.WriteTrace(message);
        public void WriteInformation(string message) => _inner.WriteInformation(message);
    }

    /// <summary>What <c>&lt;prefix&gt;health</c> shows.</summary>
    public sealed class ListenerHealth
    {
        public string Status { get; set; }
        public string Direction { get; set; }
        public bool WhatIf { get; set; }
        public DateTimeOffset StartedAt { get; set; }
        public int QueueDepth { get; set; }
        public int InFlight { get; set; }
        public long Received { get; set; }
        public long Refused { get; set; }
        public long Duplicates { get; set; }
        public long Ignored { get; set; }
        public long EchoesDropped { get; set; }
        public long Coalesced { get; set; }
        public long Batches { get; set; }
        public long FailedBatches { get; set; }
        public long Overflowed { get; set; }
        public string LastEvent { get; set; }
        public DateTimeOffset? LastEventAt { get; set; }
        public DeleteGuardHealth DeleteGuard { get; set; }
    }

    public sealed class DeleteGuardHealth
    {
        public bool DeletesEnabled { get; set; }
        public string DeleteAction { get; set; }
        public int MaxPerHour { get; set; }
        public int MaxPerDepartment { get; set; }
        public int TakenLastHour { get; set; }
        public bool Tripped { get; set; }
        public DateTimeOffset? TrippedAt { get; set; }
        public string Reason { get; set; }
        public int Held { get; set; }

        /// <summary>One line for the health view (a nested object would show as its type name).</summary>
        public override string ToString()
        {
            if (!DeletesEnabled) return "deletes off (-Delete not given)";
            string line = $"{DeleteAction}: {TakenLastHour} of {MaxPerHour} this hour, at most {MaxPerDepartment} per department";
            if (Tripped) line += $"; TRIPPED{(TrippedAt.HasValue ? " at " + TrippedAt.Value.ToLocalTime().ToString("HH:mm") : "")}: {Reason}";
            if (Held > 0) line += $"; {Held} held";
            return line;
        }
    }

    /// <summary>
    /// The listener's core, without HTTP: events in (<see cref="Enqueue"/>), coalesced per object within
    /// <see cref="ListenerOptions.CoalesceWindow"/>, in order per object (an object is in at most one running batch; what
    /// comes for it meanwhile waits for the next), batched by direction and kind, run through the engine with bounded
    /// concurrency, echoes dropped, deletes behind the <see cref="RollingDeleteGuard"/>. Never syncs on the request
    /// thread: <see cref="Enqueue"/> only records.
    /// </summary>
    public sealed class SyncListener
    {
        private sealed class Slot
        {
            public string Key;
            public ObjectKind Kind;
            public string Id;
            public readonly Dictionary<EventSource, ListenerEvent> Pending = new Dictionary<EventSource, ListenerEvent>();
            public DateTimeOffset FirstPendingAt;
            public long Order;
            public bool InFlight;
        }

        private readonly object _gate = new object();
        private readonly Dictionary<string, Slot> _slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        private readonly IEventSync _sync;
        private readonly ListenerOptions _options;
        private readonly IOutputWriter _output;
        private readonly Func<DateTimeOffset> _clock;
        private readonly EchoMemory _echo;
        private readonly ListenerLog _log;
        private readonly SemaphoreSlim _signal = new SemaphoreSlim(0);
        private readonly List<Task> _running = new List<Task>();
        private long _order, _received, _refused, _duplicates, _ignored, _echoes, _coalesced, _batches, _failedBatches, _overflowed;
        private int _pendingCount, _inFlight;
        private string _lastEvent;
        private DateTimeOffset? _lastEventAt;
        private string _status = "starting";
        private bool _guardSaid;

        public SyncListener(IEventSync sync, ListenerOptions options, IOutputWriter output, ListenerLog log = null, Func<DateTimeOffset> clock = null)
        {
            _sync = sync ?? throw new ArgumentNullException(nameof(sync));
            _options = options ?? new ListenerOptions();
            _output = output ?? NullOutputWriter.Instance;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            _log = log ?? ListenerLog.None;
            _echo = new EchoMemory(_options.EchoWindow);
            Guard = new RollingDeleteGuard(_options.MaxDeletesPerHour, _options.MaxDeletesPerDepartment);
            Direction = _options.Direction == ListenerDirection.None ? _sync.Available : _options.Direction & _sync.Available;
            StartedAt = _clock();
        }

        public RollingDeleteGuard Guard { get; }
        public EchoMemory Echo => _echo;
        public ListenerDirection Direction { get; }
        public DateTimeOffset StartedAt { get; }

        /// <summary>The directions asked for that the connections do not allow (said at start).</summary>
        public ListenerDirection Unavailable => (_options.Direction == ListenerDirection.None ? ListenerDirection.None : _options.Direction) & ~_sync.Available;

        /// <summary>Takes an accepted event; false when the queue is full (the request is answered 503 and delivered again).</summary>
        public bool Enqueue(ListenerEvent e)
        {
            var now = _clock();
            lock (_gate)
            {
                string key = e.ObjectKey;
                if (!_slots.TryGetValue(key, out var slot))
                {
                    if (_slots.Count >= _options.MaxPending)
                    {
                        _overflowed++;
                        return false;
                    }
                    slot = new Slot { Key = key, Kind = e.Kind, Id = e.Id };
                    _slots[key] = slot;
                }
                if (slot.Pending.Count == 0) { slot.FirstPendingAt = now; slot.Order = ++_order; }
                if (slot.Pending.TryGetValue(e.Source, out var earlier))
                {
                    _coalesced++;
                    // The latest action wins, but a create then delete within the window is still a delete to check.
                    if (earlier.Action == EventAction.Created && e.Action == EventAction.Updated) e.Action = EventAction.Created;
                }
                else _pendingCount++;
                slot.Pending[e.Source] = e;
                _received++;
                _lastEvent = e.ToString();
                _lastEventAt = now;
            }
            _log.Write("event", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, null);
            _signal.Release();
            return true;
        }

        /// <summary>Counts and logs what an endpoint answered without an event (refused, duplicate, ignored). Never the payload.</summary>
        public void Record(string endpoint, EndpointResponse response)
        {
            if (response.Rejected != null)
            {
                Interlocked.Increment(ref _refused);
                _log.Write("refused", endpoint, null, null, response.Rejected);
                _output.WriteVerbose($"Refused a request to {endpoint}: {response.Rejected}.");
            }
            else if (response.Duplicate)
            {
                Interlocked.Increment(ref _duplicates);
                _log.Write("duplicate", endpoint, null, null, null);
            }
            else if (response.Ignored != null)
            {
                Interlocked.Increment(ref _ignored);
                _log.Write("ignored", endpoint, response.Ignored, null, null);
            }
        }

        public ListenerHealth Health()
        {
            var now = _clock();
            lock (_gate)
            {
                return new ListenerHealth
                {
                    Status = Guard.TrippedReason != null ? "listening; deletes held by the delete guard" : _status,
                    Direction = Direction.ToString(),
                    WhatIf = _options.WhatIf,
                    StartedAt = StartedAt,
                    QueueDepth = _pendingCount,
                    InFlight = _inFlight,
                    Received = _received,
                    Refused = Interlocked.Read(ref _refused),
                    Duplicates = Interlocked.Read(ref _duplicates),
                    Ignored = Interlocked.Read(ref _ignored),
                    EchoesDropped = Interlocked.Read(ref _echoes),
                    Coalesced = _coalesced,
                    Batches = Interlocked.Read(ref _batches),
                    FailedBatches = Interlocked.Read(ref _failedBatches),
                    Overflowed = _overflowed,
                    LastEvent = _lastEvent,
                    LastEventAt = _lastEventAt,
                    DeleteGuard = new DeleteGuardHealth
                    {
                        DeletesEnabled = _options.Delete,
                        DeleteAction = _options.DeleteAction.ToString(),
                        MaxPerHour = Guard.MaxPerHour,
                        MaxPerDepartment = Guard.MaxPerDepartment,
                        TakenLastHour = Guard.TakenInWindow(now),
                        Tripped = Guard.TrippedReason != null,
                        TrippedAt = Guard.TrippedAt,
                        Reason = Guard.TrippedReason,
                        Held = Guard.Held,
                    },
                };
            }
        }

        /// <summary>Objects waiting plus objects being synced: zero when the listener has nothing left to do.</summary>
        public int Outstanding { get { lock (_gate) return _pendingCount + _inFlight; } }

        /// <summary>
        /// The batches ready now: objects with events older than the window and no batch running, the earliest first, at
        /// most <paramref name="maxBatches"/> batches. Taking marks each object as running until its batch ends.
        /// </summary>
        internal List<SyncBatch> TakeReady(DateTimeOffset now, int maxBatches, bool ignoreWindow = false)
        {
            var batches = new List<SyncBatch>();
            var skipped = new List<ListenerEvent>();
            lock (_gate)
            {
                var open = new Dictionary<(ListenerDirection, ObjectKind, bool), SyncBatch>();
                foreach (var slot in _slots.Values.Where(s => !s.InFlight && s.Pending.Count > 0 && (ignoreWindow || now - s.FirstPendingAt >= _options.CoalesceWindow)).OrderBy(s => s.Order).ToList())
                {
                    var e = slot.Pending.Values.OrderBy(p => p.ReceivedAt).First();
                    var direction = e.Source == EventSource.WeCom ? ListenerDirection.Upstream : ListenerDirection.Downstream;
                    if ((Direction & direction) == 0)
                    {
                        Remove(slot, e);
                        skipped.Add(e);
                        continue;
                    }
                    // Only users are deleted from events; a department event (deleted too) refreshes the tree, which deletes nothing.
                    var group = (direction, slot.Kind, e.Action == EventAction.Deleted && slot.Kind == ObjectKind.User);
                    if (!open.TryGetValue(group, out var batch) || batch.Events.Count >= _options.MaxBatchSize)
                    {
                        if (batches.Count >= maxBatches) continue;
                        batch = new SyncBatch { Direction = direction, Kind = slot.Kind, Deletes = group.Item3, WhatIf = _options.WhatIf, Events = new List<ListenerEvent>() };
                        open[group] = batch;
                        batches.Add(batch);
                    }
                    ((List<ListenerEvent>)batch.Events).Add(e);
                    Remove(slot, e);
                    slot.InFlight = true;
                    _inFlight++;
                }
            }
            foreach (var e in skipped) _log.Write("skipped", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, $"direction {Direction} does not sync {e.Source} events");
            return batches;
        }

        private void Remove(Slot slot, ListenerEvent e)
        {
            slot.Pending.Remove(e.Source);
            _pendingCount--;
            if (slot.Pending.Count > 0) slot.FirstPendingAt = slot.Pending.Values.Min(p => p.ReceivedAt);
        }

        private void Finished(SyncBatch batch)
        {
            lock (_gate)
            {
                foreach (var e in batch.Events)
                {
                    if (!_slots.TryGetValue(e.ObjectKey, out var slot)) continue;
                    slot.InFlight = false;
                    _inFlight--;
                    if (slot.Pending.Count == 0) _slots.Remove(slot.Key);
                }
            }
            _signal.Release();
        }

        /// <summary>
        /// Dispatches until <paramref name="stop"/> is cancelled, then lets running batches finish for
        /// <see cref="ListenerOptions.ShutdownGrace"/> before interrupting them through <paramref name="interrupt"/>.
        /// Events still waiting then are logged as not synced (the next scheduled run covers them).
        /// </summary>
        public async Task RunAsync(CancellationToken stop, CancellationTokenSource interrupt)
        {
            _status = "listening";
            using (var workers = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentBatches)))
            {
                while (!stop.IsCancellationRequested)
                {
                    try { await _signal.WaitAsync(TimeSpan.FromMilliseconds(50), stop).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                    int free = workers.CurrentCount;
                    if (free == 0) continue;
                    foreach (var batch in TakeReady(_clock(), free))
                    {
                        await workers.WaitAsync().ConfigureAwait(false);
                        var task = Task.Run(async () =>
                        {
                            try { await ProcessAsync(batch, interrupt.Token).ConfigureAwait(false); }
                            finally { workers.Release(); Finished(batch); }
                        });
                        lock (_running) { _running.RemoveAll(t => t.IsCompleted); _running.Add(task); }
                    }
                }
                _status = "stopping";
                Task[] running;
                lock (_running) running = _running.ToArray();
                var all = Task.WhenAll(running);
                if (await Task.WhenAny(all, Task.Delay(_options.ShutdownGrace)).ConfigureAwait(false) != all) interrupt.Cancel();
                try { await all.ConfigureAwait(false); } catch (OperationCanceledException) { }
                List<ListenerEvent> left;
                lock (_gate) left = _slots.Values.SelectMany(s => s.Pending.Values).ToList();
                foreach (var e in left) _log.Write("not synced", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, "the listener stopped before its sync");
                if (left.Count > 0) _output.WriteWarning($"{left.Count} event(s) were not synced before the listener stopped (logged); the next scheduled run covers them.");
                _status = "stopped";
            }
        }

        /// <summary>Runs every ready batch now, ignoring the window, until nothing is outstanding (tests, the bench's drain).</summary>
        internal async Task DrainAsync(CancellationToken ct)
        {
            while (true)
            {
                var batches = TakeReady(_clock(), int.MaxValue, ignoreWindow: true);
                if (batches.Count == 0) { if (Outstanding == 0) return; await Task.Delay(10, ct).ConfigureAwait(false); continue; }
                foreach (var batch in batches)
                {
                    try { await ProcessAsync(batch, ct).ConfigureAwait(false); }
                    finally { Finished(batch); }
                }
            }
        }

        /// <summary>One batch: echoes dropped, deletes through the guard, the rest through the engine, what it wrote remembered.</summary>
        internal async Task ProcessAsync(SyncBatch batch, CancellationToken interrupt)
        {
            var kept = new List<ListenerEvent>();
            var upserts = new List<ListenerEvent>();
            foreach (var e in batch.Events)
            {
                var written = _echo.Recent(e, _clock());
                if (written != null)
                {
                    User current = null;
                    try { current = await _sync.ReadCurrentAsync(e, interrupt).ConfigureAwait(false); }
                    catch (Exception ex) when (!(ex is OperationCanceledException)) { _output.WriteVerbose($"Echo check of {e.ObjectKey} could not read it ({Http.Redaction.Redact(ex.Message)}); synced instead."); }
                    if (EchoMemory.IsEcho(written, e, current))
                    {
                        Interlocked.Increment(ref _echoes);
                        _log.Write("echo", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, "our own write came back; dropped");
                        continue;
                    }
                }
                if (!batch.Deletes) { kept.Add(e); continue; }
                // A delete event is a hint: the source is asked whether the object is really gone.
                bool exists;
                try { exists = await _sync.ExistsInSourceAsync(e, interrupt).ConfigureAwait(false); }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    _log.Write("not synced", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, "its source could not be read: no delete");
                    _output.WriteWarning($"{e.ObjectKey}: a delete event, but its source could not be read ({Http.Redaction.Redact(ex.Message)}): nothing deleted.");
                    continue;
                }
                if (exists) { upserts.Add(e); continue; }
                if (!_options.Delete)
                {
                    _log.Write("delete not acted on", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, "the listener runs without -Delete");
                    _output.WriteVerbose($"{e}: gone from {e.Source}; not deleted (the listener runs without -Delete).");
                    continue;
                }
                IReadOnlyList<string> departments;
                try { departments = await _sync.DepartmentsOfAsync(e, interrupt).ConfigureAwait(false); }
                catch (Exception ex) when (!(ex is OperationCanceledException)) { departments = e.Departments; }
                if (!Guard.TryTake(e.Id, departments ?? e.Departments, _clock(), out string reason))
                {
                    _log.Write("delete held", e.Source.ToString().ToLowerInvariant(), e.Name, e.ObjectKey, reason);
                    bool say;
                    lock (_gate) { say = !_guardSaid; _guardSaid = true; }
                    if (say) _output.WriteWarning(reason);
                    else _output.WriteVerbose($"{e}: delete held by the delete guard.");
                    continue;
                }
                kept.Add(e);
            }
            if (kept.Count > 0) RunBatch(batch, kept, batch.Deletes, interrupt);
            if (upserts.Count > 0) RunBatch(batch, upserts, false, interrupt);
        }

        private void RunBatch(SyncBatch template, List<ListenerEvent> events, bool deletes, CancellationToken interrupt)
        {
            var batch = new SyncBatch { Direction = template.Direction, Kind = template.Kind, Deletes = deletes, WhatIf = template.WhatIf, Events = events };
            Interlocked.Increment(ref _batches);
            BatchOutcome outcome;
            try { outcome = _sync.Sync(batch, new BatchOutput(_output, interrupt)); }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                outcome = new BatchOutcome { Error = Http.Redaction.Redact(ex.Message) };
                _output.WriteWarning($"A {batch.Direction} sync of {events.Count} object(s) failed: {outcome.Error}");
            }
            if (outcome.Error != null) Interlocked.Increment(ref _failedBatches);
            var now = _clock();
            foreach (var w in outcome.Written) _echo.Remember(w, now);
            _log.Write("batch", batch.Direction.ToString().ToLowerInvariant(), deletes ? "deletes" : "upserts", string.Join(",", events.Select(e => e.ObjectKey)),
                outcome.Error ?? (outcome.Run == null ? null : $"{outcome.Run.Status} {outcome.Run.RunId}"));
        }
    }
}
