using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FeedIngest.HostTests.Infrastructure;

namespace FeedIngest.HostTests;

/// <summary>Two instances of the app over one storage account, as Azure runs it when it scales out.</summary>
public sealed partial class TwoHostsTests
{
    private const int SourceConcurrency = 2;

    [SkippableFact]
    public async Task TwoHostsFireEachOccurrenceOnceStoreEveryArticleOnceAndKeepThePortalsConcurrencyLimit()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        // Slow answers, so requests from the two instances overlap if the per-host limit does not hold across them.
        await using var environment = await HostEnvironment.StartAsync(maxConcurrency: SourceConcurrency, portalDelay: TimeSpan.FromMilliseconds(300));
        // Batches of 2 (host.json has 8): otherwise one instance can take all 13 articles in its first two batches while
        // the other sleeps out its polling back-off, and "both instances worked" below would depend on timing.
        var smallBatches = new Dictionary<string, string>
        {
            ["AzureFunctionsJobHost__extensions__queues__batchSize"] = "2",
            ["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "1",
        };
        var hosts = await Task.WhenAll(environment.StartHostAsync("one", smallBatches), environment.StartHostAsync("two", smallBatches));

        var runs = await Poll.UntilAsync(environment.Storage.TimerRunsAsync,
            rows => rows.Count(r => r.GetString("State") == "completed") >= 2 && rows.Where(r => r.GetString("State") == "completed").Sum(r => r.GetInt32("Stored") ?? 0) >= SingleHostFixture.SampleArticles,
            "two completed timer runs that stored the sample articles", diagnostics: environment.Diagnostics);

        // Each occurrence fired on exactly one instance (the timer's singleton lock), and started one run.
        var fired = hosts.SelectMany(h => h.LogLines.Select(l => TimerFired().Match(l)).Where(m => m.Success).Select(m => (Host: h.Name, Occurrence: m.Groups[1].Value[..19]))).ToList();
        var twice = fired.GroupBy(f => f.Occurrence).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.Host))}").ToList();
        Assert.True(twice.Count == 0, "occurrences fired on both hosts: " + string.Join("; ", twice));
        Assert.True(fired.Count >= runs.Count, $"{fired.Count} timer invocations for {runs.Count} runs");

        // Every article stored exactly once, with one event for its one version.
        var stored = await environment.Storage.StoredArticlesAsync();
        Assert.Equal(SingleHostFixture.SampleArticles, stored.Count);
        Assert.All(stored, r => Assert.Equal(1, r.GetInt32("Version")));
        var events = (await environment.Storage.PeekAsync("article-events")).Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal(SingleHostFixture.SampleArticles, events.Count);
        Assert.Equal(stored.Select(r => r.RowKey).Order(), events.Select(e => (string)e["articleId"]!).Order());
        Assert.All(events, e => Assert.Equal(1, (int)e["version"]!));

        // Both instances worked (the articles queue is shared), and together they stayed within the source's limit.
        Assert.All(hosts, h => Assert.True(h.LogContains("Executed 'Functions.ProcessArticle' (Succeeded"), $"host {h.Name} processed no article\n{h.Tail()}"));
        Assert.InRange(environment.Portal.MaxConcurrentRequests, 1, SourceConcurrency);
        Assert.Empty(await environment.Storage.PeekAsync("articles-poison"));
    }

    [GeneratedRegex(@"Executing 'Functions\.HarvestTimer' \(Reason='Timer fired at (\S+)'")]
    private static partial Regex TimerFired();
}
