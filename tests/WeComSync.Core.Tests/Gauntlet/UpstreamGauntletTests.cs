using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Emulator;
using WeComSync.Emulator.Control;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.Tests.Apply;
using Xunit;

namespace WeComSync.Tests.Gauntlet
{
    /// <summary>
    /// The fault gauntlet for the upstream side (desired directory → Authing) in the core, against the in-process emulator
    /// over HTTP on 127.0.0.1: injected faults, lost answers, a token revoked mid-run, a page that fails for good, the
    /// delete guard, a client-side rate limit and a throttled API. Every run is checked against the emulator's own state
    /// (no duplicates) and call counters, never against the client's view alone.
    /// </summary>
    public sealed class UpstreamGauntletTests : IAsyncLifetime
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Top = "韧性科技";
        private EmulatorServer _server;
        private readonly ConcurrentQueue<string> _trace = new ConcurrentQueue<string>();

        public async Task InitializeAsync() => _server = await EmulatorServer.StartAsync();

        public async Task DisposeAsync() => await _server.DisposeAsync();

        // The connection of each client: what the engine's run takes.
        private readonly Dictionary<AuthingClient, AuthingConnection> _connections = new Dictionary<AuthingClient, AuthingConnection>();

        private AuthingClient Client(RetryOptions retry = null, HttpMessageHandler handler = null)
        {
            var connection = new AuthingConnection(new AuthingSettings
            {
                ApiHost = _server.BaseUrl.ToString(),
                AccessKeyId = EmulatorDefaults.AccessKeyId,
                AccessKeySecret = EmulatorDefaults.AccessKeySecret,
                OrganizationCode = Org,
                Retry = retry ?? FastRetry(),
            }, handler);
            connection.Client.Trace = _trace.Enqueue;
            _connections[connection.Client] = connection;
            return connection.Client;
        }

        private static RetryOptions FastRetry() => new RetryOptions
        {
            MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(40), AttemptTimeout = TimeSpan.FromSeconds(10),
        };

        // ------------------------------------------------------------ the desired side

        private static readonly string[] Paths =
        {
            Top, Top + "/研发部", Top + "/研发部/后端组", Top + "/研发部/前端组", Top + "/销售部", Top + "/销售部/华东", Top + "/销售部/华南", Top + "/运营部",
        };

        private static List<Department> Tree() => Paths.Select(path =>
        {
            var parts = path.Split('/');
            string parent = parts.Length == 1 ? null : string.Join("/", parts.Take(parts.Length - 1));
            return new Department
            {
                Key = path, LinkId = path, ParentKey = parent, ParentLinkId = parent, Name = parts.Last(), Path = path,
                Depth = parts.Length - 1, IsRoot = parts.Length == 1, Source = DirectorySource.WeComExport,
            };
        }).ToList();

