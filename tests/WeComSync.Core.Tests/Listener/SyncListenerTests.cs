using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Listener;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Listener
{
    /// <summary>An engine that records the batches it is given, and answers reads from a dictionary.</summary>
    internal sealed class RecordingSync : IEventSync
    {
        public ListenerDirection Available { get; set; } = ListenerDirection.Both;
        public ConcurrentQueue<SyncBatch> Batches { get; } = new ConcurrentQueue<SyncBatch>();
        public Dictionary<string, User> Current { get; } = new Dictionary<string, User>();
        public HashSet<string> Existing { get; } = new HashSet<string>();
        public Func<ListenerEvent, IReadOnlyList<string>> DepartmentsOf { get; set; } = e => e.Departments;
        public Func<SyncBatch, BatchOutcome> Outcome { get; set; } = b => new BatchOutcome();
        public ManualResetEventSlim Gate { get; } = new ManualResetEventSlim(true);
        public int Reads;

        public BatchOutcome Sync(SyncBatch batch, IOutputWriter output)
        {
            Batches.Enqueue(batch);
            Gate.Wait();
            return Outcome(batch);
        }

        public Task<User> ReadCurrentAsync(ListenerEvent e, CancellationToken ct)
        {
            Interlocked.Increment(ref Reads);
            return Task.FromResult(Current.TryGetValue(e.Id, out var u) ? u : null);
        }

        public Task<IReadOnlyList<string>> DepartmentsOfAsync(ListenerEvent e, CancellationToken ct) => Task.FromResult(DepartmentsOf(e));
        public Task<bool> ExistsInSourceAsync(ListenerEvent e, CancellationToken ct) => Task.FromResult(Existing.Contains(e.Id));
    }

    /// <summary>
    /// The listener's core without HTTP, on a clock the test moves: coalescing within the window, order per object,
    /// bounded batches, the rolling delete guard and the echo drop.
    /// </summary>
    public sealed class SyncListenerTests
    {
        private DateTimeOffset _now = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);
        private readonly RecordingSync _sync = new RecordingSync();
        private readonly RecordingHost _output = new RecordingHost();

        private SyncListener Listener(ListenerOptions options = null) => new SyncListener(_sync, options ?? new ListenerOptions(), _output, null, () => _now);

        private ListenerEvent Event(EventSource source, string id, EventAction action = EventAction.Updated, params string[] departments) =>
            new ListenerEvent { Source = source, Kind = ObjectKind.User, Id = id, Action = action, Name = "test", ReceivedAt = _now, OccurredAt = _now, Departments = departments };

        [Fact]
        public async Task Five_events_for_one_user_within_the_window_become_one_sync_of_that_user()
        {
            var listener = Listener();
            for (int i = 0; i < 5; i++) Assert.True(listener.Enqueue(Event(EventSource.WeCom, "zhangsan")));
            Assert.Empty(listener.TakeReady(_now, 10));          // still inside the window
            _now += TimeSpan.FromSeconds(1);
            var batch = Assert.Single(listener.TakeReady(_now, 10));
            Assert.Equal(new[] { "zhangsan" }, batch.Ids);
            Assert.Equal(ListenerDirection.Upstream, batch.Direction);
            await listener.ProcessAsync(batch, default);
            Assert.Single(_sync.Batches);
            Assert.Equal(4, listener.Health().Coalesced);
        }

        [Fact]
        public void Events_of_many_users_are_batched_by_direction_and_capped_in_size()
        {
            var listener = Listener(new ListenerOptions { MaxBatchSize = 3 });
            foreach (var id in new[] { "a", "b", "c", "d" }) listener.Enqueue(Event(EventSource.WeCom, id));
            listener.Enqueue(Event(EventSource.Authing, "e"));
            _now += TimeSpan.FromSeconds(1);
            var batches = listener.TakeReady(_now, 10);
            Assert.Equal(new[] { "a,b,c", "d", "e" }, batches.Select(b => string.Join(",", b.Ids)).OrderBy(s => s));
            Assert.Equal(ListenerDirection.Downstream, batches.Single(b => b.Ids.Contains("e")).Direction);
        }

        [Fact]
        public void An_object_whose_sync_is_running_waits_and_its_next_events_follow_in_order()
        {
            var listener = Listener();
            listener.Enqueue(Event(EventSource.WeCom, "zhangsan"));
            _now += TimeSpan.FromSeconds(1);
            var first = Assert.Single(listener.TakeReady(_now, 10));
            // Meanwhile: another WeCom event and an Authing one for the same user.
            listener.Enqueue(Event(EventSource.WeCom, "zhangsan", EventAction.Deleted));
            _now += TimeSpan.FromSeconds(1);
            listener.Enqueue(Event(EventSource.Authing, "zhangsan"));
            _now += TimeSpan.FromSeconds(1);
            Assert.Empty(listener.TakeReady(_now, 10));          // not while the first is running
            Assert.Equal(2, listener.Health().QueueDepth);
            FinishedHook(listener, first);
            var second = Assert.Single(listener.TakeReady(_now, 10));
            Assert.Equal((EventSource.WeCom, EventAction.Deleted), (second.Events[0].Source, second.Events[0].Action));
            FinishedHook(listener, second);
            var third = Assert.Single(listener.TakeReady(_now, 10));
            Assert.Equal(EventSource.Authing, third.Events[0].Source);
        }

        private static void FinishedHook(SyncListener listener, SyncBatch batch) =>
            typeof(SyncListener).GetMethod("Finished", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance).Invoke(listener, new object[] { batch });

        [Fact]
        public void Events_of_a_direction_not_configured_are_logged_and_not_synced()
        {
            var listener = Listener(new ListenerOptions { Direction = ListenerDirection.Upstream });
            listener.Enqueue(Event(EventSource.Authing, "zhangsan"));
            _now += TimeSpan.FromSeconds(1);
            Assert.Empty(listener.TakeReady(_now, 10));
            Assert.Equal(0, listener.Outstanding);
        }

        [Fact]
        public async Task A_department_deleted_with_300_members_does_not_become_300_deletes()
        {
            var listener = Listener(new ListenerOptions { Delete = true, MaxDeletesPerHour = 20, MaxDeletesPerDepartment = 5 });
            for (int i = 0; i < 300; i++) listener.Enqueue(Event(EventSource.WeCom, "m" + i, EventAction.Deleted, "公司/研发部/后端"));
            await listener.DrainAsync(default);
            int acted = _sync.Batches.Where(b => b.Deletes).Sum(b => b.Events.Count);
            Assert.Equal(5, acted);
            var guard = listener.Health().DeleteGuard;
            Assert.True(guard.Tripped);
            Assert.Equal(295, guard.Held);
            // The health view's one line says it too (a nested object would show as its type name).
            Assert.Matches("TRIPPED.*; 295 held$", guard.ToString());
            Assert.Contains(_output.Warnings, w => w.Contains("delete guard") && w.Contains("公司/研发部"));
            Assert.Single(_output.Warnings, w => w.Contains("delete guard"));   // said once, the rest logged
        }

        [Fact]
        public async Task The_hourly_limit_counts_deletes_across_departments_and_trips_for_good()
        {
            var listener = Listener(new ListenerOptions { Delete = true, MaxDeletesPerHour = 3, MaxDeletesPerDepartment = 10 });
            foreach (var d in new[] { "公司/A", "公司/B", "公司/C", "公司/D" }) listener.Enqueue(Event(EventSource.Authing, "u" + d, EventAction.Deleted, d));
            await listener.DrainAsync(default);
            Assert.Equal(3, _sync.Batches.Sum(b => b.Events.Count));
            _now += TimeSpan.FromHours(2);
            listener.Enqueue(Event(EventSource.Authing, "later", EventAction.Deleted, "公司/E"));
            await listener.DrainAsync(default);
            Assert.Equal(3, _sync.Batches.Sum(b => b.Events.Count));   // tripped: held until the listener is started again
        }

        [Fact]
        public async Task Without_Delete_a_delete_event_is_logged_and_nothing_is_synced()
        {
            var listener = Listener();
            listener.Enqueue(Event(EventSource.WeCom, "gone", EventAction.Deleted));
            await listener.DrainAsync(default);
            Assert.Empty(_sync.Batches);
        }

        [Fact]
        public async Task A_delete_event_for_an_object_its_source_still_has_is_synced_as_an_upsert()
        {
            _sync.Existing.Add("back");
            var listener = Listener(new ListenerOptions { Delete = true });
            listener.Enqueue(Event(EventSource.WeCom, "back", EventAction.Deleted));
            await listener.DrainAsync(default);
            var batch = Assert.Single(_sync.Batches);
            Assert.False(batch.Deletes);
            Assert.Equal(0, listener.Health().DeleteGuard.TakenLastHour);
        }

        [Fact]
        public async Task Our_own_write_coming_back_as_an_event_is_dropped_and_a_real_change_is_not()
        {
            var written = new User { UserId = "zhangsan", Name = "张三", Mobile = "13800000000" };
            _sync.Outcome = b => { var o = new BatchOutcome(); o.Written.Add(new WrittenObject { Service = EventSource.WeCom, Kind = ObjectKind.User, Id = "zhangsan", Operation = ChangeOperation.Update, Written = written, Fields = new[] { "Name", "Mobile" } }); return o; };
            var listener = Listener();
            listener.Enqueue(Event(EventSource.Authing, "zhangsan"));           // Authing → WeCom: we write WeCom
            await listener.DrainAsync(default);
            Assert.Single(_sync.Batches);

            _sync.Current["zhangsan"] = new User { UserId = "zhangsan", Name = "张三", Mobile = "+86 138 0000 0000" };
            listener.Enqueue(Event(EventSource.WeCom, "zhangsan"));             // WeCom's callback about our write
            await listener.DrainAsync(default);
            Assert.Single(_sync.Batches);
            Assert.Equal(1, listener.Health().EchoesDropped);

            _sync.Current["zhangsan"] = new User { UserId = "zhangsan", Name = "张三丰", Mobile = "13800000000" };
            listener.Enqueue(Event(EventSource.WeCom, "zhangsan"));             // someone renamed them in WeCom meanwhile
            await listener.DrainAsync(default);
            Assert.Equal(2, _sync.Batches.Count);
        }

        [Fact]
        public void A_full_queue_refuses_new_objects_so_the_service_delivers_again()
        {
            var listener = Listener(new ListenerOptions { MaxPending = 2 });
            Assert.True(listener.Enqueue(Event(EventSource.WeCom, "a")));
            Assert.True(listener.Enqueue(Event(EventSource.WeCom, "b")));
            Assert.True(listener.Enqueue(Event(EventSource.WeCom, "a")));     // coalesces: no new object
            Assert.False(listener.Enqueue(Event(EventSource.WeCom, "c")));
            Assert.Equal(1, listener.Health().Overflowed);
        }

        [Fact]
        public void The_rolling_guard_counts_each_subtree_below_the_company()
        {
            Assert.Equal(new[] { "公司/研发部", "公司/研发部/后端" }, RollingDeleteGuard.Subtrees(new[] { "公司/研发部/后端" }).OrderBy(s => s));
            var guard = new RollingDeleteGuard(100, 2);
            var now = DateTimeOffset.UtcNow;
            Assert.True(guard.TryTake("a", new[] { "公司/研发部/后端" }, now, out _));
            Assert.True(guard.TryTake("b", new[] { "公司/研发部/前端" }, now, out _));
            Assert.False(guard.TryTake("c", new[] { "公司/研发部" }, now, out var reason));   // third in 研发部's subtree
            Assert.Contains("公司/研发部", reason);
        }
    }

    /// <summary>The HTTP host over real HTTP on 127.0.0.1: the endpoints, the refusals' statuses, health; stopped by the test.</summary>
    public sealed class ListenerHostTests
    {
        internal static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        [Fact]
        public async Task Forged_and_real_callbacks_over_HTTP_and_health_shows_what_came()
        {
            var sync = new RecordingSync();
            var now = DateTimeOffset.UtcNow;
            var listener = new SyncListener(sync, new ListenerOptions(), new RecordingHost());
            var wecom = new WeComCallbackHandler(new WeComCallbackCrypto(WeComCallbackHandlerTests.Token, WeComCallbackHandlerTests.AesKey, WeComCallbackHandlerTests.CorpId));
            var authing = new AuthingWebhookHandler(AuthingWebhookHandlerTests.Secret);
            string prefix = $"http://127.0.0.1:{FreePort()}/hooks/";
            using (var host = new ListenerHost(prefix, listener, wecom, authing))
            using (var stop = new CancellationTokenSource())
            using (var http = new HttpClient())
            {
                host.Start();
                var serving = host.ServeAsync(stop.Token);
                try
                {
                    var (q, body) = WeComCallbackHandlerTests.Callback(WeComCallbackHandlerTests.Contact("update_user", "<UserID>zhangsan</UserID>", now), now);
                    string url = prefix + "wecom?" + string.Join("&", q.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value)));
                    var ok = await http.PostAsync(url, new ByteArrayContent(body));
                    Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                    Assert.Equal("", await ok.Content.ReadAsStringAsync());

                    var forged = await http.PostAsync(url.Replace("msg_signature=", "msg_signature=0"), new ByteArrayContent(body));
                    Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

                    var big = await http.PostAsync(url, new ByteArrayContent(new byte[100_000]));
                    Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

                    var webhook = new HttpRequestMessage(HttpMethod.Post, prefix + "authing") { Content = new StringContent("{\"eventName\":\"user:created\",\"data\":{\"username\":\"lisi\"}}", Encoding.UTF8, "application/json") };
                    webhook.Headers.Add(AuthingWebhookHandler.SecretHeader, "guess");
                    Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(webhook)).StatusCode);

                    var health = await http.GetStringAsync(prefix + "health");
                    var json = Newtonsoft.Json.Linq.JObject.Parse(health);
                    Assert.Equal(1, (int)json["QueueDepth"]);
                    Assert.True((int)json["Refused"] >= 3);           // forged, oversized, wrong secret (a client may resend the oversized one)
                    Assert.Equal(1, (int)json["Received"]);
                    Assert.False((bool)json["DeleteGuard"]["Tripped"]);
                    Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(prefix + "elsewhere")).StatusCode);
                }
                finally
                {
                    stop.Cancel();
                    await serving;
                }
            }
        }
    }
}
