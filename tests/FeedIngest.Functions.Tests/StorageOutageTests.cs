using System.Diagnostics;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FeedIngest.Functions.Tests;

/// <summary>Storage goes away in the middle of a harvest and comes back: nothing is lost, nothing is stored twice.</summary>
public sealed class StorageOutageTests(SamplePortalFixture portal, ITestOutputHelper output) : IClassFixture<SamplePortalFixture>
{
    /// <param name="pagesBeforeOutage">Article pages fetched before storage goes away.</param>
    /// <param name="delayMs">Then this long, so the outage cuts the writes at another step.</param>
    [Theory]
    [InlineData(3, 0)]
    [InlineData(5, 30)]
    public async Task AfterAStorageOutageMidRunEveryDiscoveredUrlIsStoredExactlyOnceOrRecordedAsFailedWithItsReason(int pagesBeforeOutage, int delayMs)
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        // Politeness slots are leases in Table Storage; a fetch cut by the outage cannot give its slot back, and the
        // production lease (180 s) would stall the source that long after the outage. Short here, same mechanism.
        await using var host = FunctionsTestHost.Create(azurite.ConnectionString, portal.Server.BaseUrl, storageRetries: 1,
            settings: new Dictionary<string, string?>
            {
                ["FeedIngest:Fetching:SlotLeaseSeconds"] = "5",
                ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "4",
                ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "2",
            });
        var state = new StoredState(azurite.ConnectionString);
        var maxDequeueCount = FunctionsTestHost.MaxDequeueCount;
        var clock = Stopwatch.StartNew();

        await host.Get<HarvestTimer>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        foreach (var message in await host.DrainAsync(StorageNames.DiscoverQueue))
            await host.Get<DiscoverSource>().Run(message, new TestFunctionContext(nameof(DiscoverSource), host.Services, 1), CancellationToken.None);
        var discovered = (await host.PeekAsync(StorageNames.ArticlesQueue)).Select(WorkQueues.Parse<ArticleMessage>).ToList();
        Assert.True(discovered.Count >= 10, $"only {discovered.Count} URLs discovered");

        // The outage starts once a few article pages have been fetched, so it cuts through work in flight.
        var outageAfter = portal.Server.RequestCount + pagesBeforeOutage;
        var outage = Task.Run(async () =>
        {
            while (portal.Server.RequestCount < outageAfter) await Task.Delay(2);
            await Task.Delay(delayMs);
            await azurite.StopGracefullyAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await azurite.StartAsync();
        });
        var process = host.Get<ProcessArticle>();
        var loop = new QueueHostLoop(host.Queue(StorageNames.ArticlesQueue), host.Queue(StorageNames.ArticlesQueue + "-poison"),
            (body, dequeueCount) => process.Run(body, new TestFunctionContext(nameof(ProcessArticle), host.Services, dequeueCount), CancellationToken.None),
            maxDequeueCount, visibilityTimeout: TimeSpan.FromSeconds(2));
        var work = loop.RunUntilEmptyAsync(TimeSpan.FromSeconds(45));
        await outage;
        await work;
        output.WriteLine($"{discovered.Count} URLs, {loop.Invocations} invocations, {loop.Failures} failed during the outage, {clock.Elapsed} in all");

        Assert.True(loop.Failures > 0, "the outage hit no invocation: the test proved nothing");
        var urls = (await state.RowsAsync<UrlEntity>(StorageNames.UrlsTable)).ToDictionary(u => u.RowKey);
        var articles = (await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable)).ToDictionary(a => a.RowKey);
        var blobs = await state.BlobsAsync();
        var raw = await state.BlobsAsync(StorageNames.RawContainer);
        var events = await state.EventsAsync();
        var storedIds = new List<string>();
        foreach (var message in discovered)
        {
            var url = UrlCanonicalizer.Canonicalize(new Uri(message.Url));
            Assert.True(urls.TryGetValue(UrlIndex.Key(url), out var record), $"{url}: lost (no Urls row)");
            if (record.Status == UrlStatus.Failed)
            {
                Assert.False(string.IsNullOrWhiteSpace(record.Reason), $"{url}: failed without a reason");
                Assert.Equal(ArticleStatus.Failed, articles[UrlIndex.Key(url)].Status);
                continue;
            }
            Assert.Equal(UrlStatus.Stored, record.Status);
            var article = articles[record.ArticleId!];
            Assert.Equal(ArticleStatus.Stored, article.Status);
            Assert.Equal(1, article.Version);
            Assert.Contains(article.TextBlob!, blobs.Keys);
            Assert.Equal(await state.BlobTextAsync(article.TextBlob!), System.Text.Json.Nodes.JsonNode.Parse(await state.BlobTextAsync(article.JsonBlob!))!["text"]!.GetValue<string>());
            Assert.Contains(events, e => e.Event.ArticleId == article.RowKey);
            storedIds.Add(article.RowKey);
        }
        Assert.Equal(storedIds.Count, storedIds.Distinct().Count());
        Assert.True(storedIds.Count > 0, "nothing was stored at all");
        // Nothing twice: two blobs and one raw page per stored article, no second version, one event each.
        Assert.Equal(articles.Values.Where(a => a.Status == ArticleStatus.Stored).Select(a => a.RowKey).Order(), storedIds.Order());
        Assert.Equal(2 * storedIds.Count, blobs.Count);
        Assert.Equal(storedIds.Count, raw.Keys.Count(k => storedIds.Any(id => k.Contains(id, StringComparison.Ordinal))));
        // Events are at least once (docs/CONTRACT.md): a send whose record was cut off is sent again, identical.
        Assert.All(events, e => Assert.Equal(1, e.Event.Version));
        Assert.Equal(storedIds.Order(), events.Select(e => e.Event.ArticleId).Distinct().Order());
        Assert.All(events.GroupBy(e => e.Event.ArticleId), g => Assert.Single(g.Select(e => e.Json).Distinct()));
        output.WriteLine($"{storedIds.Count} stored, {urls.Values.Count(u => u.Status == UrlStatus.Failed)} failed, {events.Count} events");
        Assert.Empty(await host.PeekAsync(StorageNames.ArticlesQueue));
    }
}
