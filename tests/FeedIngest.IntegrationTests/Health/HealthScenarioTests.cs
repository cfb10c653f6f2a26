using System.Text.Json.Nodes;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>
/// Per-source health after four CLI harvests (see <see cref="HealthScenario"/>): each broken source shows its
/// cause or drift flag in <c>feedingest status</c> and in exactly one webhook alert; the healthy one shows none.
/// </summary>
[Collection(HealthScenarioCollection.Name)]
public sealed class HealthScenarioTests(HealthScenario scenario)
{
    [Fact]
    public void EveryHarvestRanToTheEnd()
    {
        Assert.Equal(HealthScenario.Runs, scenario.Harvests.Count);
        // Exit code 2: some sources failed (the dead and the blocked host), recorded with reasons.
        Assert.All(scenario.Harvests, h => Assert.True(h.ExitCode == 2, $"exit {h.ExitCode}\n{h.Output}\n{h.Error}"));
    }

    [Fact]
    public async Task StatusPrintsEachSourceWithItsCauseOrDriftFlag()
    {
        var (exit, output, error) = await scenario.RunCliAsync("status");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n');
        string Row(string sourceId) => Assert.Single(lines, l => l.Contains($" {sourceId} ", StringComparison.Ordinal));
        Assert.Contains("failing", Row(HealthScenario.Dead));
        Assert.Contains("connection-refused", Row(HealthScenario.Dead));
        Assert.Contains("failing", Row(HealthScenario.Blocked));
        Assert.Contains("robots-disallowed", Row(HealthScenario.Blocked));
        Assert.Contains("drift", Row(HealthScenario.Changing));
        Assert.Contains("no-date", Row(HealthScenario.Changing));
        Assert.Contains("empty-body", Row(HealthScenario.Changing));
        Assert.Contains(" ok ", Row(HealthScenario.Sample));
        Assert.DoesNotContain("drift", Row(HealthScenario.Sample));
    }

    [Fact]
    public async Task StatusJsonCarriesCountsCausesAndBaselines()
    {
        var (exit, output, error) = await scenario.RunCliAsync("status", "--json", "--runs", "10");

        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(output)!;
        JsonNode Source(string id) => report["sources"]!.AsArray().Single(s => (string?)s!["sourceId"] == id)!;
        var dead = Source(HealthScenario.Dead);
        Assert.Equal(HealthScenario.Runs, (int)dead["consecutiveFailedRuns"]!);
        Assert.Null(dead["lastSuccessAt"]);
        Assert.Equal("connection-refused", (string?)dead["lastRunCause"]);
        Assert.Equal(HealthScenario.Runs, (int)dead["failuresByCause"]!["connection-refused"]!);
        var changing = Source(HealthScenario.Changing);
        Assert.Equal(0, (int)changing["consecutiveFailedRuns"]!);
        Assert.Equal(HealthScenario.Runs * HealthScenario.ArticlesPerRun, (int)changing["stored1d"]!);
        Assert.Equal(1.0, (double)changing["quality"]!["noDateShare"]!);
        Assert.Equal(0.0, (double)changing["quality"]!["baselineNoDateShare"]!);
        Assert.Equal(HealthScenario.Runs - 1, (int)changing["quality"]!["baselineRuns"]!);
        var sample = Source(HealthScenario.Sample);
        Assert.Equal("ok", (string?)sample["state"]);
        Assert.True((int)sample["stored1d"]! > 0);
        Assert.Equal(HealthScenario.Runs, report["runs"]!.AsArray().Count);
        Assert.Contains(report["recentFailures"]!.AsArray(), f => (string?)f!["cause"] == "robots-disallowed");
    }

    [Fact]
    public void EachEpisodeSentExactlyOneAlert()
    {
        var alerts = scenario.Webhook.Alerts.ToList();
        var bySource = alerts.GroupBy(a => (string)a["sourceId"]!).ToDictionary(g => g.Key, g => g.Select(a => (string)a["kind"]!).ToList());

        // Failing alerts fire at the second failed run (FailedRunsBeforeAlert = 2) and not again at the third and fourth.
        Assert.Equal(["failing"], bySource[HealthScenario.Dead]);
        Assert.Equal(["failing"], bySource[HealthScenario.Blocked]);
        Assert.Equal(["drift"], bySource[HealthScenario.Changing]);
        Assert.False(bySource.ContainsKey(HealthScenario.Sample), "the healthy sample portal alerted");
        var dead = alerts.Single(a => (string)a["sourceId"]! == HealthScenario.Dead);
        Assert.Equal("connection-refused", (string?)dead["cause"]);
        Assert.Contains("2 failed runs in a row", (string)dead["text"]!);
        var blocked = alerts.Single(a => (string)a["sourceId"]! == HealthScenario.Blocked);
        Assert.Equal("robots-disallowed", (string?)blocked["cause"]);
        var drift = alerts.Single(a => (string)a["sourceId"]! == HealthScenario.Changing);
        var signals = drift["drift"]!.AsArray().Select(d => (string)d!["signal"]!).ToList();
        Assert.Contains("no-date", signals);
        Assert.Contains("empty-body", signals);
        Assert.Contains("drifted", (string)drift["text"]!);
    }
}
