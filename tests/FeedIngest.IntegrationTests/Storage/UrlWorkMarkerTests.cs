using Azure.Data.Tables;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>
/// Discovery finds what earlier runs left open from the source's work markers (<see cref="UrlIndex.OpenWorkAsync"/>),
/// against a real Azurite: each write keeps a URL's marker in step with its row, a partition from before the markers
/// gets them once, and the markers never show up as URLs.
/// </summary>
public sealed class UrlWorkMarkerTests : IAsyncLifetime
{
    private const string Source = "worksource";
    private CountedUrlIndex _index = null!;
    private UrlIndex _urls = null!;
    private TableClient _table = null!;

    public async Task InitializeAsync()
    {
        _index = await CountedUrlIndex.StartAsync();
        (_urls, _table) = (_index.Urls, _index.Table);
    }

    public async Task DisposeAsync() => await _index.DisposeAsync();

    private static Uri Url(int n) => new($"https://portal.example.vn/tin-tuc/bai-{n}.html");

    private async Task<Dictionary<string, UrlEntity>> OpenWorkAsync() =>
        await _urls.OpenWorkAsync(Source, CancellationToken.None).ToDictionaryAsync(r => r.RowKey, StringComparer.Ordinal);

    private Task RecordAsync(int n, string status, bool permanent = false) =>
        _urls.RecordAsync(Source, Url(n), status, status == UrlStatus.Failed ? "HTTP 503" : null, status == UrlStatus.Stored ? UrlIndex.Key(Url(n)) : null, "run-2",
            CancellationToken.None, permanent: permanent, cause: status == UrlStatus.Failed ? FailureCause.HttpStatus : FailureCause.None);

    private long TableRequests() => _index.Requests(resource => resource.StartsWith("table ", StringComparison.Ordinal));

    [Fact]
    public async Task EachWriteKeepsTheUrlsWorkMarkerInStepWithItsRow()
    {
        await _urls.MarkPendingManyAsync(Source, Enumerable.Range(0, 120).Select(Url).ToList(), "run-1", CancellationToken.None);
        await _urls.MarkPendingAsync(Source, Url(500), "run-1", CancellationToken.None);
        Assert.Equal(121, (await OpenWorkAsync()).Count);

        for (var n = 0; n < 100; n++) await RecordAsync(n, UrlStatus.Stored);
        await RecordAsync(100, UrlStatus.Duplicate);
        await RecordAsync(101, UrlStatus.Skipped);
        await RecordAsync(102, UrlStatus.Failed);
        await RecordAsync(103, UrlStatus.Failed, permanent: true);
        for (var attempt = 0; attempt < UrlIndex.MaxAttempts; attempt++) await RecordAsync(104, UrlStatus.Failed); // gave up: closed
        var before = TableRequests();

        var open = await OpenWorkAsync();

        // The ready row and one page of markers, however many URLs the source has stored.
        Assert.Equal(2, TableRequests() - before);
        var expected = new[] { 102, 103 }.Concat(Enumerable.Range(105, 15)).Append(500).Select(n => UrlIndex.Key(Url(n))).Order(StringComparer.Ordinal);
        Assert.Equal(expected, open.Keys.Order(StringComparer.Ordinal));
        // A marker carries what discovery decides with, as its row has it.
        var failed = open[UrlIndex.Key(Url(103))];
        Assert.Equal((UrlStatus.Failed, true, 1, "run-2", Url(103).AbsoluteUri), (failed.Status, failed.Permanent, failed.Attempts, failed.LastRunId, failed.Url));
        Assert.Equal((UrlStatus.Pending, "run-1"), (open[UrlIndex.Key(Url(110))].Status, open[UrlIndex.Key(Url(110))].LastRunId));
        Assert.Equal(UrlIndex.MaxAttempts, (await _urls.GetAsync(Source, Url(104), CancellationToken.None))!.Attempts);

        // Closed before and after (given up, then stored when discovered again): the row's read and its write, no marker to delete.
        before = TableRequests();
        await RecordAsync(104, UrlStatus.Stored);
        Assert.Equal(2, TableRequests() - before);
        Assert.DoesNotContain(UrlIndex.Key(Url(104)), (await OpenWorkAsync()).Keys);
    }

