using FeedIngest.HostTests.Infrastructure;
using FeedIngest.SamplePortal;
using Xunit.Abstractions;

namespace FeedIngest.HostTests;

/// <summary>The app's start-up and the timer harvest under the real host, seen from storage, the portal and the host log.</summary>
[Collection(SingleHostCollection.Name)]
public sealed partial class HarvestUnderHostTests(SingleHostFixture fixture, ITestOutputHelper output)
{
    /// <summary>The functions the build declares (functions.metadata, what the host indexes).</summary>
    private static readonly string[] Functions = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppBuildOutput.Directory, "functions.metadata")))!
        .AsArray().Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal).ToArray();

    [SkippableFact]
    public void TheHostIndexesEveryFunctionWithoutBindingOrExtensionErrors()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        var log = fixture.Host.LogLines;
        var about = string.Join('\n', log.Where(l => l.Contains("function", StringComparison.OrdinalIgnoreCase)).Take(60));

        Assert.True(Functions.Length >= 8, $"functions.metadata lists {Functions.Length} functions");
        Assert.True(log.Any(l => l.Trim() == $"{Functions.Length} functions loaded"), $"no '{Functions.Length} functions loaded' line:\n{about}");
        foreach (var function in Functions)
            Assert.True(log.Any(l => l.Trim() == $"Host.Functions.{function}"), $"{function} not indexed:\n{about}");
        Assert.Contains(log, l => l.Contains("Loaded extension 'AzureStorageQueues'", StringComparison.Ordinal));
        string[] problems = ["Error indexing method", "not registered", "Method not found", "A host error has occurred", "Could not load", "ListenerException", "Worker failed", "is unable to start"];
        var found = log.Where(l => problems.Any(p => l.Contains(p, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(found.Count == 0, "host log reports problems:\n" + string.Join('\n', found));
    }

    [SkippableFact]
    public async Task ATimerOccurrenceHarvestsThePortalThroughTheQueuesAndTheNextOneStoresNothing()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        var first = await fixture.FirstHarvestAsync();
        output.WriteLine(await fixture.Storage.DescribeRunsAsync());

        Assert.Equal("completed", first.GetString("State"));
        Assert.Equal((SingleHostFixture.SampleArticles, SingleHostFixture.SampleArticles, 0),
            (first.GetInt32("Queued"), first.GetInt32("Stored"), first.GetInt32("Failed")));
        Assert.Equal(1, first.GetInt32("SourcesDone"));
        var stored = await fixture.Storage.StoredArticlesAsync();
        Assert.Equal(SingleHostFixture.SampleArticles, stored.Count);
        Assert.All(stored, row => Assert.Equal(1, row.GetInt32("Version")));
        var blobs = (await fixture.Storage.BlobNamesAsync("articles")).Where(n => !n.StartsWith("versions/", StringComparison.Ordinal) && !n.Contains("/versions/", StringComparison.Ordinal)).ToList();
        Assert.Equal(SingleHostFixture.SampleArticles, blobs.Count(n => n.EndsWith(".json", StringComparison.Ordinal)));
        Assert.Equal(SingleHostFixture.SampleArticles, blobs.Count(n => n.EndsWith(".txt", StringComparison.Ordinal)));
        // Through the queues: the discover and articles triggers did the work.
        Assert.True(fixture.Host.LogContains("Executed 'Functions.DiscoverSource' (Succeeded"), fixture.Host.Tail());
        Assert.True(fixture.Host.LogContains("Executed 'Functions.ProcessArticle' (Succeeded"), fixture.Host.Tail());

        // A later occurrence (started after the first ended) fetches no article page and stores nothing: the feed and
        // listings answer 304 to its conditional GETs, or list only stored articles.
        var articleRequests = ArticleRequests();
        var later = await Poll.UntilAsync(
            async () => (await fixture.Storage.TimerRunsAsync()).FirstOrDefault(r => r.GetDateTimeOffset("StartedAt") > first.GetDateTimeOffset("EndedAt") && r.GetString("State") == "completed"),
            run => run is not null, "a later timer run to complete", diagnostics: () => fixture.Host.Tail());
        Assert.Equal((0, 0, 0), (later!.GetInt32("Queued"), later.GetInt32("Stored"), later.GetInt32("Failed")));
        Assert.Equal(articleRequests, ArticleRequests());
        Assert.Equal(SingleHostFixture.SampleArticles, (await fixture.Storage.StoredArticlesAsync()).Count);

        // Every stored article got exactly one event (a run that overlapped the first may fetch a pending page again; it stores nothing twice).
        var requests = fixture.Portal.RequestsByPath;
        foreach (var article in SamplePortalContent.Articles)
            Assert.True(requests.GetValueOrDefault(article.Path) >= 1, $"the portal never served {article.Path}");
        var events = await fixture.Storage.PeekAsync("article-events");
        Assert.Equal(SingleHostFixture.SampleArticles, events.Count);
        Assert.Equal(SingleHostFixture.SampleArticles, events.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e)!["articleId"]!.ToString()).Distinct().Count());
    }

    [SkippableFact]
    public async Task TheHostLogOfAHarvestHasNoSdkRequestLinesAndNoWarningsForExpectedConditionalWrites()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        var first = await fixture.FirstHarvestAsync();
        // The log as it stood when the harvest completed: the other cases of this host add failures on purpose.
        var log = fixture.LogAtFirstHarvest;

        Assert.DoesNotContain(log, l => l.Contains("Request [", StringComparison.Ordinal) || l.Contains("Response [", StringComparison.Ordinal));
        var warnings = Entries(log).Where(e => e[0].StartsWith("warn:", StringComparison.Ordinal) || e[0].StartsWith("fail:", StringComparison.Ordinal)).Select(e => string.Join(" | ", e)).ToList();
        Assert.DoesNotContain(warnings, w => ConditionalWriteAnswer().IsMatch(w));
        Assert.DoesNotContain(log, l => l.Contains("Start processing HTTP request", StringComparison.Ordinal));

        // Measured for docs: lines from the first occurrence to the first one after the harvest completed.
        var start = Array.FindIndex(log.ToArray(), l => l.Contains("Executing 'Functions.HarvestTimer'", StringComparison.Ordinal));
        output.WriteLine($"run {first.GetString("RunId")}; host log lines from the first timer occurrence to now: {log.Count - start}; warnings/errors: {warnings.Count}");
        foreach (var warning in warnings) output.WriteLine(warning);
    }

    /// <summary>A 412/409 answer as the Azure SDK words it (not a GUID or a line number that happens to hold the digits).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"Status: (412|409)\b|\((412|409)\)|Precondition|ConditionNotMet|EntityAlreadyExists|AlreadyExists")]
    private static partial System.Text.RegularExpressions.Regex ConditionalWriteAnswer();

    private int ArticleRequests() => SamplePortalContent.Articles.Sum(a => fixture.Portal.RequestsByPath.GetValueOrDefault(a.Path));

    /// <summary>Log entries: a "level: category" line with the indented lines under it.</summary>
    internal static List<List<string>> Entries(IReadOnlyList<string> log)
    {
        var entries = new List<List<string>>();
        foreach (var line in log)
        {
            if (line.Length > 5 && line[4] == ':' && !line.StartsWith(' ')) entries.Add([line]);
            else if (entries.Count > 0) entries[^1].Add(line);
        }
        return entries;
    }
}
