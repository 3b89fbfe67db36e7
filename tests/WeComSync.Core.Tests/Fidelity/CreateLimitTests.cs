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

        [Theory]
        [InlineData("monthlyCreateLimit", "three times the seat limit")]
        [InlineData("seatLimit", "seat limit is reached")]
        public async Task A_refusal_for_every_create_stops_the_create_step_with_its_reason_once_and_updates_go_on(string setting, string reason)
        {
            Emulator.State.Seed(@"{""wecom"":{""users"":[{""userid"":""seeded"",""name"":""名9999"",""department"":[1],""mobile"":""13900009999""}]}}");
            // One create may still go through: the seeded member holds a seat, so the seat limit is 2.
            await ControlAsync("wecom/settings", setting == "seatLimit" ? "{\"seatLimit\":2}" : "{\"monthlyCreateLimit\":1}");
            // A block longer than MaxWait: the minute (here 100 ms) is waited out, then the longer block stops user/create.
            using var client = WeCom(new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50), RateWindow = TimeSpan.FromMilliseconds(100), MaxWait = TimeSpan.FromSeconds(2) });
            var changes = new[] { Create("1001", 0), Create("1002", 1), Create("1003", 2), Create("1004", 3), UpdateOfSeeded() };

            var results = new PlanApplier(new RecordingHost(), new ApplyOptions { ThrottleLimit = 1 }).Apply(changes, new WeComUserApplier(client));

            var creates = results.Where(r => r.Change.Operation == ChangeOperation.Create).ToList();
            Assert.Equal(1, creates.Count(r => r.Outcome == Outcome.Succeeded));
            var failed = Assert.Single(creates, r => r.Outcome == Outcome.Failed);
            Assert.Contains("create step stops", failed.Error);
            Assert.Contains(reason, failed.Error);
            Assert.Equal(2, creates.Count(r => r.Outcome == Outcome.Skipped && r.Error.Contains(reason)));
            Assert.Equal(Outcome.Succeeded, results.Single(r => r.Change.Operation == ChangeOperation.Update).Outcome);
            Assert.Equal("经理", Emulator.State.WeCom.GetUser("seeded").Position);
            Assert.Equal(2, Emulator.State.WeCom.UserCount);
        }
    }
}
