using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Cli;

/// <summary>
/// The plumbing of <c>feedingest bench harvest</c>, through the real CLI process on a tiny portal: the generated
/// portal, its own Azurite, 1 and then 2 <c>feedingest work</c> processes sharing the queues, the re-harvest. The
/// counts are asserted (every article stored exactly once, fetched once, nothing on the re-harvest), never timings.
/// </summary>
public sealed class BenchHarvestCliTests
{
    private const int Articles = 20;

    [Fact]
    public async Task EveryArticleIsStoredOnceWithOneAndTwoWorkersAndTheReharvestFetchesNone()
    {
        var azurite = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        Assert.True(File.Exists(azurite), $"Azurite is not installed at {azurite}: run `npm ci` in the repo root");

        await using var cli = CliProcess.Start(new Dictionary<string, string?>(),
            "bench", "harvest", "--articles", Articles.ToString(), "--hosts", "4", "--workers", "1,2", "--ceiling-ops", "50", "--azurite", azurite);
        // Two harvests with fresh Azurites and worker processes, and a re-harvest: minutes on a loaded machine (a hang guard only).
        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(10));
        var output = cli.Output;

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{cli.Error}");
        foreach (var workers in new[] { 1, 2 })
        {
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith($"workers={workers} ", StringComparison.Ordinal));
            Assert.Contains($"articles={Articles} stored={Articles} stored-rows={Articles} duplicates=0 failed=0 article-fetches={Articles} ", line);
            Assert.Matches(@"requests/article=\d+\.\d\d conflicts/article=\d+\.\d{3} cpu-ms/article ours=\d+\.\d azurite=\d+\.\d peak-mb/worker=\d+", line);
        }
        // Requests are counted by what they address: tables, containers and queues each appear.
        var byResource = output.Split('\n').Where(l => l.StartsWith("  requests/article by resource:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, byResource.Count);
        Assert.All(byResource, l => Assert.Matches(@"table Urls \d.*", l));
        Assert.All(byResource, l => Assert.Contains("blob articles ", l));
        Assert.All(byResource, l => Assert.Contains("queue articles ", l));
        Assert.Matches(@"azurite write ceiling: blob uploads/s=\d+ table upserts/s=\d+", output);

        var again = Assert.Single(output.Split('\n'), l => l.StartsWith("re-harvest ", StringComparison.Ordinal));
        Assert.Matches(@"article-fetches=0 portal-requests=\d+ stored=0 ", again);
        Assert.Contains("counts ok: every article stored exactly once", output);
    }
}
