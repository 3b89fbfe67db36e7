public class EmulatorPlaceholderTests
{
    [Xunit.Fact]
    public void Emulator_assembly_loads() => Xunit.Assert.NotNull(typeof(Program).Assembly);
}
