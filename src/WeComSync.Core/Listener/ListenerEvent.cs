using System;
using System.Collections.Generic;
using WeComSync.Model;

namespace WeComSync.Listener
{
    /// <summary>Which service sent an event.</summary>
    public enum EventSource
    {
        WeCom,
        Authing,
    }

    public enum EventAction
    {
        Created,
        Updated,
        Deleted,
    }

    /// <summary>Which way the listener syncs: WeCom events into Authing (Upstream), Authing events into WeCom (Downstream), or both.</summary>
    [Flags]
    public enum ListenerDirection
    {
        None = 0,
        Upstream = 1,
        Downstream = 2,
        Both = Upstream | Downstream,
    }

    /// <summary>
    /// One change event as the listener understood it: which object, in which service, what happened. The event body is
    /// only a hint: each sync reads the object's current state from its source before it plans anything.
    /// </summary>
    public sealed class ListenerEvent
    {
        public EventSource Source { get; set; }
        public ObjectKind Kind { get; set; }
        public EventAction Action { get; set; }

        /// <summary>
        /// The object's id in WeCom terms, which is the link key both ways: a member's userid (= the Authing username /
        /// link field), a department's WeCom id. For an Authing department, its Authing department id.
        /// </summary>
        public string Id { get; set; }

        /// <summary>A WeCom update_user that changed the userid: the new one (NewUserID).</summary>
        public string NewId { get; set; }

        /// <summary>The Authing user id, when the event came from Authing.</summary>
        public string AuthingUserId { get; set; }

        /// <summary>The departments the event names for the object (WeCom ids for WeCom events), if any.</summary>
        public IReadOnlyList<string> Departments { get; set; }

        /// <summary>The service's own event name ("change_contact/update_user", "user:updated").</summary>
        public string Name { get; set; }

        /// <summary>When the service says the change happened (WeCom CreateTime), else when it was received.</summary>
        public DateTimeOffset OccurredAt { get; set; }

        public DateTimeOffset ReceivedAt { get; set; }

        /// <summary>The per-object key: events for one object coalesce and keep their order under it, whichever service sent them.</summary>
        public string ObjectKey => ObjectKeyOf(Kind, Id);

        public static string ObjectKeyOf(ObjectKind kind, string id) => (kind == ObjectKind.User ? "user:" : "department:") + id;

        public override string ToString() => $"{Source} {Name} {Kind} {Id}";
    }

    /// <summary>What the listener answers a request with, and the events it took from it.</summary>
    public sealed class EndpointResponse
    {
        public int Status { get; set; } = 200;
        public string Body { get; set; } = "";
        public string ContentType { get; set; } = "text/plain; charset=utf-8";
        public List<ListenerEvent> Events { get; } = new List<ListenerEvent>();

        /// <summary>Why the request was refused (a <see cref="CallbackRejectedException.Reason"/>); null when accepted.</summary>
        public string Rejected { get; set; }

        /// <summary>A retry or replay of a request already taken: answered as success, nothing queued.</summary>
        public bool Duplicate { get; set; }

        /// <summary>An accepted event of a kind the listener does not act on (update_tag, a test event …).</summary>
        public string Ignored { get; set; }

        public static EndpointResponse Refuse(int status, CallbackRejectedException e) => new EndpointResponse { Status = status, Body = status == 413 ? "payload too large" : "refused", Rejected = e.Reason };
    }
}
