using WeComSync.Apply;
using Xunit;

namespace WeComSync.Tests.Apply
{
    public class DeleteGuardTests
    {
        [Fact]
        public void Deletes_within_both_limits_pass() => Assert.Null(new DeleteGuard().Check(5, 1000, "user"));

        [Fact]
        public void No_deletes_always_pass_even_with_an_empty_target() => Assert.Null(new DeleteGuard { MaxDelete = 0 }.Check(0, 0, "user"));

        [Fact]
        public void Count_over_MaxDelete_stops_and_says_what_to_do()
        {
            var message = new DeleteGuard { MaxDelete = 10, MaxDeletePercent = 100 }.Check(11, 1000, "user");
            Assert.Contains("-MaxDelete 10", message);
            Assert.Contains("Nothing was deleted", message);
        }

        [Fact]
        public void Percentage_over_MaxDeletePercent_stops()
        {
            var message = new DeleteGuard { MaxDelete = 1000, MaxDeletePercent = 10 }.Check(11, 100, "department");
            Assert.Contains("11 of 100", message);
            Assert.Contains("-MaxDeletePercent", message);
        }

        [Fact]
        public void Exactly_at_the_limits_passes() => Assert.Null(new DeleteGuard { MaxDelete = 10, MaxDeletePercent = 10 }.Check(10, 100, "user"));

        [Fact]
        public void Force_lets_any_count_through() => Assert.Null(new DeleteGuard { MaxDelete = 0, Force = true }.Check(999, 1000, "user"));

        [Fact]
        public void Deleting_from_an_empty_target_counts_as_everything() =>
            Assert.NotNull(new DeleteGuard { MaxDelete = 100 }.Check(1, 0, "user"));
    }
}
