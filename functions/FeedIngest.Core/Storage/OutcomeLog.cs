using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

/// <summary>What became of one article in a run or reprocess job (the names of Pipeline.ArticleResult).</summary>
public static class OutcomeResult
{
    public const string Stored = "Stored";
    public const string Updated = "Updated";
    public const string Reprocessed = "Reprocessed";
    public const string Unchanged = "Unchanged";
    public const string Duplicate = "Duplicate";
    public const string Skipped = "Skipped";
    public const string Failed = "Failed";
}

/// <summary>
/// One article's outcome in a run or job: PartitionKey = the run or job id, RowKey = "a|{sourceId}|{url or article id}".
/// Append-only: each article writes its own row, so many instances never contend on one entity, and a
/// redelivered message finds its row and counts nothing twice. Counts are the rows, summed when read.
/// </summary>
public sealed class OutcomeEntity : ITableEntity
{
    public const string Prefix = "a|";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SourceId { get; set; } = "";
    public string Result { get; set; } = OutcomeResult.Failed;
    public string? Url { get; set; }
    public string? ArticleId { get; set; }
    public string? Reason { get; set; }
    /// <summary>Why a fetch failed, as a machine-readable cause (filled by fetching when it knows one).</summary>
    public string? Cause { get; set; }
    /// <summary>(Not "Queued": the Runs table's header rows have an int of that name.) False for outcomes a plan recorded itself (an article id that does not exist): not part of the queued work.</summary>
    public bool InPlan { get; set; } = true;
    public DateTimeOffset At { get; set; }

    public static string Key(string sourceId, string itemKey) => $"{Prefix}{sourceId}|{itemKey}";
}

/// <summary>An outcome to record (the caller's view; <see cref="OutcomeLog"/> makes the row).</summary>
public sealed record OutcomeRecord(string SourceId, string ItemKey, string Result, string? Url, string? ArticleId, string? Reason, string? Cause = null, bool InPlan = true);

/// <summary>Sums of a partition's outcome rows.</summary>
public sealed record OutcomeTotals(int Stored, int Updated, int Unchanged, int Duplicates, int Skipped, int Failed, int Queued, IReadOnlyList<string> Errors)
{
    /// <summary>Failed and skipped outcomes by cause name.</summary>
    public IReadOnlyDictionary<string, int> FailuresByCause { get; init; } = new Dictionary<string, int>();

    public int Total => Stored + Updated + Unchanged + Duplicates + Skipped + Failed;
}

/// <summary>Writes and sums outcome rows (runs and reprocess jobs alike).</summary>
public static class OutcomeLog
{
    private const int MaxErrorLines = 200;

    /// <summary>
    /// Records one outcome; the first delivery's row stands — except that an "unchanged" row gives way to the
    /// outcome of the delivery that did the work (two deliveries racing: the one that lost found the article
    /// done and says "unchanged", which is not what this run did to it). False when a row stood already.
    /// </summary>
    public static async Task<bool> AddAsync(TableClient table, string partition, OutcomeRecord record, CancellationToken cancellationToken)
    {
        var row = ToEntity(partition, record);
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            if (record.Result == OutcomeResult.Unchanged) return false;
        }
        return await OptimisticConcurrency.RetryAsync(async _ =>
        {
            var existing = await table.GetEntityIfExistsAsync<OutcomeEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken);
            if (!existing.HasValue) { await table.AddEntityAsync(row, cancellationToken); return true; }
            if (existing.Value!.Result != OutcomeResult.Unchanged) return false;
            await table.UpdateEntityAsync(row, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>Records many outcomes of one partition in batches of 100 (one request each): the in-process harvest's path.</summary>
    public static async Task AddManyAsync(TableClient table, string partition, IEnumerable<OutcomeRecord> records, CancellationToken cancellationToken)
    {
        var rows = records.Select(r => ToEntity(partition, r)).DistinctBy(r => r.RowKey).ToList();
        foreach (var chunk in rows.Chunk(100))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                // One of them exists already (a repeated flush): add them one by one, first row standing.
                foreach (var row in chunk)
                {
                    try { await table.AddEntityAsync(row, cancellationToken); }
                    catch (RequestFailedException e) when (e.Status == 409) { }
                }
            }
        }
    }

    /// <summary>Reads a partition's outcome rows (1 request per 1,000 rows) and sums them.</summary>
    public static async Task<OutcomeTotals> SumAsync(TableClient table, string partition, CancellationToken cancellationToken)
    {
        int stored = 0, updated = 0, unchanged = 0, duplicates = 0, skipped = 0, failed = 0, queued = 0;
        var errors = new List<string>();
        var causes = new Dictionary<string, int>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {OutcomeEntity.Prefix} and RowKey lt {"a}"}");
        await foreach (var row in table.QueryAsync<OutcomeEntity>(filter,
            select: [nameof(OutcomeEntity.Result), nameof(OutcomeEntity.Url), nameof(OutcomeEntity.ArticleId), nameof(OutcomeEntity.Reason), nameof(OutcomeEntity.Cause), nameof(OutcomeEntity.InPlan)],
            cancellationToken: cancellationToken))
        {
            if (row.InPlan) queued++;
            switch (row.Result)
            {
                case OutcomeResult.Stored: stored++; break;
                case OutcomeResult.Updated or OutcomeResult.Reprocessed: updated++; break;
                case OutcomeResult.Unchanged: unchanged++; break;
                case OutcomeResult.Duplicate: duplicates++; break;
                case OutcomeResult.Skipped: skipped++; break;
                default: failed++; break;
            }
            if (row.Result is OutcomeResult.Failed or OutcomeResult.Skipped)
            {
                var cause = string.IsNullOrEmpty(row.Cause) ? "other" : row.Cause;
                causes[cause] = causes.GetValueOrDefault(cause) + 1;
                // The line names a cause when fetching knew one (reprocess failures have none).
                if (errors.Count < MaxErrorLines)
                    errors.Add($"{(string.IsNullOrEmpty(row.Url) ? row.ArticleId : row.Url)}: {(string.IsNullOrEmpty(row.Cause) ? "" : $"[{row.Cause}] ")}{row.Reason}");
            }
        }
        return new OutcomeTotals(stored, updated, unchanged, duplicates, skipped, failed, queued, errors) { FailuresByCause = causes };
    }

    private static OutcomeEntity ToEntity(string partition, OutcomeRecord r) => new()
    {
        PartitionKey = partition,
        RowKey = OutcomeEntity.Key(r.SourceId, r.ItemKey),
        SourceId = r.SourceId,
        Result = r.Result,
        Url = StorageLimits.Cap(r.Url, StorageLimits.MaxUrlChars),
        ArticleId = r.ArticleId,
        Reason = StorageLimits.Cap(r.Reason, 4_000),
        Cause = r.Cause,
        InPlan = r.InPlan,
        At = DateTimeOffset.UtcNow,
    };
}
