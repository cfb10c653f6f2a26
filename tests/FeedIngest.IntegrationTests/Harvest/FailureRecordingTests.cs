using Azure.Data.Tables;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>Every discovered URL ends stored, or recorded as failed or skipped with its reason — in Urls, Articles and Runs.</summary>
public sealed class FailureRecordingTests : IAsyncLifetime
{
    private const string Good = "/tin-tuc/phuong-to-chuc-ngay-hoi-doc-sach-100001.html";
    private const string Missing = "/tin-tuc/bai-da-bi-go-100002.html";
    private const string Disallowed = "/noi-bo/bao-cao-100003.html";
    private const string Empty = "/tin-tuc/trang-trong-100004.html";
    private const string Pdf = "/tin-tuc/van-ban-100005.html";
    private AzuriteAccount _azurite = null!;
    private MiniPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        _portal = await MiniPortal.StartAsync();
        _portal.Page("/robots.txt", "User-agent: *\nDisallow: /noi-bo/\n", "text/plain");
        _portal.Feed("/rss.xml", Good, Missing, Disallowed, Empty, Pdf);
        _portal.Page(Good, MiniPortal.Article("Phường tổ chức Ngày hội đọc sách", "21/04/2024 | 08:30",
            "Sáng 21/4, UBND phường tổ chức Ngày hội đọc sách năm 2024 tại nhà văn hóa phường với sự tham gia của hơn 300 học sinh.",
            "Tại ngày hội, các em được giao lưu với tác giả, đổi sách cũ lấy sách mới và tham gia cuộc thi kể chuyện theo sách."));
        _portal.Page(Disallowed, MiniPortal.Article("Báo cáo nội bộ", "01/01/2024 | 08:00", "Không được lấy."));
        _portal.Page(Empty, "<!doctype html><html><head><title>Trống</title></head><body></body></html>");
        _portal.Page(Pdf, "%PDF-1.4", "application/pdf");
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private UrlEntity UrlRow(string path) =>
        new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.UrlsTable)
            .GetEntity<UrlEntity>("faults", UrlIndex.Key(UrlCanonicalizer.Canonicalize(_portal.Url(path)))).Value;

    [Fact]
    public async Task EachDiscoveredUrlIsStoredOrRecordedWithItsReasonAndARerunRetriesTheFailures()
    {
        var summary = await MiniPortal.HarvestAsync(_azurite.ConnectionString, _portal.Source("faults", "/rss.xml"));

        Assert.Equal((5, 1, 3, 1), (summary.Counts.Discovered, summary.Counts.Stored, summary.Counts.Failed, summary.Counts.Skipped));
        Assert.Equal(UrlStatus.Stored, UrlRow(Good).Status);
        Assert.Equal((UrlStatus.Failed, "HTTP 404"), (UrlRow(Missing).Status, UrlRow(Missing).Reason));
        Assert.Equal(UrlStatus.Skipped, UrlRow(Disallowed).Status);
        Assert.Contains("robots.txt", UrlRow(Disallowed).Reason);
        Assert.Equal(0, _portal.Count(Disallowed));
        Assert.Equal((UrlStatus.Failed, "no article text found on the page"), (UrlRow(Empty).Status, UrlRow(Empty).Reason));
        Assert.Contains("application/pdf", UrlRow(Pdf).Reason);
        var articles = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable)
            .Query<ArticleEntity>(a => a.PartitionKey == "faults").ToList();
        Assert.Equal(3, articles.Count(a => a.Status == ArticleStatus.Failed && !string.IsNullOrEmpty(a.Error)));
        var run = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.RunsTable).GetEntity<RunEntity>(RunEntity.Partition, RunKeys.RowKey(summary.RunId)).Value;
        Assert.Equal((RunState.CompletedWithFailures, 1, 3, 1), (run.State, run.Stored, run.Failed, run.Skipped));
        Assert.All(new[] { Missing, Disallowed, Empty, Pdf }, path => Assert.Contains(_portal.Url(path).AbsoluteUri, run.Errors));
        // Each with its cause: on the Urls row, counted on the run row and in the summary, named in the error line.
        Assert.Equal(
            [(Good, null), (Missing, "http-status"), (Disallowed, "robots-disallowed"), (Empty, "empty-content"), (Pdf, "content-type")],
            new[] { Good, Missing, Disallowed, Empty, Pdf }.Select(p => (p, UrlRow(p).Cause)));
        Assert.Equal("content-type=1;empty-content=1;http-status=1;robots-disallowed=1", run.FailuresByCause);
        Assert.Equal(run.FailuresByCause, Core.Fetching.FailureCauses.FormatCounts(summary.Counts.FailuresByCause));
        Assert.Contains($"{_portal.Url(Missing).AbsoluteUri}: [http-status] HTTP 404", run.Errors);

        Assert.True(UrlRow(Missing).Permanent); // 404: fetching again will not help
        Assert.True(UrlRow(Pdf).Permanent);     // not an HTML page
        Assert.False(UrlRow(Empty).Permanent);  // a page that may get its text later

        var rerun = await MiniPortal.HarvestAsync(_azurite.ConnectionString, _portal.Source("faults", "/rss.xml"));

        Assert.Equal((0, 1), (rerun.Counts.Stored, rerun.Counts.Failed));
        Assert.Equal(1, _portal.Count(Good)); // stored: never fetched again
        Assert.Equal(2, _portal.Count(Empty)); // failed: retried
        Assert.Equal(2, UrlRow(Empty).Attempts);
        Assert.Equal((1, 1), (_portal.Count(Missing), _portal.Count(Pdf))); // permanent: not fetched every run
        Assert.Equal(1, UrlRow(Missing).Attempts);

        // Once the retry window has passed (here: at once), a permanent failure is tried again.
        var later = await MiniPortal.HarvestAsync(_azurite.ConnectionString, _portal.Source("faults", "/rss.xml"),
            new Dictionary<string, string?> { ["FeedIngest:PermanentRetryDays"] = "0" });

        Assert.Equal(3, later.Counts.Failed);
        Assert.Equal((2, 2), (_portal.Count(Missing), _portal.Count(Pdf)));
        Assert.Equal(2, UrlRow(Missing).Attempts);
    }

    [Fact]
    public async Task AUrlTooLongToQueueIsRecordedSkippedWithTheReasonAndNeverFetched()
    {
        var longPath = "/tin-tuc/" + new string('a', 2_100) + "-100009.html";
        _portal.Feed("/long.xml", Good, longPath);

        var summary = await MiniPortal.HarvestAsync(_azurite.ConnectionString, _portal.Source("faults", "/long.xml"));

        Assert.Equal((2, 1, 1), (summary.Counts.Discovered, summary.Counts.Stored, summary.Counts.Skipped));
        Assert.Equal(0, _portal.Count(longPath));
        var row = UrlRow(longPath);
        Assert.Equal(UrlStatus.Skipped, row.Status);
        Assert.Contains("longer than 2047 characters", row.Reason);
        Assert.True(row.Url.Length <= StorageLimits.MaxUrlChars);
        var run = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.RunsTable).GetEntity<RunEntity>(RunEntity.Partition, RunKeys.RowKey(summary.RunId)).Value;
        Assert.Equal((1, 1), (run.Stored, run.Skipped));
        Assert.Contains("skipped a URL of", run.Errors);
    }
}
