using FeedIngest.Core.Discovery;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.Functions.Tests;

/// <summary>
/// ProcessArticle when one storage service fails on every call (its endpoint points at a closed port)
/// while the others answer: what the retries and the last delivery leave behind.
/// </summary>
public sealed class DeliveryFailureTests(SamplePortalFixture portal) : IClassFixture<SamplePortalFixture>, IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteAccount.LeaseAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    private string WithDeadEndpoint(string service, int port) =>
        _azurite.ConnectionString.Replace($"{service}Endpoint=http://127.0.0.1:{port}/", $"{service}Endpoint=http://127.0.0.1:{AzuriteInstance.FreePort()}/", StringComparison.Ordinal);

    private string ArticleMessage(SampleArticle article) =>
        System.Text.Json.JsonSerializer.Serialize(new ArticleMessage("20250101T0000Z-test", FunctionsTestHost.SourceId, new Uri(portal.Server.BaseUrl, article.Path).AbsoluteUri), ContractJson.Compact);

    private static Task Deliver(FunctionsTestHost host, string body, long dequeueCount) =>
        host.Get<ProcessArticle>().Run(body, new TestFunctionContext(nameof(ProcessArticle), host.Services, dequeueCount), CancellationToken.None);

    [Fact]
    public async Task AnEventThatCouldNotBeSentIsSentByTheNextDelivery()
    {
        var article = SamplePortalContent.Articles[0];
        var body = ArticleMessage(article);
        await using (var queuesDown = FunctionsTestHost.Create(WithDeadEndpoint("Queue", _azurite.QueuePort), portal.Server.BaseUrl, storageRetries: 0))
            await Assert.ThrowsAnyAsync<Exception>(() => Deliver(queuesDown, body, dequeueCount: 1));
        await using var healthy = FunctionsTestHost.Create(_azurite.ConnectionString, portal.Server.BaseUrl, storageRetries: 0);

        await Deliver(healthy, body, dequeueCount: 2);

        var state = new StoredState(_azurite.ConnectionString);
        var articleId = UrlCanonicalizer.ArticleId(article.CanonicalUrl);
        var articleEvent = Assert.Single(await state.EventsAsync()).Event;
        Assert.Equal((articleId, 1, ArticleChange.Created), (articleEvent.ArticleId, articleEvent.Version, articleEvent.Change));
        var row = Assert.Single(await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable));
        Assert.Equal(1, row.EventVersion);
    }

    [Fact]
    public async Task AnArticleThatFailsOnEveryDeliveryIsRecordedAsFailedWithTheReasonOnTheLastOne()
    {
        var article = SamplePortalContent.Articles[1];
        var body = ArticleMessage(article);
        var maxDequeueCount = FunctionsTestHost.MaxDequeueCount;
        await using var blobsDown = FunctionsTestHost.Create(WithDeadEndpoint("Blob", _azurite.BlobPort), portal.Server.BaseUrl, storageRetries: 0);
        var state = new StoredState(_azurite.ConnectionString);
        var urlKey = UrlIndex.Key(UrlCanonicalizer.Canonicalize(new Uri(portal.Server.BaseUrl, article.Path)));

        for (var delivery = 1; delivery < maxDequeueCount; delivery++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => Deliver(blobsDown, body, delivery));
            Assert.DoesNotContain(await state.RowsAsync<UrlEntity>(StorageNames.UrlsTable), u => u.RowKey == urlKey && u.Status == UrlStatus.Failed);
        }
        // The last delivery still throws, so the host moves the message to articles-poison, but first records why.
        await Assert.ThrowsAnyAsync<Exception>(() => Deliver(blobsDown, body, maxDequeueCount));

        var url = Assert.Single(await state.RowsAsync<UrlEntity>(StorageNames.UrlsTable), u => u.RowKey == urlKey);
        Assert.Equal(UrlStatus.Failed, url.Status);
        Assert.StartsWith($"gave up after {maxDequeueCount} attempts", url.Reason);
        var row = Assert.Single(await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable), r => r.RowKey == urlKey);
        Assert.Equal(ArticleStatus.Failed, row.Status);
        Assert.Equal(url.Reason, row.Error);
        Assert.Empty(await state.EventsAsync());
    }

    [Fact]
    public async Task AReprocessedArticleThatFailsOnEveryDeliveryIsCountedAsFailedAndTheJobCompletes()
    {
        var article = SamplePortalContent.Articles[2];
        var articleId = UrlCanonicalizer.ArticleId(article.CanonicalUrl);
        var maxDequeueCount = FunctionsTestHost.MaxDequeueCount;
        await using var healthy = FunctionsTestHost.Create(_azurite.ConnectionString, portal.Server.BaseUrl, storageRetries: 0);
        await Deliver(healthy, ArticleMessage(article), dequeueCount: 1);
        var post = HttpCalls.Post("/api/reprocess", $$"""{"articleIds":["{{articleId}}"]}""");
        var jobId = (string)System.Text.Json.Nodes.JsonNode.Parse((await (await healthy.Get<Reprocess>().Run(post, CancellationToken.None)).ExecuteAsync(post)).Body)!["jobId"]!;
        foreach (var plan in await healthy.DrainAsync(StorageNames.ReprocessQueue))
            await healthy.Get<ReprocessWorker>().Run(plan, new TestFunctionContext(nameof(ReprocessWorker), healthy.Services, 1), CancellationToken.None);
        var work = Assert.Single(await healthy.DrainAsync(StorageNames.ReprocessQueue));
        await using var blobsDown = FunctionsTestHost.Create(WithDeadEndpoint("Blob", _azurite.BlobPort), portal.Server.BaseUrl, storageRetries: 0);

        for (var delivery = 1; delivery <= maxDequeueCount; delivery++)
            await Assert.ThrowsAnyAsync<Exception>(() =>
                blobsDown.Get<ReprocessWorker>().Run(work, new TestFunctionContext(nameof(ReprocessWorker), blobsDown.Services, delivery), CancellationToken.None));

        var status = await healthy.Get<ReprocessService>().GetStatusAsync(jobId, CancellationToken.None);
        Assert.NotNull(status);
        Assert.Equal(("completed", 1, 1, 0, 0), (status.State, status.Queued, status.Failed, status.Done, status.Unchanged));
        Assert.StartsWith($"{articleId}: gave up after {maxDequeueCount} attempts", Assert.Single(status.Errors));
    }

    [Fact]
    public async Task ADiscoveryThatFailsOnEveryDeliveryIsRecordedOnTheRunWithItsReason()
    {
        var maxDequeueCount = FunctionsTestHost.MaxDequeueCount;
        await using var healthy = FunctionsTestHost.Create(_azurite.ConnectionString, portal.Server.BaseUrl, storageRetries: 0);
        var runId = await healthy.Get<QueueStages>().StartScheduledRunAsync(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None);
        var discover = (await healthy.DrainAsync(StorageNames.DiscoverQueue)).Single(m => m.Contains(runId!, StringComparison.Ordinal));
        await using var queuesDown = FunctionsTestHost.Create(WithDeadEndpoint("Queue", _azurite.QueuePort), portal.Server.BaseUrl, storageRetries: 0);

        for (var delivery = 1; delivery <= maxDequeueCount; delivery++)
            await Assert.ThrowsAnyAsync<Exception>(() =>
                queuesDown.Get<DiscoverSource>().Run(discover, new TestFunctionContext(nameof(DiscoverSource), queuesDown.Services, delivery), CancellationToken.None));

        var run = (await healthy.Get<RunLedger>().GetAsync(runId!, CancellationToken.None))!;
        Assert.Equal(1, run.SourcesDone);
        // "source: [cause] discovery gave up …": the cause depends on what failed (here storage or other).
        Assert.Matches($@"{FunctionsTestHost.SourceId}: \[[a-z-]+\] discovery gave up after {maxDequeueCount} attempts", run.Errors);
        Assert.NotEqual(RunState.Running, run.State);
    }

    [Fact]
    public async Task ADiscoveryRetriedAfterItsArticlesCouldNotBeQueuedQueuesThemAll()
    {
        await using var healthy = FunctionsTestHost.Create(_azurite.ConnectionString, portal.Server.BaseUrl, storageRetries: 0);
        var runId = await healthy.Get<QueueStages>().StartScheduledRunAsync(new DateTimeOffset(2030, 1, 1, 0, 30, 0, TimeSpan.Zero), CancellationToken.None);
        var discover = (await healthy.DrainAsync(StorageNames.DiscoverQueue)).Single(m => m.Contains(runId!, StringComparison.Ordinal));
        await using (var queuesDown = FunctionsTestHost.Create(WithDeadEndpoint("Queue", _azurite.QueuePort), portal.Server.BaseUrl, storageRetries: 0))
            await Assert.ThrowsAnyAsync<Exception>(() =>
                queuesDown.Get<DiscoverSource>().Run(discover, new TestFunctionContext(nameof(DiscoverSource), queuesDown.Services, 1), CancellationToken.None));

        await healthy.Get<DiscoverSource>().Run(discover, new TestFunctionContext(nameof(DiscoverSource), healthy.Services, 2), CancellationToken.None);

        var queued = (await healthy.DrainAsync(StorageNames.ArticlesQueue)).Select(WorkQueues.Parse<ArticleMessage>).Select(m => new Uri(m.Url).AbsolutePath);
        Assert.Equal(SamplePortalContent.Articles.Select(a => a.Path).Order(StringComparer.Ordinal), queued.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task APageThePortalDoesNotHaveIsRecordedAsFailedWithTheReasonAtOnce()
    {
        await using var host = FunctionsTestHost.Create(_azurite.ConnectionString, portal.Server.BaseUrl, storageRetries: 0);
        var url = new Uri(portal.Server.BaseUrl, "/tin-tuc/bai-viet-khong-ton-tai-9999.html");
        var body = System.Text.Json.JsonSerializer.Serialize(new ArticleMessage("20250101T0000Z-test", FunctionsTestHost.SourceId, url.AbsoluteUri), ContractJson.Compact);

        await Deliver(host, body, dequeueCount: 1);

        var state = new StoredState(_azurite.ConnectionString);
        var key = UrlIndex.Key(UrlCanonicalizer.Canonicalize(url));
        var record = Assert.Single(await state.RowsAsync<UrlEntity>(StorageNames.UrlsTable), u => u.RowKey == key);
        Assert.Equal(UrlStatus.Failed, record.Status);
        Assert.Contains("404", record.Reason);
        var row = Assert.Single(await state.RowsAsync<ArticleEntity>(StorageNames.ArticlesTable), r => r.RowKey == key);
        Assert.Equal((ArticleStatus.Failed, record.Reason), (row.Status, row.Error));
        Assert.Empty(await state.EventsAsync());
    }
}