        private static List<User> Members(int count) => Enumerable.Range(1, count).Select(i => new User
        {
            UserId = $"g{i:00000}", Name = $"成员{i}", Alias = "", Mobile = $"+86 137{i:00000000}", Email = $"g{i:00000}@example.com", Address = "",
            Gender = i % 2 == 0 ? Gender.Female : Gender.Male, Enabled = true, Source = DirectorySource.WeComExport, Origin = $"gauntlet row {i}",
            Departments = i % 10 == 0 ? new List<string> { Paths[1 + i % 7], Paths[1 + (i + 3) % 7] } : new List<string> { Paths[i % Paths.Length] },
            WithheldFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(User.Position), nameof(User.Telephone), nameof(User.BizMail) },
        }).ToList();

        // ------------------------------------------------------------ one sync: the engine's upstream run

        private sealed class StepPlan
        {
            public StepPlan(IEnumerable<Change> changes) => Changes = changes.ToList();
            public List<Change> Changes { get; }
        }

        private sealed class SyncRun
        {
            public StepPlan DepartmentPlan, UserPlan;
            public List<Result> Results = new List<Result>();
            public int Changes => DepartmentPlan.Changes.Count + UserPlan.Changes.Count;
        }

        /// <summary>
        /// One upstream run, the engine's own (<see cref="WeComSync.Workflow.UpstreamRun"/>, what Invoke-WeComUpstreamSync
        /// runs), with the wanted side given instead of read from a file and the company mapped onto the root.
        /// </summary>
        private async Task<SyncRun> SyncAsync(AuthingClient client, List<Department> departments, List<User> users, ApplyOptions options = null)
        {
            var run = new WeComSync.Workflow.UpstreamRun(_connections[client], new WeComSync.Workflow.UpstreamOptions
            {
                Export = new WeComSync.AddressBook.AddressBookExport(users, departments, null),
                OrganizationCode = Org,
                IgnoreRootDepartment = true,
                ThrottleLimit = options?.ThrottleLimit ?? 0,
            }, new RecordingHost());
            var record = await Task.Run(() => run.Run());
            var read = record.Steps.Single(s => s.Name == "read Authing");
            Assert.True(read.Status == WeComSync.RunLog.RunStatus.Succeeded, "the Authing read failed: " + read.Message);
            IEnumerable<Change> Plan(string step) => run.Plans.TryGetValue(step, out var changes) ? changes : Enumerable.Empty<Change>();
            return new SyncRun { DepartmentPlan = new StepPlan(Plan("departments")), UserPlan = new StepPlan(Plan("users")), Results = run.Results.ToList() };
        }

        private long Calls(string api) => _server.State.Calls.Get("/api/v3/" + api);

        /// <summary>The emulator's own state: one user per userid and link, one department per (parent, name) and link id.</summary>
        private void AssertNoDuplicates(int users, int departments)
        {
            var dump = _server.State.Dump().Authing;
            Assert.Equal(users, dump.Users.Count);
            Assert.Equal(users, dump.Users.Select(u => u.Username).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.Equal(users, dump.Users.Select(u => u.CustomData?[LinkFieldNames.DefaultUserId]?.ToString()).Where(l => l != null).Distinct().Count());
            var depts = dump.Departments.Where(d => d.OrganizationCode == Org).ToList();
            Assert.Equal(departments, depts.Count);
            Assert.Equal(departments, depts.Select(d => d.ParentDepartmentId + "/" + d.Name).Distinct().Count());
            Assert.Equal(departments, depts.Select(d => d.CustomData?[LinkFieldNames.DefaultDepartmentId]?.ToString()).Distinct().Count());
        }

        private async Task InitializeLinkFieldsAsync(AuthingClient client) =>
            await client.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(client, default), default);

        // ------------------------------------------------------------ tests

        [Fact]
        public async Task Ten_percent_busy_5xx_and_429_faults_with_latency_every_change_applied_or_reported_rerun_converges_no_duplicates()
        {
            using var client = Client();
            await InitializeLinkFieldsAsync(client);
            _server.State.Faults.Add(new FaultRule { Api = "authing", Kind = "busy", Rate = 0.04 });
            _server.State.Faults.Add(new FaultRule { Api = "authing", Kind = "http", Status = 503, Rate = 0.03 });
            _server.State.Faults.Add(new FaultRule { Api = "authing", Kind = "throttle", Rate = 0.03 });
            _server.State.Faults.Add(new FaultRule { Api = "authing", Kind = "latency", LatencyMs = 2, Rate = 1 });
            var users = Members(3000);

            var first = await SyncAsync(client, Tree(), users);

            // Every planned change has exactly one result: applied, or failed with the API's code (reported, not lost).
            Assert.Equal(first.Changes, first.Results.Count);
            Assert.All(first.Results, r => Assert.True(r.Outcome == Outcome.Succeeded || r.Outcome == Outcome.Failed && !string.IsNullOrEmpty(r.ErrorCode), r.ToString()));
            Assert.True(_trace.Count(line => line.Contains(": retry ")) > 10, "the faults did not fire"); // they fired and were retried

            // Re-runs with the faults still on pick up whatever failed, and end with nothing to do.
            var again = first;
            for (int i = 0; i < 3 && again.Changes > 0; i++) again = await SyncAsync(client, Tree(), users);
            Assert.Equal(0, again.Changes);
            AssertNoDuplicates(users.Count, Paths.Length - 1); // the top department is the organization's root
        }

        /// <summary>Forwards to the emulator; the first matching call reaches it and is applied, then its answer is lost.</summary>
        private sealed class LoseAnswerHandler : DelegatingHandler
        {
            private readonly string[] _paths;
            private readonly ConcurrentDictionary<string, int> _lost = new ConcurrentDictionary<string, int>();
            public LoseAnswerHandler(params string[] paths) : base(new HttpClientHandler()) => _paths = paths;
            public int Lost => _lost.Values.Sum();

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                var path = _paths.FirstOrDefault(p => request.RequestUri.AbsolutePath.EndsWith("/" + p, StringComparison.Ordinal));
                if (path != null && response.IsSuccessStatusCode && _lost.TryAdd(path, 1))
                {
                    response.Dispose();
                    throw new HttpRequestException("The connection was reset by peer (answer lost after the server applied the call).");
                }
                return response;
            }
        }

        [Fact]
        public async Task A_create_applied_but_its_answer_lost_is_found_and_linked_never_created_twice()
        {
            var handler = new LoseAnswerHandler("create-users-batch", "create-department");
            using var client = Client(handler: handler);
            await InitializeLinkFieldsAsync(client);
            var users = Members(120);

            var run = await SyncAsync(client, Tree(), users);

            Assert.Equal(2, handler.Lost);
            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(3, Calls("create-users-batch")); // the lost batch was not sent again...
            Assert.Equal(0, Calls("create-user"));        // ...nor its users one by one: they were found and linked
            Assert.Equal(Paths.Length - 1, Calls("create-department"));
            AssertNoDuplicates(users.Count, Paths.Length - 1);
            Assert.Equal(0, (await SyncAsync(client, Tree(), users)).Changes);
        }

        [Fact]
        public async Task A_batch_or_single_create_whose_connection_dropped_before_it_arrived_is_checked_then_sent_once_more()
        {
            using var client = Client();
            await InitializeLinkFieldsAsync(client);
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-users-batch", Kind = "drop", Count = 1 });
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-user", Kind = "drop", Count = 1 });
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-department", Kind = "drop", Count = 1 });
            var users = Members(101); // batches of 50, 50 and a single create-user

            var run = await SyncAsync(client, Tree(), users);

            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            // The dropped batch's 50 users are looked up (absent) and created one by one; the single user too; one of these
            // creates is dropped as well, looked up (absent) and sent once more.
            Assert.Equal(50 + 1 + 1, Calls("create-user"));
            Assert.Equal(Paths.Length - 1 + 1, Calls("create-department"));
            AssertNoDuplicates(users.Count, Paths.Length - 1);
        }

        /// <summary>Revokes every Authing token once, when the n-th create-users-batch arrives.</summary>
        private sealed class RevokeTokensHandler : DelegatingHandler
        {
            private readonly EmulatorState _state;
            private readonly int _at;
            private int _seen;
            public RevokeTokensHandler(EmulatorState state, int at) : base(new HttpClientHandler()) { _state = state; _at = at; }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.RequestUri.AbsolutePath.EndsWith("/create-users-batch") && Interlocked.Increment(ref _seen) == _at) _state.AuthingAuth.InvalidateTokens();
                return base.SendAsync(request, cancellationToken);
            }
        }

        [Fact]
        public async Task A_token_revoked_mid_run_is_fetched_again_and_the_run_completes()
        {
            using var client = Client(handler: new RevokeTokensHandler(_server.State, 3));
            await InitializeLinkFieldsAsync(client);
            var users = Members(400);

            var run = await SyncAsync(client, Tree(), users, new ApplyOptions { ThrottleLimit = 1 });

            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.Equal(2, client.TokenFetches);
            Assert.Equal(2, _server.State.AuthingAuth.IssuedTokens.Count);
            Assert.Contains(_trace, line => line.Contains("answered 401"));
            AssertNoDuplicates(users.Count, Paths.Length - 1);
        }

        [Fact]
        public async Task A_listing_page_that_fails_for_good_marks_the_read_incomplete_and_deletes_are_refused_with_the_reason()
        {
            using var client = Client();
            await InitializeLinkFieldsAsync(client);
            var users = Members(300);
            await SyncAsync(client, Tree(), users);
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/list-users", Page = 3, Kind = "busy" });
            _server.State.Calls.Clear();

            var reader = new AuthingDirectoryReader(client);
            var read = await reader.ReadUsersAsync(await reader.ReadDepartmentsAsync(Org, Top, default), null, default);
            var plan = DirectoryComparer.CompareUsers(users.Take(100).ToList(), read.Users, new CompareOptions { Operation = PlanOperation.Delete });
            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { DeleteGuard = new DeleteGuard { Force = true } })
                .Apply(plan.Changes, new AuthingUserApplier(client, Org, Top));

            Assert.False(read.Complete);
            Assert.Equal(250, read.Users.Count);
            Assert.Equal(1 + 3, Calls("list-users") - 5); // page 3: the first attempt and 3 retries, all failed
            Assert.Empty(plan.Changes.Where(c => c.Operation == ChangeOperation.Delete));
            Assert.Contains("not read completely", plan.DeleteRefusedReason);
            Assert.Contains("list-users page 3", plan.DeleteRefusedReason);
            Assert.Empty(results);
            Assert.Equal(0, Calls("delete-users-batch"));
        }

        [Fact]
        public async Task A_delete_count_above_the_guard_stops_before_any_delete()
        {
            using var client = Client();
            await InitializeLinkFieldsAsync(client);
            var users = Members(200);
            await SyncAsync(client, Tree(), users);
            _server.State.Calls.Clear();

            var reader = new AuthingDirectoryReader(client);
            var current = (await reader.ReadUsersAsync(await reader.ReadDepartmentsAsync(Org, Top, default), null, default)).Users;
            var plan = DirectoryComparer.CompareUsers(users.Take(150).ToList(), current, new CompareOptions { Operation = PlanOperation.Delete });
            var guard = Assert.Throws<DeleteGuardException>(() => new PlanApplier(new RecordingHost()).Apply(plan.Changes, new AuthingUserApplier(client, Org, Top)));

            Assert.Equal(50, guard.DeleteCount);
            Assert.Contains("Nothing was deleted", guard.Message);
            Assert.Equal(0, Calls("delete-users-batch"));
            Assert.Equal(200, _server.State.Dump().Authing.Users.Count);
        }

        [Fact]
        public async Task A_client_side_rate_limit_under_the_servers_keeps_a_run_from_ever_being_throttled()
        {
            // The emulator refuses the 31st call of any API within 1 s (HTTP 429 to the window's end); the client allows 20.
            // The client counts when it sends and the emulator when a call arrives: on a loaded machine calls sent apart
            // can arrive bunched, so the margin is a third, not a call or two.
            var retry = FastRetry();
            retry.CallsPerMinute = 20;
            retry.RateWindow = TimeSpan.FromSeconds(1);
            retry.MaxRetries = 0; // a single 429 would fail the run
            using var client = Client(retry);
            await InitializeLinkFieldsAsync(client);
            _server.State.Limits.AddRule(new RateLimitRule { Api = "authing", Limit = 30, WindowSeconds = 1 });
            var users = Members(2000);

            var run = await SyncAsync(client, Tree(), users, new ApplyOptions { ThrottleLimit = 8 });

            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.True(Calls("create-users-batch") >= 40);
            Assert.DoesNotContain(_trace, line => line.Contains("-> 429"));
            AssertNoDuplicates(users.Count, Paths.Length - 1);
        }

        /// <summary>Answers the matching API with 429 and a Retry-After (seconds) without forwarding; counts what it saw.</summary>
        private sealed class ThrottleHandler : DelegatingHandler
        {
            private readonly string _path;
            private readonly int _retryAfterSeconds;
            private int _remaining;
            public int Seen;
            public ThrottleHandler(string path, int retryAfterSeconds, int times) : base(new HttpClientHandler())
            {
                _path = path; _retryAfterSeconds = retryAfterSeconds; _remaining = times;
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.RequestUri.AbsolutePath.EndsWith("/" + _path))
                {
                    Interlocked.Increment(ref Seen);
                    if (Interlocked.Decrement(ref _remaining) >= 0)
                    {
                        var response = new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("{\"statusCode\":429,\"message\":\"too many requests\"}") };
                        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(_retryAfterSeconds));
                        return Task.FromResult(response);
                    }
                }
                return base.SendAsync(request, cancellationToken);
            }
        }

        [Fact]
        public async Task A_throttled_API_within_MaxWait_is_waited_out_once_without_hammering()
        {
            var handler = new ThrottleHandler("create-users-batch", 1, 1);
            var retry = FastRetry();
            retry.MaxWait = TimeSpan.FromSeconds(5);
            using var client = Client(retry, handler);
            await InitializeLinkFieldsAsync(client);
            var users = Members(400);
            var watch = System.Diagnostics.Stopwatch.StartNew();

            var run = await SyncAsync(client, Tree(), users, new ApplyOptions { ThrottleLimit = 4 });

            Assert.All(run.Results, r => Assert.Equal(Outcome.Succeeded, r.Outcome));
            Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), "the block was not waited out");
            Assert.Equal(8 + 1, handler.Seen);                 // 8 batches, one refused; the calls behind it waited instead of being refused too
            Assert.Equal(8, Calls("create-users-batch"));
            AssertNoDuplicates(users.Count, Paths.Length - 1);
        }

        [Fact]
        public async Task A_throttled_API_beyond_MaxWait_stops_the_run_cleanly_saying_when_to_retry_and_skips_the_rest()
        {
            var handler = new ThrottleHandler("create-users-batch", 600, int.MaxValue);
            var retry = FastRetry();
            retry.MaxWait = TimeSpan.FromSeconds(5);
            using var client = Client(retry, handler);
            await InitializeLinkFieldsAsync(client);
            var users = Members(1000);
            var reader = new AuthingDirectoryReader(client);
            var map = await reader.ReadDepartmentsAsync(Org, Top, default);
            new PlanApplier(new RecordingHost()).Apply(DirectoryComparer.CompareDepartments(Tree(), map.ToDepartments(true), null, users, new List<User>()).Changes,
                new AuthingDepartmentApplier(client, Org, Top));
            var plan = DirectoryComparer.CompareUsers(users, new List<User>());
            var emitted = new List<Result>();
            var watch = System.Diagnostics.Stopwatch.StartNew();

            var stop = Assert.Throws<RunStoppedException>(() =>
                new PlanApplier(new RecordingHost(), new ApplyOptions { ThrottleLimit = 4 }).Apply(plan.Changes, new AuthingUserApplier(client, Org, Top), emitted.Add));

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "the run waited for a block longer than MaxWait");
            Assert.Contains("blocked until", stop.Message);
            Assert.Contains("MaxWait", stop.Message);
            Assert.Equal(1000, emitted.Count);                              // every change reported...
            Assert.Equal(1000, stop.Results.Count);
            Assert.All(emitted, r => Assert.NotEqual(Outcome.Succeeded, r.Outcome));
            Assert.Contains(emitted, r => r.Outcome == Outcome.Skipped && r.Error.StartsWith("Not applied, the run stopped:"));
            Assert.True(handler.Seen <= 4, $"the blocked API was called {handler.Seen} times"); // only the calls already in flight
            Assert.Equal(0, Calls("create-user"));                       // no per-user fallback against a blocked API
            Assert.Empty(_server.State.Dump().Authing.Users);
        }
    }
}
