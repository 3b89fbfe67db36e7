using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using Xunit;

namespace WeComSync.Tests.Http
{
    public class AdaptiveConcurrencyTests
    {
        private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(80);

        [Fact]
        public void Starts_at_four_and_doubles_per_round_trip_while_calls_are_fast_but_never_passes_the_ceiling()
        {
            var c = new AdaptiveConcurrency(ceiling: 20);
            Assert.Equal(4, c.Limit);
            for (int i = 0; i < 4; i++) c.OnCall("WeCom user/create", Fast, backPressure: false);
            Assert.Equal(8, c.Limit); // slow start: +1 per answer
            for (int i = 0; i < 100; i++) c.OnCall("WeCom user/create", Fast, backPressure: false);
            Assert.Equal(20, c.Limit);
            Assert.Equal(20, c.Peak);
            Assert.Equal(3, new AdaptiveConcurrency(ceiling: 3).Limit); // a ceiling below the start wins
        }

        [Fact]
        public void Back_pressure_beyond_noise_halves_the_limit_once_per_round_trip_and_growth_is_then_additive()
        {
            var c = new AdaptiveConcurrency(ceiling: 64);
            for (int i = 0; i < 28; i++) c.OnCall("WeCom user/create", Fast, false);
            Assert.Equal(32, c.Limit);
            for (int i = 0; i < 4; i++) c.OnCall("WeCom user/create", TimeSpan.FromSeconds(1), false); // slow (no growth): the round of 32 answers ends
            // One refusal in a round trip's worth of answers is noise (the transport retries it); a service over its
            // limit refuses a share of them: 8 of 32 here (at least a quarter, and two).
            c.OnCall("WeCom user/create", Fast, backPressure: true);
            Assert.Equal(32, c.Limit);
            for (int i = 0; i < 6; i++) c.OnCall("WeCom user/create", Fast, backPressure: true);
            Assert.Equal(32, c.Limit);
            c.OnCall("WeCom user/create", Fast, backPressure: true);
            Assert.Equal(16, c.Limit);
            // The other calls already in flight when the service pushed back (sent before the decrease) do not halve again.
            for (int i = 0; i < 10; i++) c.OnCall("WeCom user/create", TimeSpan.FromSeconds(5), backPressure: true);
            Assert.Equal(16, c.Limit);
            Assert.Equal(1, c.Decreases);
            // Scattered refusals (one per round) never halve it.
            for (int round = 0; round < 5; round++)
            {
                c.OnCall("WeCom user/create", TimeSpan.Zero, backPressure: true); // sent after the decrease: it counts
                for (int i = 0; i < 16; i++) c.OnCall("WeCom user/create", TimeSpan.FromSeconds(1), false); // slow: no growth either
            }
            Assert.Equal(16, c.Limit);
            Assert.Equal(1, c.Decreases);
            // Congestion avoidance: about +1 per round trip (a limit's worth of answers) instead of +1 per answer.
            for (int i = 0; i < 15; i++) c.OnCall("WeCom user/create", Fast, false);
            Assert.Equal(16, c.Limit);
            for (int i = 0; i < 2; i++) c.OnCall("WeCom user/create", Fast, false);
            Assert.Equal(17, c.Limit);
        }

        [Fact]
        public void A_call_much_slower_than_its_API_usually_answers_holds_the_limit_and_each_API_has_its_own_baseline()
        {
            var c = new AdaptiveConcurrency();
            c.OnCall("WeCom user/create", Fast, false);
            Assert.Equal(5, c.Limit);
            // Queued (at the server or for a rate-limit permit): no growth.
            c.OnCall("WeCom user/create", TimeSpan.FromMilliseconds(400), false);
            Assert.Equal(5, c.Limit);
            // Another API that is simply slower is judged against itself, not against user/create.
            c.OnCall("Authing update-user-batch", TimeSpan.FromMilliseconds(400), false);
            Assert.Equal(6, c.Limit);
        }

        [Fact]
        public void Never_more_units_in_flight_than_the_limit_and_waiters_enter_first_come_first_served_as_it_grows()
        {
            var c = new AdaptiveConcurrency(ceiling: 8, initial: 2);
            var first = c.EnterAsync(CancellationToken.None).Result;
            var second = c.EnterAsync(CancellationToken.None).Result;
            var order = new List<int>();
            var waiting = Enumerable.Range(0, 4).Select(i => c.EnterAsync(CancellationToken.None).ContinueWith(t => { lock (order) order.Add(i); return t.Result; })).ToList();
            Assert.Equal(2, c.InFlight);
            Assert.All(waiting, t => Assert.False(t.IsCompleted));

            c.OnCall("Authing list-users", Fast, false); // limit 3: one waiter enters
            Assert.True(waiting[0].Wait(5000));
            Assert.False(waiting[1].IsCompleted);
            first.Dispose();
            first.Dispose(); // a lease is released once
            Assert.True(waiting[1].Wait(5000));
            Assert.Equal(3, c.InFlight);
            second.Dispose();
            Assert.True(waiting[2].Wait(5000));
            waiting[0].Result.Dispose();
            Assert.True(Task.WaitAll(waiting.ToArray(), 5000));
            Assert.Equal(new[] { 0, 1, 2, 3 }, order);
        }

        [Fact]
        public async Task A_cancelled_waiter_gives_up_its_turn_without_taking_a_place()
        {
            var c = new AdaptiveConcurrency(ceiling: 1);
            var held = await c.EnterAsync(CancellationToken.None);
            using var cts = new CancellationTokenSource();
            var cancelled = c.EnterAsync(cts.Token);
            var next = c.EnterAsync(CancellationToken.None);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            held.Dispose();
            (await next).Dispose();
            Assert.Equal(0, c.InFlight);
        }

        [Fact]
        public async Task ForEachAsync_runs_every_item_within_the_limit_and_the_calls_inside_report_to_it()
        {
            var c = new AdaptiveConcurrency(ceiling: 3);
            int inFlight = 0, most = 0, done = 0;
            await c.ForEachAsync(Enumerable.Range(0, 30), async i =>
            {
                int now = Interlocked.Increment(ref inFlight);
                lock (c) most = Math.Max(most, now);
                Assert.Same(c, AdaptiveConcurrency.Current);
                await Task.Delay(5);
                Interlocked.Decrement(ref inFlight);
                Interlocked.Increment(ref done);
            }, CancellationToken.None);
            Assert.Equal(30, done);
            Assert.InRange(most, 1, 3);
            Assert.Null(AdaptiveConcurrency.Current);
        }
    }
}
