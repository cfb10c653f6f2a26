using System.Net;
using FeedIngest.HostTests.Infrastructure;

namespace FeedIngest.HostTests;

/// <summary>Storage (Azurite) stops in the middle of a harvest and comes back, while the host keeps running.</summary>
public sealed class StorageOutageUnderHostTests
{
    [SkippableFact]
    public async Task TheHostSurvivesAStorageOutageMidHarvestAndTheWorkIsFinishedWithNothingStoredTwice()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        // Slow article pages, so the outage falls in the middle of the harvest.
        await using var environment = await HostEnvironment.StartAsync(maxConcurrency: 1, portalDelay: TimeSpan.FromMilliseconds(700));
        var host = await environment.StartHostAsync("outage");

        var before = await Poll.UntilAsync(async () => (await environment.Storage.StoredArticlesAsync()).Count,
            n => n >= 2, "the first articles to be stored", diagnostics: environment.Diagnostics);
        Assert.True(before < SingleHostFixture.SampleArticles, "the harvest finished before the outage could interrupt it");
        await environment.Azurite.StopGracefullyAsync();
        await Task.Delay(TimeSpan.FromSeconds(20)); // an outage spanning at least one timer occurrence
        Assert.False(host.HasExited, host.Tail());
        await environment.Azurite.StartAsync();

        var stored = await Poll.UntilAsync(environment.Storage.StoredArticlesAsync,
            rows => rows.Count == SingleHostFixture.SampleArticles, "every sample article stored after the outage", diagnostics: environment.Diagnostics);
        Assert.All(stored, r => Assert.Equal(1, r.GetInt32("Version")));
        var events = await environment.Storage.PeekAsync("article-events");
        Assert.Equal(SingleHostFixture.SampleArticles, events.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e)!["articleId"]!.ToString()).Distinct().Count());
        Assert.Equal(SingleHostFixture.SampleArticles, events.Count);
        // Nothing gave up on the way: no poison message, no URL recorded as failed.
        Assert.Empty(await environment.Storage.PeekAsync("articles-poison"));
        Assert.DoesNotContain(await environment.Storage.RowsAsync("Urls"), r => r.GetString("Status") == "failed");
        Assert.False(host.HasExited, host.Tail());
        using var health = await host.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // And a later occurrence runs to completion over the recovered storage.
        var outageEnded = DateTimeOffset.UtcNow;
        await Poll.UntilAsync(async () => (await environment.Storage.TimerRunsAsync()).Any(r => r.GetDateTimeOffset("StartedAt") > outageEnded && r.GetString("State") == "completed"),
            "a timer run started after the outage to complete", diagnostics: environment.Diagnostics);
    }
}
