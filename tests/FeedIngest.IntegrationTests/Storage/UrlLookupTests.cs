using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>
/// Discovery sorts the URLs it found into known and new (<see cref="UrlIndex.FindKnownAsync"/>) against a real Azurite:
/// the answer is exact whichever way it is read, and a sitemap of many URLs costs a few partition pages, not a read per URL.
/// </summary>
public sealed class UrlLookupTests : IAsyncLifetime
{
    private const string Source = "sitemapsource";
    private CountedUrlIndex _index = null!;
    private UrlIndex _urls = null!;

    public async Task InitializeAsync() => _urls = (_index = await CountedUrlIndex.StartAsync()).Urls;

    public async Task DisposeAsync() => await _index.DisposeAsync();

    private static Uri Url(int n) => new($"https://portal.example.vn/tin-tuc/bai-{n}.html");

    /// <summary>Rows 0 … count-1 stored in the source's partition: even ones stored, odd ones pending.</summary>
    private async Task<List<Uri>> KnowAsync(int count)
    {
        var urls = Enumerable.Range(0, count).Select(Url).ToList();
        await _urls.MarkPendingManyAsync(Source, urls, "run-1", CancellationToken.None);
        foreach (var url in urls.Where((_, i) => i % 2 == 0).Take(20))
            await _urls.RecordAsync(Source, url, UrlStatus.Stored, null, UrlIndex.Key(url), "run-1", CancellationToken.None);
        return urls;
    }

    private long UrlRequests() => _index.Requests(resource => resource == "table Urls");

    [Fact]
    public async Task ASitemapOfManyUrlsIsSortedWithOnePartitionPage()
    {
        var known = await KnowAsync(500);
        var found = Enumerable.Range(500, 300).Select(Url).ToList(); // new
        var before = UrlRequests();

        var rows = await _urls.FindKnownAsync(Source, known.Take(300).Concat(found).ToList(), CancellationToken.None);

        Assert.Equal(1, UrlRequests() - before); // 500 rows: one page, instead of 600 point reads
        Assert.Equal(known.Take(300).Select(UrlIndex.Key).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(UrlStatus.Stored, rows[UrlIndex.Key(known[0])].Status);
        Assert.Equal(UrlStatus.Pending, rows[UrlIndex.Key(known[1])].Status);
        Assert.Equal("run-1", rows[UrlIndex.Key(known[1])].LastRunId);
    }

    [Fact]
    public async Task APartitionLargerThanTheBudgetIsReadInPartAndTheRestArePointReads()
    {
        var known = await KnowAsync(300);
        var wanted = known.Where((_, i) => i % 4 == 0).Concat(Enumerable.Range(1000, 25).Select(Url)).ToList(); // 75 known, 25 new
        var before = UrlRequests();

        var rows = await _urls.FindKnownAsync(Source, wanted, rowsPerPage: 10, CancellationToken.None);

        // Budget: 100 URLs / 10 = 10 pages of 10 rows, i.e. the first 100 ids of the partition; the wanted ids past them are point reads.
        var settledThrough = known.Select(UrlIndex.Key).Order(StringComparer.Ordinal).ElementAt(10 * 10 - 1);
        var pointReads = wanted.Select(UrlIndex.Key).Count(key => string.CompareOrdinal(key, settledThrough) > 0);
        Assert.InRange(pointReads, 1, wanted.Count - 1);
        Assert.Equal(10 + pointReads, UrlRequests() - before);
        Assert.Equal(known.Where((_, i) => i % 4 == 0).Select(UrlIndex.Key).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFewUrlsArePointReads()
    {
        var known = await KnowAsync(300);
        var before = UrlRequests();

        var rows = await _urls.FindKnownAsync(Source, [known[0], known[1], Url(5000)], CancellationToken.None);

        Assert.Equal(3, UrlRequests() - before);
        Assert.Equal(new[] { UrlIndex.Key(known[0]), UrlIndex.Key(known[1]) }.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
    }
}
