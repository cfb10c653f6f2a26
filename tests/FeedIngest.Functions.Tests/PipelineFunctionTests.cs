using System.Globalization;
using System.Text.Json.Nodes;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.SamplePortal;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FeedIngest.Functions.Tests;

/// <summary>
/// The harvest and reprocess as the Functions host runs them, one stage at a time: each function is
/// resolved from the app's DI and called with the message the previous stage left on its queue.
/// </summary>
public sealed class PipelineFunctionTests(PrivateAzuriteFixture storage, SamplePortalFixture portal)
    : IClassFixture<PrivateAzuriteFixture>, IClassFixture<SamplePortalFixture>
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    [Fact]
    public async Task AHarvestThroughTheQueuesStoresEveryArticleOnceAndAnArchiveReprocessNeedsNoNetwork()
    {
        await using var host = FunctionsTestHost.Create(storage.ConnectionString, portal.Server.BaseUrl);
        var state = new StoredState(storage.ConnectionString);
        var expected = SamplePortalContent.Articles.ToDictionary(a => UrlCanonicalizer.ArticleId(a.CanonicalUrl));
        await WaitOutMinuteBoundaryAsync();

        // 1. The timer starts a run and queues one discover message per enabled source, once per occurrence.
        await host.Get<HarvestTimer>().Run(new TimerInfo(), CancellationToken.None);
        await host.Get<HarvestTimer>().Run(new TimerInfo { IsPastDue = true }, CancellationToken.None);
        var discover = await host.DrainAsync(StorageNames.DiscoverQueue);
        var discoverMessage = WorkQueues.Parse<DiscoverMessage>(Assert.Single(discover));
        Assert.Equal(FunctionsTestHost.SourceId, discoverMessage.SourceId);
        var run = Assert.Single(await state.RowsAsync<RunEntity>(StorageNames.RunsTable), r => r.PartitionKey == RunEntity.Partition && r.RunId == discoverMessage.RunId);
        Assert.Equal(RunState.Running, run.State);

        // 2. Discovery queues one articles message per article page of the portal.
        await host.Get<DiscoverSource>().Run(discover[0], new TestFunctionContext(nameof(DiscoverSource), host.Services, 1), CancellationToken.None);
        var articleBodies = await host.DrainAsync(StorageNames.ArticlesQueue);
        var articleMessages = articleBodies.Select(WorkQueues.Parse<ArticleMessage>).ToList();
        Assert.Equal(
            SamplePortalContent.Articles.Select(a => a.Path).Order(StringComparer.Ordinal),
            articleMessages.Select(m => new Uri(m.Url).AbsolutePath).Order(StringComparer.Ordinal));
        Assert.All(articleMessages, m => Assert.Equal(discoverMessage.RunId, m.RunId));

        // 3. Each article: the first message delivered twice at once, the rest once.
        var process = host.Get<ProcessArticle>();
        await Task.WhenAll(Deliver(host, process, articleBodies[0]), Deliver(host, process, articleBodies[0]));
        foreach (var body in articleBodies.Skip(1)) await Deliver(host, process, body);

        var rows = (await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable)).ToDictionary(r => r.RowKey);
        var blobs = await state.BlobsAsync();
        var events = await state.EventsAsync();
        Assert.Equal(expected.Keys.Order(), rows.Keys.Order());
        Assert.Equal(2 * expected.Count, blobs.Count);
        Assert.Equal(expected.Count, events.Count);
        foreach (var (articleId, article) in expected)
        {
            var row = rows[articleId];
            Assert.Equal(ArticleStatus.Stored, row.Status);
            Assert.Equal(FunctionsTestHost.SourceId, row.PartitionKey);
            Assert.Equal(article.CanonicalUrl, row.CanonicalUrl);
            Assert.Equal(1, row.Version);
            var day = article.PublishedAt.ToOffset(Vietnam);
            var stem = string.Create(CultureInfo.InvariantCulture, $"{FunctionsTestHost.SourceId}/{day:yyyy}/{day:MM}/{day:dd}/{articleId}");
            Assert.Equal(stem + ".txt", row.TextBlob);
            Assert.Equal(stem + ".json", row.JsonBlob);
            var documentJson = await state.BlobTextAsync(row.JsonBlob!);
            Assert.Empty(ContractSchemas.Article.Violations(documentJson));
            var document = JsonNode.Parse(documentJson)!;
            Assert.Equal(await state.BlobTextAsync(row.TextBlob!), (string?)document["text"]);
            Assert.Equal(row.ContentHash, (string?)document["contentHash"]);
            Assert.Equal(row.ContentHash, blobs[row.TextBlob!].Metadata["contentHash"]);
            Assert.Equal(ArticleExtractor.Version, blobs[row.JsonBlob!].Metadata["extractorVersion"]);
            var (articleEvent, eventJson) = Assert.Single(events, e => e.Event.ArticleId == articleId);
            Assert.Empty(ContractSchemas.ArticleEvent.Violations(eventJson));
            Assert.Equal(new ArticleEvent(articleId, FunctionsTestHost.SourceId, row.Url!, row.JsonBlob!, 1, row.ContentHash!, ArticleChange.Created) { ClusterId = row.ClusterId, Attachments = row.AttachmentCount }, articleEvent);
        }
        var urls = (await state.RowsAsync<UrlEntity>(StorageNames.UrlsTable)).Where(u => UrlIndex.IsUrlRow(u.RowKey)).ToList();
        Assert.Equal(expected.Count, urls.Count);
        Assert.All(urls, u => Assert.Equal(UrlStatus.Stored, u.Status));
        // Counts are the run's outcome rows, summed on read; the read that finds every queued article done settles the run.
        run = (await host.Get<RunLedger>().GetAsync(discoverMessage.RunId, CancellationToken.None))!;
        Assert.Equal(expected.Count, run.Stored);
        Assert.Equal(RunState.Completed, run.State);
        var header = Assert.Single(await state.RowsAsync<RunEntity>(StorageNames.RunsTable), r => r.PartitionKey == RunEntity.Partition && r.RunId == discoverMessage.RunId);
        Assert.Equal((RunState.Completed, expected.Count), (header.State, header.Stored));

        // 4. A late redelivery of an article message changes nothing and sends no event.
        var rowETags = rows.ToDictionary(r => r.Key, r => r.Value.ETag.ToString());
        await Deliver(host, process, articleBodies[^1]);
        Assert.Equal(rowETags, (await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable)).ToDictionary(r => r.RowKey, r => r.ETag.ToString()));
        Assert.Equal(blobs.Values.Select(b => b.ETag).Order(), (await state.BlobsAsync()).Values.Select(b => b.ETag).Order());
        Assert.Equal(expected.Count, (await state.EventsAsync()).Count);

        // 5. GET /api/articles/{sourceId}/{articleId} returns the stored document.
        var someId = expected.Keys.First();
        var get = HttpCalls.Get($"/api/articles/{FunctionsTestHost.SourceId}/{someId}");
        var response = await (await host.Get<Articles>().Get(get, FunctionsTestHost.SourceId, someId, CancellationToken.None)).ExecuteAsync(get);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.ContentType);
        Assert.Equal(await state.BlobTextAsync(rows[someId].JsonBlob!), response.Body);

        // 5b. GET …/cluster: every stored article has a cluster (the sample portal's articles are distinct stories: their own ids).
        Assert.All(rows.Values, r => Assert.Equal(r.RowKey, r.ClusterId));
        var cluster = HttpCalls.Get($"/api/articles/{FunctionsTestHost.SourceId}/{someId}/cluster");
        var clusterResponse = await (await host.Get<Articles>().GetCluster(cluster, FunctionsTestHost.SourceId, someId, CancellationToken.None)).ExecuteAsync(cluster);
        Assert.Equal(200, clusterResponse.Status);
        var view = System.Text.Json.Nodes.JsonNode.Parse(clusterResponse.Body)!;
        Assert.Equal(someId, (string?)view["clusterId"]);
        Assert.Equal(someId, (string?)view["copies"]![0]!["articleId"]);

        // 6. Reprocess from the archive: no request reaches the portal; same extractor → every article unchanged.
        portal.Server.ResetCounters();
        var status = await ReprocessAsync(host, expected.Keys);
        Assert.Equal(0, portal.Server.RequestCount);
        Assert.Equal("completed", (string?)status["state"]);
        Assert.Equal(expected.Count, (int)status["queued"]!);
        Assert.Equal(expected.Count, (int)status["unchanged"]!);
        Assert.Equal(0, (int)status["done"]!);
        Assert.Equal(0, (int)status["failed"]!);
        Assert.Equal(expected.Count, (await state.EventsAsync()).Count);

        // 7. A changed extractor: new text is stored as version 2, version 1 kept under versions/, one "reprocessed" event each.
        var firstTexts = new Dictionary<string, string>();
        foreach (var (articleId, row) in rows) firstTexts[articleId] = await state.BlobTextAsync(row.TextBlob!);
        await using var changed = FunctionsTestHost.Create(storage.ConnectionString, portal.Server.BaseUrl, configureServices: services =>
        {
            services.RemoveAll<IArticleExtractor>();
            services.AddSingleton<IArticleExtractor>(new LeadDroppingExtractor(new ArticleExtractor()));
        });
        var changedStatus = await ReprocessAsync(changed, expected.Keys);
        Assert.Equal(0, portal.Server.RequestCount);
        Assert.Equal(expected.Count, (int)changedStatus["done"]!);
        var after = (await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable)).ToDictionary(r => r.RowKey);
        var blobsAfter = await state.BlobsAsync();
        var eventsAfter = await state.EventsAsync();
        foreach (var articleId in expected.Keys)
        {
            Assert.Equal(2, after[articleId].Version);
            Assert.NotEqual(rows[articleId].ContentHash, after[articleId].ContentHash);
            Assert.Equal(firstTexts[articleId], await state.BlobTextAsync($"versions/{FunctionsTestHost.SourceId}/{articleId}/v1.txt"));
            Assert.NotEqual(firstTexts[articleId], await state.BlobTextAsync(after[articleId].TextBlob!));
            Assert.Contains($"versions/{FunctionsTestHost.SourceId}/{articleId}/v1.json", blobsAfter.Keys);
            var reprocessed = Assert.Single(eventsAfter, e => e.Event.ArticleId == articleId && e.Event.Version == 2).Event;
            Assert.Equal(ArticleChange.Reprocessed, reprocessed.Change);
            Assert.Equal(after[articleId].ContentHash, reprocessed.ContentHash);
        }
        Assert.Equal(2 * expected.Count, eventsAfter.Count);

        // 8. Refetch mode goes to the portal; the current extractor's text differs from version 2 again.
        var two = expected.Keys.Take(2).ToList();
        var refetched = await ReprocessAsync(host, two, "refetch");
        Assert.True(portal.Server.RequestCount >= two.Count, $"{portal.Server.RequestCount} requests");
        Assert.Equal((2, 2, 0), ((int)refetched["queued"]!, (int)refetched["done"]!, (int)refetched["failed"]!));
        var final = (await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable)).ToDictionary(r => r.RowKey);
        Assert.All(two, id => Assert.Equal((3, rows[id].ContentHash), (final[id].Version, final[id].ContentHash)));
    }

    private static Task Deliver(FunctionsTestHost host, ProcessArticle function, string body, long dequeueCount = 1) =>
        function.Run(body, new TestFunctionContext(nameof(ProcessArticle), host.Services, dequeueCount), CancellationToken.None);

    /// <summary>POST /api/reprocess, then the reprocess queue worked off as the host would; returns GET /api/reprocess/{jobId}.</summary>
    private static async Task<JsonNode> ReprocessAsync(FunctionsTestHost host, IEnumerable<string> articleIds, string mode = "archive")
    {
        var body = new JsonObject { ["articleIds"] = new JsonArray(articleIds.Select(id => (JsonNode)id).ToArray()), ["mode"] = mode }.ToJsonString();
        var post = HttpCalls.Post("/api/reprocess", body);
        var accepted = await (await host.Get<Reprocess>().Run(post, CancellationToken.None)).ExecuteAsync(post);
        Assert.Equal(202, accepted.Status);
        var jobId = (string)JsonNode.Parse(accepted.Body)!["jobId"]!;

        var worker = host.Get<ReprocessWorker>();
        for (var messages = await host.DrainAsync(StorageNames.ReprocessQueue); messages.Count > 0; messages = await host.DrainAsync(StorageNames.ReprocessQueue))
        {
            foreach (var message in messages) await worker.Run(message, new TestFunctionContext(nameof(ReprocessWorker), host.Services, 1), CancellationToken.None);
            // Queues deliver at least once: a second delivery of an article message must not be counted twice.
            if (messages.FirstOrDefault(m => m.Contains("\"article\"", StringComparison.Ordinal)) is { } again)
                await worker.Run(again, new TestFunctionContext(nameof(ReprocessWorker), host.Services, 2), CancellationToken.None);
        }

        var get = HttpCalls.Get($"/api/reprocess/{jobId}");
        var status = await (await host.Get<Reprocess>().Status(get, jobId, CancellationToken.None)).ExecuteAsync(get);
        Assert.Equal(200, status.Status);
        return JsonNode.Parse(status.Body)!;
    }

    /// <summary>The timer's run id is the minute of the occurrence; two calls must not straddle a minute.</summary>
    private static async Task WaitOutMinuteBoundaryAsync()
    {
        var second = DateTimeOffset.UtcNow.Second;
        if (second >= 50) await Task.Delay(TimeSpan.FromSeconds(61 - second));
    }

    /// <summary>The real extractor with its first block dropped: a stand-in for "a newer extractor that reads the page differently".</summary>
    private sealed class LeadDroppingExtractor(IArticleExtractor inner) : IArticleExtractor
    {
        public ExtractedArticle Extract(string html, Uri? pageUrl = null, ExtractionContext? context = null)
        {
            var article = inner.Extract(html, pageUrl, context);
            return article with { Blocks = article.Blocks.Skip(1).ToList() };
        }
    }
}
