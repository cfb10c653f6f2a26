using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Health;

/// <summary>
/// One append-only row per (run, source, URL) and one per (run, source) discovery in table HealthObservations
/// (PartitionKey runId, RowKey "{sourceId}|a|{urlKey}" or "{sourceId}|d"). Written by whichever instance did
/// the work, never to a shared row; folded into SourceHealth once the source's part of the run is done.
/// A redelivered message rewrites its own row, so counts stay exact.
/// </summary>
public sealed class HealthObservationStore(TableServiceClient tables, StorageInitializer storage)
{
    public const string TableName = StorageNames.HealthObservationsTable;
    private readonly TableClient _table = tables.GetTableClient(TableName);

    public async Task RecordArticleAsync(string runId, string sourceId, string url, string result, string? cause, string? reason, PageQuality? quality, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(runId) || !TableKeys.IsValid(sourceId)) return;
        await EnsureAsync(cancellationToken);
        var entity = new HealthObservationEntity
        {
            PartitionKey = runId,
            RowKey = $"{sourceId}|a|{UrlIndex.Key(new Uri(url))}",
            Kind = "article", Url = Cut(url, 2000), Result = result, Cause = cause, Reason = Cut(reason, 1000),
            At = DateTimeOffset.UtcNow,
            BodyChars = quality?.BodyChars, HasTitle = quality?.HasTitle, HasDate = quality?.HasDate,
            BlocksTotal = quality?.BlocksTotal, BlocksDropped = quality?.BlocksDropped,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RecordDiscoveryAsync(string runId, string sourceId, int found, bool failed, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(runId) || !TableKeys.IsValid(sourceId)) return;
        await EnsureAsync(cancellationToken);
        var firstError = errors.FirstOrDefault();
        await _table.UpsertEntityAsync(new HealthObservationEntity
        {
            PartitionKey = runId, RowKey = $"{sourceId}|d", Kind = "discovery", Found = found,
            Result = failed ? "failed" : "ok", Cause = failed ? FailureCauseNames.FromReason(firstError) : null,
            Reason = Cut(TableRows.AppendLines(null, errors, 4000), 4000), At = DateTimeOffset.UtcNow,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Every observation of one source in one run: a range scan inside the run's partition.</summary>
    public async IAsyncEnumerable<HealthObservationEntity> ListAsync(string runId, string sourceId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId} and RowKey ge {sourceId + "|"} and RowKey lt {sourceId + "}"}");
        await foreach (var row in _table.QueryAsync<HealthObservationEntity>(filter, cancellationToken: cancellationToken))
            yield return row;
    }

    private static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : text[..max];

    // Created with the others by StorageInitializer (once per process; a completed task after that).
    private Task EnsureAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);
}

public sealed class HealthObservationEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>"article" or "discovery".</summary>
    public string Kind { get; set; } = "article";
    public string? Url { get; set; }
    /// <summary>Article: the <c>ArticleResult</c> in lower case; discovery: "ok" or "failed".</summary>
    public string? Result { get; set; }
    public string? Cause { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset At { get; set; }
    public int? Found { get; set; }
    public int? BodyChars { get; set; }
    public bool? HasTitle { get; set; }
    public bool? HasDate { get; set; }
    public int? BlocksTotal { get; set; }
    public int? BlocksDropped { get; set; }
}
