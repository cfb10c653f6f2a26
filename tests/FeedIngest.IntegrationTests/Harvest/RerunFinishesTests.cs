using Azure.Data.Tables;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>A URL an earlier run could not store is retried by the next run, even when the portal's feeds answer 304.</summary>
public sealed class RerunFinishesTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    [Fact]
    public async Task AUrlLeftFailedIsStoredByTheNextRunAlthoughTheFeedsAreUnchanged()
    {
        var first = await env.RunCliAsync("harvest", "--once", "--quiet", "--sources", env.SourcesFile);
        Assert.Equal(0, first.ExitCode);
        var tables = new TableServiceClient(env.Azurite.ConnectionString);
        var article = SamplePortalContent.Articles[0];
        var discoveredUrl = UrlCanonicalizer.Canonicalize(new Uri(env.Portal.BaseUrl, article.Path));
        var articleId = UrlCanonicalizer.ArticleId(UrlCanonicalizer.Canonicalize(new Uri(article.CanonicalUrl)));
        // As if the first run had failed on this article: no article row, its URL recorded as failed (with its work marker, as UrlIndex writes it).
        await tables.GetTableClient(StorageNames.ArticlesTable).DeleteEntityAsync(HarvestEnvironment.SourceId, articleId);
        await tables.GetTableClient(StorageNames.ContentIndexTable).DeleteEntityAsync(HarvestEnvironment.SourceId,
            (await tables.GetTableClient(StorageNames.ContentIndexTable).QueryAsync<TableEntity>(e => e.PartitionKey == HarvestEnvironment.SourceId).ToListAsync())
                .Single(e => e.GetString("ArticleId") == articleId).RowKey);
        var urls = tables.GetTableClient(StorageNames.UrlsTable);
        var row = (await urls.GetEntityAsync<UrlEntity>(HarvestEnvironment.SourceId, UrlIndex.Key(discoveredUrl))).Value;
        row.Status = UrlStatus.Failed;
        row.Reason = "HTTP 503 after 4 attempts";
        await urls.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, UrlIndex.WorkMarker(row))]);
        var requestsBefore = env.Portal.RequestsByPath.GetValueOrDefault(article.Path);

        var second = await env.RunCliAsync("harvest", "--once", "--sources", env.SourcesFile);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("stored (new)       1", second.Output);
        Assert.Equal(requestsBefore + 1, env.Portal.RequestsByPath.GetValueOrDefault(article.Path));
        Assert.Equal(UrlStatus.Stored, (await urls.GetEntityAsync<UrlEntity>(HarvestEnvironment.SourceId, UrlIndex.Key(discoveredUrl))).Value.Status);
        Assert.Equal(ArticleStatus.Stored, (await tables.GetTableClient(StorageNames.ArticlesTable).GetEntityAsync<ArticleEntity>(HarvestEnvironment.SourceId, articleId)).Value.Status);
    }

    [Fact]
    public async Task AWorkMarkerThatOutlivedItsRowsClosingIsRemovedWithoutAFetch()
    {
        var first = await env.RunCliAsync("harvest", "--once", "--quiet", "--sources", env.SourcesFile);
        Assert.Equal(0, first.ExitCode);
        var urls = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient(StorageNames.UrlsTable);
        var article = SamplePortalContent.Articles[1];
        var discoveredUrl = UrlCanonicalizer.Canonicalize(new Uri(env.Portal.BaseUrl, article.Path));
        var row = (await urls.GetEntityAsync<UrlEntity>(HarvestEnvironment.SourceId, UrlIndex.Key(discoveredUrl))).Value;
        Assert.Equal(UrlStatus.Stored, row.Status);
        // The marker a partition from before the markers got for a row that was stored meanwhile: still "pending".
        var stale = UrlIndex.WorkMarker(row);
        stale.Status = UrlStatus.Pending;
        await urls.UpsertEntityAsync(stale, TableUpdateMode.Replace);
        var requestsBefore = env.Portal.RequestsByPath.GetValueOrDefault(article.Path);

        var second = await env.RunCliAsync("harvest", "--once", "--quiet", "--sources", env.SourcesFile);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(requestsBefore, env.Portal.RequestsByPath.GetValueOrDefault(article.Path)); // queued, found stored, not fetched
        Assert.False((await urls.GetEntityIfExistsAsync<UrlEntity>(HarvestEnvironment.SourceId, stale.RowKey)).HasValue);
        Assert.Equal(UrlStatus.Stored, (await urls.GetEntityAsync<UrlEntity>(HarvestEnvironment.SourceId, row.RowKey)).Value.Status);
    }
}