    [Fact]
    public async Task MarkersNeverShowAsUrls()
    {
        await _urls.MarkPendingManyAsync(Source, Enumerable.Range(0, 80).Select(Url).ToList(), "run-1", CancellationToken.None);
        await RecordAsync(0, UrlStatus.Stored);
        _ = await OpenWorkAsync(); // writes the ready row

        var rows = await _urls.ListAsync(Source, null, CancellationToken.None).ToListAsync();
        var known = await _urls.FindKnownAsync(Source, Enumerable.Range(0, 200).Select(Url).ToList(), CancellationToken.None); // a partition read

        Assert.Equal(80, rows.Count);
        Assert.All(rows, r => Assert.True(UrlIndex.IsUrlRow(r.RowKey)));
        Assert.Equal(Enumerable.Range(0, 80).Select(n => UrlIndex.Key(Url(n))).Order(StringComparer.Ordinal), known.Keys.Order(StringComparer.Ordinal));
        var all = await _table.QueryAsync<TableEntity>(e => e.PartitionKey == Source).ToListAsync();
        Assert.Equal(80 + 79 + 1, all.Count); // rows, the open ones' markers, the ready row
    }

    [Fact]
    public async Task APartitionFromBeforeTheMarkersGetsThemOnceAndItsRowsCanStillBeWritten()
    {
        // Rows as the version before the markers wrote them: no marker, no ready row.
        var now = DateTimeOffset.UtcNow;
        UrlEntity Legacy(int n, string status, int attempts, bool permanent = false) => new()
        {
            PartitionKey = Source, RowKey = UrlIndex.Key(Url(n)), Url = Url(n).AbsoluteUri, Status = status, Attempts = attempts, Permanent = permanent,
            LastAttemptAt = now, LastRunId = "run-0", ArticleId = status == UrlStatus.Stored ? UrlIndex.Key(Url(n)) : null,
        };
        var legacy = Enumerable.Range(0, 150).Select(n => Legacy(n, UrlStatus.Stored, 1))
            .Concat(Enumerable.Range(150, 120).Select(n => Legacy(n, UrlStatus.Pending, 0)))
            .Append(Legacy(300, UrlStatus.Failed, 2, permanent: true))
            .Append(Legacy(301, UrlStatus.Failed, UrlIndex.MaxAttempts))
            .ToList();
        foreach (var chunk in legacy.Chunk(100))
            await _table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        // A legacy row written before any discovery read the markers: it has no marker to delete.
        await RecordAsync(150, UrlStatus.Stored);
        Assert.Equal(UrlStatus.Stored, (await _urls.GetAsync(Source, Url(150), CancellationToken.None))!.Status);

        var first = await OpenWorkAsync();
        var before = TableRequests();
        var second = await OpenWorkAsync();

        var expected = Enumerable.Range(151, 119).Append(300).Select(n => UrlIndex.Key(Url(n))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, first.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected, second.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, TableRequests() - before); // no second scan: the ready row says the markers are complete
        Assert.True(first[UrlIndex.Key(Url(300))].Permanent);

        // Rows closed after the markers were added take their markers with them.
        await RecordAsync(151, UrlStatus.Stored);
        await RecordAsync(300, UrlStatus.Stored);
        Assert.Equal(expected.Count - 2, (await OpenWorkAsync()).Count);
    }

    [Fact]
    public async Task AStaleMarkerIsRemovedAndAMissingOneIsNoError()
    {
        await _urls.MarkPendingManyAsync(Source, [Url(1), Url(2)], "run-1", CancellationToken.None);
        // A marker that outlived its row's closing (the row stored while a partition from before the markers got them).
        var row = (await _urls.GetAsync(Source, Url(1), CancellationToken.None))!;
        row.Status = UrlStatus.Stored;
        await _table.UpdateEntityAsync(row, row.ETag);
        Assert.Contains(UrlIndex.Key(Url(1)), (await OpenWorkAsync()).Keys);

        await _urls.RemoveStaleWorkMarkerAsync(Source, UrlIndex.Key(Url(1)), CancellationToken.None);
        await _urls.RemoveStaleWorkMarkerAsync(Source, UrlIndex.Key(Url(1)), CancellationToken.None);

        Assert.Equal(new[] { UrlIndex.Key(Url(2)) }, (await OpenWorkAsync()).Keys);
    }
}
