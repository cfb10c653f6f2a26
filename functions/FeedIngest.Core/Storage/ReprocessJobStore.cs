using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

public static class JobState
{
    public const string Accepted = "accepted";
    /// <summary>Planned (or being planned): its article messages are queued.</summary>
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>
/// A reprocess job's header in table ReprocessJobs (PartitionKey "job", RowKey jobId). Written by the request and
/// by the plan (one writer); the articles' outcomes are rows of their own under PartitionKey = jobId, summed on read.
/// </summary>
public sealed class ReprocessJobEntity : ITableEntity
{
    public const string Partition = "job";
    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string State { get; set; } = JobState.Accepted;
    public string Mode { get; set; } = "archive";
    public string? SourceId { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    /// <summary>Comma-separated ids (at most ReprocessOptions.MaxArticleIds, far below a property's 32K characters).</summary>
    public string? ArticleIds { get; set; }
    /// <summary>Articles queued so far; final once <see cref="Planned"/>.</summary>
    public int Queued { get; set; }
    /// <summary>The plan's cursor: the last "{sourceId}|{articleId}" whose message is sent, so a redelivered plan resumes after it.</summary>
    public string? PlannedThrough { get; set; }
    /// <summary>Every message of the plan is sent.</summary>
    public bool Planned { get; set; }
    public int Done { get; set; }
    public int Unchanged { get; set; }
    public int Failed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? Errors { get; set; }
}

/// <summary>Reprocess job persistence: the header row, the plan's progress, and per-article outcome rows summed on read.</summary>
public sealed class ReprocessJobStore(TableServiceClient tables, StorageInitializer storage)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.ReprocessJobsTable);

    public static string NewJobId(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<ReprocessJobEntity> CreateAsync(ReprocessJobEntity job, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        job.ArticleIds = StorageLimits.Cap(job.ArticleIds);
        await _table.AddEntityAsync(job, cancellationToken);
        return job;
    }

    /// <summary>The header row as stored (no sums).</summary>
    public async Task<ReprocessJobEntity?> GetHeaderAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(jobId)) return null;
        await storage.EnsureTablesAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<ReprocessJobEntity>(ReprocessJobEntity.Partition, jobId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Notes plan progress: messages up to <paramref name="through"/> are sent, <paramref name="queued"/> in all so far.</summary>
    public async Task<ReprocessJobEntity> RecordPlanProgressAsync(string jobId, int queued, string? through, bool planned, IReadOnlyCollection<string> errors, CancellationToken cancellationToken) =>
        await MutateAsync(jobId, job =>
        {
            job.Queued = queued;
            job.PlannedThrough = through;
            job.Planned = planned;
            if (job.State == JobState.Accepted) job.State = JobState.Running;
            job.Errors = TableRows.AppendLines(job.Errors, errors);
        }, cancellationToken);

    public async Task<ReprocessJobEntity> FailAsync(string jobId, string reason, CancellationToken cancellationToken) =>
        await MutateAsync(jobId, job =>
        {
            job.State = JobState.Failed;
            job.CompletedAt = DateTimeOffset.UtcNow;
            job.Errors = TableRows.AppendLines(job.Errors, [reason]);
        }, cancellationToken);

    /// <summary>Records one article's outcome on the job (its own row: no contention, a redelivery counts once).</summary>
    public async Task RecordOutcomeAsync(string jobId, OutcomeRecord outcome, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await OutcomeLog.AddAsync(_table, jobId, outcome, cancellationToken);
    }

    /// <summary>
    /// The job with its counts summed from its outcome rows (1 request per 1,000 articles while it runs; 1 once it is
    /// settled). A job whose plan is sent and whose every queued article has an outcome is completed here.
    /// </summary>
    public async Task<ReprocessJobEntity?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await GetHeaderAsync(jobId, cancellationToken);
        if (job is null || job.State is JobState.Completed or JobState.Failed) return job;
        var totals = await OutcomeLog.SumAsync(_table, jobId, cancellationToken);
        Apply(job, totals);
        if (!job.Planned || totals.Queued < job.Queued) return job;
        try
        {
            return await MutateAsync(jobId, stored =>
            {
                if (stored.State is JobState.Completed or JobState.Failed) return;
                Apply(stored, totals);
                stored.State = JobState.Completed;
                stored.CompletedAt = DateTimeOffset.UtcNow;
            }, cancellationToken);
        }
        catch (RequestFailedException)
        {
            return job; // settling is an optimisation: the sums above are exact either way
        }
    }

    private static void Apply(ReprocessJobEntity job, OutcomeTotals totals)
    {
        job.Done = totals.Stored + totals.Updated + totals.Duplicates;
        job.Unchanged = totals.Unchanged;
        job.Failed = totals.Failed + totals.Skipped;
        var planErrors = string.IsNullOrEmpty(job.Errors) ? [] : job.Errors.Split('\n').Where(e => !totals.Errors.Contains(e));
        job.Errors = TableRows.AppendLines(null, [.. planErrors, .. totals.Errors]);
    }

    private async Task<ReprocessJobEntity> MutateAsync(string jobId, Action<ReprocessJobEntity> change, CancellationToken cancellationToken) =>
        await OptimisticConcurrency.RetryAsync(async _ =>
        {
            var job = await GetHeaderAsync(jobId, cancellationToken) ?? throw new InvalidOperationException($"Reprocess job {jobId} does not exist.");
            change(job);
            var response = await _table.UpdateEntityAsync(job, job.ETag, TableUpdateMode.Replace, cancellationToken);
            job.ETag = response.Headers.ETag ?? job.ETag;
            return job;
        }, cancellationToken);
}
