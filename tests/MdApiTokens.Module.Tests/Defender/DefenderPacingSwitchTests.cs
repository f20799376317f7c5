namespace MdApiTokens.Module.Tests.Defender;

[CollectionDefinition(nameof(DefenderEnvironmentCollection), DisableParallelization = true)]
public sealed class DefenderEnvironmentCollection
{
}

/// <summary>$env:MDAPITOKENS_DEFENDER_PACING (process-wide, so nothing runs beside these).</summary>
[Collection(nameof(DefenderEnvironmentCollection))]
public sealed class DefenderPacingSwitchTests : DefenderTestBase
{
    private const string Variable = "MDAPITOKENS_DEFENDER_PACING";

    [Theory]
    [InlineData("Off", false)]
    [InlineData(" off ", false)]
    [InlineData("On", true)]
    [InlineData(null, true)]
    public void Pacing_Off_in_the_environment_lets_a_long_listing_run_without_waiting(string? value, bool paced)
    {
        Fake.AddIncidents(60);
        Session.SetOverride("DefenderPacer", null);
        var previous = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, value);
        try
        {
            var result = Get(("Top", 1)).Succeeded();

            Assert.Equal(60, result.Output.Count);
            Assert.Equal(paced, Waits.Count > 0);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, previous);
        }
    }
}
