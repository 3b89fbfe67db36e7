using WeComSync.Normalization;
using Xunit;

namespace WeComSync.Tests.Normalization
{
    public class NormalizationTests
    {
        [Theory]
        [InlineData("13800000000", "+86 13800000000")]
        [InlineData(" 138-0000-0000 ", "+86 13800000000")]
        [InlineData("+86 13800000000", "+86 13800000000")]
        [InlineData("+8613800000000", "+86 13800000000")]
        [InlineData("008613800000000", "+86 13800000000")]
        [InlineData("＋８６ １３８００００００００", "+86 13800000000")]
        [InlineData("+852 59001234", "+852 59001234")]
        [InlineData("+85259001234", "+852 59001234")]
        [InlineData("+85259****24", "+85259****24")]
        [InlineData("", "")]
        [InlineData("\u3000", "")]
        [InlineData(null, null)]
        public void Mobile_numbers_normalise_to_one_form(string input, string expected) =>
            Assert.Equal(expected, MobileNumber.Normalize(input));

        [Fact]
        public void Split_gives_authing_country_code_and_number()
        {
            Assert.Equal(("+86", "13800000000"), MobileNumber.Split("+86 13800000000"));
            Assert.Equal(((string)null, ""), MobileNumber.Split(""));
        }

        [Theory]
        [InlineData("\u3000张三 ", "张三")]
        [InlineData("\u200B李四\u00A0", "李四")]
        [InlineData("   ", "")]
        [InlineData(null, null)]
        public void Clean_trims_full_width_and_invisible_spaces(string input, string expected) =>
            Assert.Equal(expected, Text.Clean(input));
    }
}
