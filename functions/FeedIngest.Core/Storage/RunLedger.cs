using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

public static class RunState
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string CompletedWithFailures = "completed-with-failures";
    public const string Failed = "failed";
    /// <summary>Stopped on request (Ctrl+C, shutdown) with the counts of what it did.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>One row per harvest or reprocess run in table Runs (PartitionKey "run", RowKey runId).</summary>
public sealed class RunEntity : ITableEntity
{
    public const string Partition = "run";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Kind { get; set; } = "harvest";
    public string Host { get; set; } = "cli";
    public string State { get; set; } = RunState.Running;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? Sources { get; set; }
    public int SourcesQueued { get; set; }
    public int SourcesDone { get; set; }
    public int Discovered { get; set; }
    /// <summary>Discovered URLs that were already stored (not queued).</summary>
    public int AlreadyStored { get; set; }
    public int Queued { get; set; }
    public int Stored { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Duplicates { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    /// <summary>Readable failure lines ("url: reason"), newest last, cut to fit a table property.</summary>
    public string? Errors { get; set; }
}

/// <summary>Counts a run can add to; applied with optimistic concurrency so many instances can report at once.</summary>
public sealed record RunCounts(int Discovered = 0, int AlreadyStored = 0, int Queued = 0, int Stored = 0, int Updated = 0, int Unchanged = 0,
    int Duplicates = 0, int Skipped = 0, int Failed = 0, int SourcesDone = 0)
{
    public static RunCounts operator +(RunCounts a, RunCounts b) => new(
        a.Discovered + b.Discovered, a.AlreadyStored + b.AlreadyStored, a.Queued + b.Queued, a.Stored + b.Stored, a.Updated + b.Updated, a.Unchanged + b.Unchanged,
        a.Duplicates + b.Duplicates, a.Skipped + b.Skipped, a.Failed + b.Failed, a.SourcesDone + b.SourcesDone);
}

public sealed class RunLedger(TableServiceClient tables)
{
    private const int MaxErrorsChars = 30_000;
    private readonly TableClient _table = tables.GetTableClient(StorageNames.RunsTable);
    private volatile bool _ready;

    public static string NewRunId(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..6]}";

    public async Task<RunEntity> StartAsync(string runId, string kind, string host, IEnumerable<string> sourceIds, int sourcesQueued, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var row = new RunEntity
        {
            RowKey = runId, Kind = kind, Host = host, StartedAt = DateTimeOffset.UtcNow,
            Sources = string.Join(",", sourceIds), SourcesQueued = sourcesQueued,
        };
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // The same run started twice (a retried timer): the first row stands.
            return (await GetAsync(runId, cancellationToken))!;
        }
        return row;
    }

    /// <summary>Creates the run row; false when it exists already, so of several starts of one run exactly one goes on.</summary>
    public async Task<bool> TryStartAsync(string runId, string kind, string host, IEnumerable<string> sourceIds, int sourcesQueued, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        try
        {
            await _table.AddEntityAsync(new RunEntity
            {
                RowKey = runId, Kind = kind, Host = host, StartedAt = DateTimeOffset.UtcNow,
                Sources = string.Join(",", sourceIds), SourcesQueued = sourcesQueued,
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<RunEntity?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<RunEntity>(RunEntity.Partition, runId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// Adds a stage's counts. Counts for a run without a row (a message queued by hand, a run row removed) are
    /// dropped: the ledger reports on the work, and an article must not fail over its report.
    /// </summary>
    public async Task AddAsync(string runId, RunCounts counts, IReadOnlyList<string>? errors, CancellationToken cancellationToken) =>
        await MutateAsync(runId, missingIsFine: true, row =>
        {
            row.Discovered += counts.Discovered;
            row.AlreadyStored += counts.AlreadyStored;
            row.Queued += counts.Queued;
            row.Stored += counts.Stored;
            row.Updated += counts.Updated;
            row.Unchanged += counts.Unchanged;
            row.Duplicates += counts.Duplicates;
            row.Skipped += counts.Skipped;
            row.Failed += counts.Failed;
            row.SourcesDone += counts.SourcesDone;
            AppendErrors(row, errors);
            // A fanned-out run is done when every source is discovered and every queued article is accounted for.
            if (row.State == RunState.Running && row.Host == "functions" && row.SourcesDone >= row.SourcesQueued
                && row.Stored + row.Updated + row.Unchanged + row.Duplicates + row.Skipped + row.Failed >= row.Queued)
                Finish(row);
        }, cancellationToken);

    public async Task CompleteAsync(string runId, CancellationToken cancellationToken) =>
        await MutateAsync(runId, missingIsFine: false, Finish, cancellationToken);

    public async Task FailAsync(string runId, string error, CancellationToken cancellationToken) =>
        await MutateAsync(runId, missingIsFine: false, row =>
        {
            AppendErrors(row, [error]);
            row.State = RunState.Failed;
            row.EndedAt = DateTimeOffset.UtcNow;
        }, cancellationToken);

    public async Task CancelAsync(string runId, CancellationToken cancellationToken) =>
        await MutateAsync(runId, missingIsFine: false, row =>
        {
            if (row.State != RunState.Running) return;
            row.State = RunState.Cancelled;
            row.EndedAt = DateTimeOffset.UtcNow;
        }, cancellationToken);

    public async IAsyncEnumerable<RunEntity> ListRecentAsync(int max, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var rows = new List<RunEntity>();
        await foreach (var row in _table.QueryAsync<RunEntity>(r => r.PartitionKey == RunEntity.Partition, cancellationToken: cancellationToken))
            rows.Add(row);
        foreach (var row in rows.OrderByDescending(r => r.StartedAt).Take(max))
            yield return row;
    }

    private static void Finish(RunEntity row)
    {
        row.EndedAt ??= DateTimeOffset.UtcNow;
        if (row.State == RunState.Running)
            row.State = row.Failed > 0 ? RunState.CompletedWithFailures : RunState.Completed;
    }

    private static void AppendErrors(RunEntity row, IReadOnlyList<string>? errors) => row.Errors = TableRows.AppendLines(row.Errors, errors, MaxErrorsChars);

    private async Task MutateAsync(string runId, bool missingIsFine, Action<RunEntity> change, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        if (missingIsFine && await GetAsync(runId, cancellationToken) is null) return;
        await TableRows.MutateAsync(_table, RunEntity.Partition, runId, change, cancellationToken);
    }

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready) return;
        await _table.CreateIfNotExistsAsync(cancellationToken);
        _ready = true;
    }
}
