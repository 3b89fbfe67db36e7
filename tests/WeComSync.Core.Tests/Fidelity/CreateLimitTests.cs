using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using WeComSync.Apply;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.Tests.Apply;
using WeComSync.WeCom;
using Xunit;

namespace WeComSync.Tests.Fidelity
{
    /// <summary>
    /// Refusals that hold for every create: the seat limit (45024) and the monthly limit on new members, three times the
    /// seats ("每企业创建账号数不可超过账号上限数*3/月", document/path/90454), refused with 45009 and blocked for 30 days.
    /// </summary>
    public sealed class CreateLimitTests : FidelityTestBase
    {
        private static User Member(string id) => new User
        {
            Source = DirectorySource.Authing, SourceId = "a-" + id, Username = id, Name = "名" + id, Mobile = "+86 1390000" + id.PadLeft(4, '0').Substring(0, 4),
            Departments = new List<string> { "1" }, Enabled = true,
        };

        private static Change Create(string id, int seq) => new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = id, Desired = Member(id), Sequence = seq };

        private Change UpdateOfSeeded()
        {
            var desired = Member("9999");
            desired.UserId = "seeded";
            desired.Position = "经理";
            return new Change
            {
                Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "seeded", Desired = desired, Sequence = 100,
                Current = new User { Source = DirectorySource.WeComApi, UserId = "seeded", SourceId = "seeded", Name = "名9999", Departments = new List<string> { "1" } },
                Fields = { new FieldChange("Position", null, "经理") },
            };
        }

        [Fact]
        public async Task The_seat_limit_stops_the_create_step_with_its_reason_once_and_updates_go_on()
        {
            Emulator.State.Seed(@"{""wecom"":{""users"":[{""userid"":""seeded"",""name"":""名9999"",""department"":[1],""mobile"":""13900009999""}]}}");
            await ControlAsync("wecom/settings", "{\"seatLimit\":2}"); // the seeded member holds one seat: one create goes through
            using var client = WeCom();
            var changes = new[] { Create("1001", 0), Create("1002", 1), Create("1003", 2), Create("1004", 3), UpdateOfSeeded() };

            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { ThrottleLimit = 1 }).Apply(changes, new WeComUserApplier(client));

            var creates = results.Where(r => r.Change.Operation == ChangeOperation.Create).ToList();
            Assert.Equal(1, creates.Count(r => r.Outcome == Outcome.Succeeded));
            var failed = Assert.Single(creates, r => r.Outcome == Outcome.Failed);
            Assert.Contains("create step stops", failed.Error);
            Assert.Contains("seat limit is reached", failed.Error);
            Assert.Equal(2, creates.Count(r => r.Outcome == Outcome.Skipped && r.Error.Contains("seat limit is reached")));
            Assert.Equal(2, Calls("/cgi-bin/user/create")); // the skipped creates were not sent
            Assert.Equal(Outcome.Succeeded, results.Single(r => r.Change.Operation == ChangeOperation.Update).Outcome);
            Assert.Equal("经理", Emulator.State.WeCom.GetUser("seeded").Position);
        }

        [Fact]
        public async Task Past_the_monthly_create_limit_user_create_is_blocked_and_the_run_stops_once_saying_it_may_be_the_month()
        {
            await ControlAsync("wecom/settings", "{\"monthlyCreateLimit\":1}");
            // A block longer than MaxWait: the minute (here 100 ms) is waited out, then the longer block stops the run.
            using var client = WeCom(new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50), RateWindow = TimeSpan.FromMilliseconds(100), MaxWait = TimeSpan.FromSeconds(2) });
            var changes = new[] { Create("1001", 0), Create("1002", 1), Create("1003", 2), Create("1004", 3) };

            var stopped = Assert.Throws<RunStoppedException>(() => new PlanApplier(new RecordingHost(), new ApplyOptions { ThrottleLimit = 1 }).Apply(changes, new WeComUserApplier(client)));

            Assert.Contains("three times the seat limit of new members per month", stopped.Message);
            var creates = stopped.Results.Where(r => r.Change.Operation == ChangeOperation.Create).ToList();
            Assert.Equal(1, creates.Count(r => r.Outcome == Outcome.Succeeded));
            Assert.Single(creates, r => r.Outcome == Outcome.Failed);
            Assert.Equal(2, creates.Count(r => r.Outcome == Outcome.Skipped));
            Assert.Equal(1, Emulator.State.WeCom.UserCount);
        }
    }
}
