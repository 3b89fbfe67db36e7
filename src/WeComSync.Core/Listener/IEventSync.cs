using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Model;
using WeComSync.RunLog;

namespace WeComSync.Listener
{
    /// <summary>
    /// One batch of coalesced events the listener hands to the engine: objects of one kind, one direction, either all
    /// upserts or all deletes the rolling guard allowed.
    /// </summary>
    public sealed class SyncBatch
    {
        /// <summary>Upstream (WeCom → Authing) or Downstream (Authing → WeCom); never both.</summary>
        public ListenerDirection Direction { get; set; }
        public ObjectKind Kind { get; set; }

        /// <summary>The last event of each object, in the order they came.</summary>
        public IReadOnlyList<ListenerEvent> Events { get; set; }

        /// <summary>A delete batch: the source no longer has these objects, and the guard allowed their delete/suspend.</summary>
        public bool Deletes { get; set; }

        /// <summary>Plan every object, write nothing.</summary>
        public bool WhatIf { get; set; }

        /// <summary>The events' object ids, in order.</summary>
        public IReadOnlyList<string> Ids
        {
            get
            {
                var ids = new List<string>();
                foreach (var e in Events) ids.Add(e.Kind == ObjectKind.User && !string.IsNullOrEmpty(e.NewId) ? e.NewId : e.Id);
                return ids;
            }
        }
    }

    /// <summary>An object the tool wrote into a service: what its echo (that service's event about it) would show.</summary>
    public sealed class WrittenObject
    {
        /// <summary>The service written to (its events about the object are the echo).</summary>
        public EventSource Service { get; set; }
        public ObjectKind Kind { get; set; }
        public string Id { get; set; }
        public ChangeOperation Operation { get; set; }

        /// <summary>The user as written (creates and updates), to compare the echo's current state with.</summary>
        public User Written { get; set; }

        /// <summary>The fields the change wrote.</summary>
        public IReadOnlyList<string> Fields { get; set; }
    }

    /// <summary>What one batch did.</summary>
    public sealed class BatchOutcome
    {
        /// <summary>The run's summary (its run log), or null when nothing ran.</summary>
        public RunRecord Run { get; set; }

        public List<WrittenObject> Written { get; } = new List<WrittenObject>();

        /// <summary>A failure of the whole batch (already written as an error); the listener goes on.</summary>
        public string Error { get; set; }
    }

    /// <summary>The engine behind the listener: how a batch is synced, and how an object's current state is read for the echo check.</summary>
    public interface IEventSync
    {
        /// <summary>Which directions this sync can run (both connections exist for each).</summary>
        ListenerDirection Available { get; }

        /// <summary>Runs one batch through the engine (on a worker thread); never throws for one object's failure.</summary>
        BatchOutcome Sync(SyncBatch batch, IOutputWriter output);

        /// <summary>The object as its source holds it now (user/get, get-user), or null when it is gone or unreadable.</summary>
        Task<User> ReadCurrentAsync(ListenerEvent e, CancellationToken ct);

        /// <summary>The department paths of the object a delete would remove (the target's record), for the rolling guard.</summary>
        Task<IReadOnlyList<string>> DepartmentsOfAsync(ListenerEvent e, CancellationToken ct);

        /// <summary>Does the source still hold the object? A delete event is acted on only when it does not.</summary>
        Task<bool> ExistsInSourceAsync(ListenerEvent e, CancellationToken ct);
    }
}
