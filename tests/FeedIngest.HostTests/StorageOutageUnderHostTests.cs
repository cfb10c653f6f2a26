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
        // Every 5 s, so a 10 s outage spans timer occurrences.
        var host = await environment.StartHostAsync("outage", new Dictionary<string, string> { ["HarvestSchedule"] = "*/5 * * * * *" });

        var before = await Poll.UntilAsync(async () => (await environment.Storage.StoredArticlesAsync()).Count,
            n => n >= 2, "the first articles to be stored", diagnostics: environment.Diagnostics);
        Assert.True(before < SingleHostFixture.SampleArticles, "the harvest finished before the outage could interrupt it");
        await environment.Azurite.StopGracefullyAsync();
        // 10 s: the app's own storage calls fail and retry (its SDK retries give up after ~6 s), and timer occurrences
        // fire into it. Longer outages also exhaust the host's queue listener's retries (~25 s): the host then
        // restarts its script host, which func-host's build did not always finish (docs/ARCHITECTURE.md, "Storage outages under the Functions host").
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.False(host.HasExited, host.Tail());
        await environment.Azurite.StartAsync();

        var stored = await Poll.UntilAsync(environment.Storage.StoredArticlesAsync,
            rows => rows.Count == SingleHostFixture.SampleArticles, "every sample article stored after the outage", diagnostics: environment.Diagnostics);
        Assert.All(stored, r => Assert.Equal(1, r.GetInt32("Version")));
        // An article's row is stored before its event is sent (docs/CONTRACT.md: the row is the outbox), so wait for the events.
        var events = await Poll.UntilAsync(() => environment.Storage.PeekAsync("article-events"),
            all => all.Select(ArticleId).Distinct().Count() == SingleHostFixture.SampleArticles, "an event for every stored article", diagnostics: environment.Diagnostics);
        // Events are at least once (docs/CONTRACT.md): an outage between sending an event and marking it sent may send
        // it again — with the same article and version, which is how consumers recognise it. Never a second version.
        Assert.All(events, e => Assert.Equal(1, (int)System.Text.Json.Nodes.JsonNode.Parse(e)!["version"]!));
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

    private static string ArticleId(string articleEvent) => System.Text.Json.Nodes.JsonNode.Parse(articleEvent)!["articleId"]!.ToString();
}
