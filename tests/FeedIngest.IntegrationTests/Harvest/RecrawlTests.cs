using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>The re-crawl window: stored articles are re-checked with a conditional GET; an edit stores a new version.</summary>
public sealed class RecrawlTests : IAsyncLifetime
{
    private const string ArticlePath = "/tin-tuc/thong-bao-lich-tiep-cong-dan-12345.html";
    private const string Unchanged = "Đoạn thứ hai giữ nguyên qua mọi lần sửa, nói về lịch tiếp công dân định kỳ của Ủy ban nhân dân phường.";
    private AzuriteAccount _azurite = null!;
    private MiniPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        _portal = await MiniPortal.StartAsync();
        _portal.Feed("/rss.xml", ArticlePath);
        SetArticle("Đoạn thứ nhất của bài viết, đủ dài để là một đoạn văn thật sự của bài báo trên cổng thông tin.");
    }

    private void SetArticle(string firstParagraph) =>
        _portal.Page(ArticlePath, MiniPortal.Article("Thông báo lịch tiếp công dân", "01/06/2022 | 09:04", firstParagraph, Unchanged));

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private Task<Core.Pipeline.HarvestSummary> HarvestAsync(int intervalHours = 0) =>
        MiniPortal.HarvestAsync(_azurite.ConnectionString, _portal.Source("recrawl", "/rss.xml"), new Dictionary<string, string?>
        {
            ["FeedIngest:RecrawlDays"] = "36500",
            ["FeedIngest:RecrawlIntervalHours"] = intervalHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private int ArticleRequests() => _portal.Count(ArticlePath);

    private async Task<ArticleDayEntity> DayRowAsync() =>
        Assert.Single(await new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticleIndexTable)
            .QueryAsync<ArticleDayEntity>("PartitionKey ge 'day|' and PartitionKey lt 'day}'").ToListAsync());

    [Fact]
    public async Task TheWindowIsReadFromTheDayIndexAndAnArticleIsRecheckedOnlyOnceItsIntervalHasPassed()
    {
        var before = DateTimeOffset.UtcNow;
        Assert.Equal(1, (await HarvestAsync(intervalHours: 6)).Counts.Stored);
        var day = await DayRowAsync();
        Assert.Equal(_portal.Url(ArticlePath).AbsoluteUri, day.Url);
        Assert.InRange(day.CheckedAt!.Value, before.AddSeconds(-1), DateTimeOffset.UtcNow); // a fetch time is kept to the second

        // Fetched moments ago: not due.
        var requests = ArticleRequests();
        await HarvestAsync(intervalHours: 6);
        Assert.Equal(requests, ArticleRequests());

        // A day row written before it carried the URL and the check: completed from the article's row, then re-checked.
        var table = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticleIndexTable);
        day.Url = null;
        day.CheckedAt = null;
        await table.UpsertEntityAsync(day, TableUpdateMode.Replace);
        var checkedFrom = DateTimeOffset.UtcNow;
        var rechecked = await HarvestAsync(intervalHours: 0);

        Assert.Equal(1, rechecked.Counts.Unchanged);
        Assert.Equal(requests + 1, ArticleRequests());
        Assert.Equal((ArticlePath, 304), _portal.Requests.Last(r => r.Path == ArticlePath));
        Assert.InRange((await DayRowAsync()).CheckedAt!.Value, checkedFrom, DateTimeOffset.UtcNow); // the 304 set the clock on the day row
        await HarvestAsync(intervalHours: 6);
        Assert.Equal(requests + 1, ArticleRequests());
    }

    [Fact]
    public async Task AnArticleStoredBeforeTheArticleIndexIsIndexedAndRecheckedAfterTheUpgrade()
    {
        Assert.Equal(1, (await HarvestAsync(intervalHours: 6)).Counts.Stored);
        // As a version without the article index left it: the article's row and blobs, no index rows, no progress row.
        var table = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticleIndexTable);
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        var requests = ArticleRequests();

        var upgraded = await HarvestAsync(intervalHours: 0);

        Assert.Equal(requests + 1, ArticleRequests()); // the window found it: re-checked
        Assert.Equal((ArticlePath, 304), _portal.Requests.Last(r => r.Path == ArticlePath));
        Assert.Equal(1, upgraded.Counts.Unchanged);
        Assert.Equal(_portal.Url(ArticlePath).AbsoluteUri, (await DayRowAsync()).Url);
    }

    [Fact]
    public async Task StoredArticlesAreRecheckedConditionallyAndAnEditStoresANewVersion()
    {
        var first = await HarvestAsync();
        Assert.Equal(1, first.Counts.Stored);

        var second = await HarvestAsync();

        Assert.Equal((0, 0, 1), (second.Counts.Stored, second.Counts.Updated, second.Counts.Unchanged));
        Assert.Contains((ArticlePath, 304), _portal.Requests);

        SetArticle("Đoạn thứ nhất đã được sửa: lịch tiếp công dân chuyển sang sáng thứ Năm hằng tuần tại trụ sở Ủy ban nhân dân phường.");
        var third = await HarvestAsync();

        Assert.Equal((0, 1), (third.Counts.Stored, third.Counts.Updated));
        var row = (await new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable)
            .QueryAsync<ArticleEntity>(r => r.PartitionKey == "recrawl").ToListAsync()).Single();
        Assert.Equal(2, row.Version);
        var container = new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        Assert.Contains("Đoạn thứ nhất của bài viết", (await container.GetBlobClient($"versions/recrawl/{row.RowKey}/v1.txt").DownloadContentAsync()).Value.Content.ToString());
        Assert.Contains("đã được sửa", (await container.GetBlobClient(row.TextBlob).DownloadContentAsync()).Value.Content.ToString());
    }
}
