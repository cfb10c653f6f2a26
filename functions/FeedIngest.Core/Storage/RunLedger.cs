using System.Globalization;
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

/// <summary>
/// A run as people and programs read it. Stored as a header row in table Runs (PartitionKey "runs", RowKey
/// <see cref="RunKeys.RowKey"/>: newest first); its counts are the sums of the run's own partition (one
/// outcome row per article, one summary row per source), computed on read and frozen into the header once
/// the run is finished.
/// </summary>
public sealed class RunEntity : ITableEntity
{
    public const string Partition = "runs";
    /// <summary>Where rows written before inverted-time keys live (RowKey = run id); still read, never written.</summary>
    public const string LegacyPartition = "run";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RunId { get; set; } = "";
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
    /// <summary>Work over this run's re-queue cap (pending, failed, re-crawl), left for the next run.</summary>
    public int Deferred { get; set; }
    public int Stored { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Duplicates { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    /// <summary>Readable failure lines ("url: reason"), cut to fit a table property.</summary>
    public string? Errors { get; set; }
    /// <summary>Failed and skipped article URLs and failed discovery channels by cause: "dns=2;http-status=1" (names from FailureCauses).</summary>
    public string? FailuresByCause { get; set; }
    /// <summary>Outcome rows of queued articles (summed on read, not stored): the run is complete when it reaches Queued.</summary>
    [System.Runtime.Serialization.IgnoreDataMember]
    public int Accounted { get; set; }
}

/// <summary>One source's part of a run (RowKey "s|{sourceId}" in the run's partition), written once by its discovery.</summary>
public sealed class RunSourceEntity : ITableEntity
{
    public const string Prefix = "s|";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SourceId { get; set; } = "";
    public int Discovered { get; set; }
    public int AlreadyStored { get; set; }
    public int Queued { get; set; }
    public int Deferred { get; set; }
    /// <summary>Stored articles of the source this run did not touch, reported as unchanged (the in-process harvest's view).</summary>
    public int UnchangedArchive { get; set; }
    /// <summary>URLs refused by discovery itself (too long to queue), recorded skipped in Urls.</summary>
    public int Skipped { get; set; }
    public bool DiscoveryFailed { get; set; }
    /// <summary>Failed discovery channels and URLs refused at the edge, by cause ("dns=1").</summary>
    public string? FailuresByCause { get; set; }
    public string? Errors { get; set; }
}

/// <summary>What discovery of one source found and queued.</summary>
public sealed record SourceRunSummary(string SourceId, int Discovered, int AlreadyStored, int Queued, int Deferred, IReadOnlyList<string> Errors,
    bool DiscoveryFailed = false, int UnchangedArchive = 0)
{
    /// <summary>URLs discovery itself recorded skipped (too long to queue).</summary>
    public int Skipped { get; init; }
    /// <summary>Failed channels and refused URLs by cause name.</summary>
    public IReadOnlyDictionary<string, int> FailuresByCause { get; init; } = new Dictionary<string, int>();
}

/// <summary>Counts of a run (the CLI summary, exit codes, tests).</summary>
public sealed record RunCounts(int Discovered = 0, int AlreadyStored = 0, int Queued = 0, int Stored = 0, int Updated = 0, int Unchanged = 0,
    int Duplicates = 0, int Skipped = 0, int Failed = 0, int SourcesDone = 0, int Deferred = 0)
{
    /// <summary>Failures (failed or skipped URLs, failed discovery channels) by cause name.</summary>
    public IReadOnlyDictionary<string, int> FailuresByCause { get; init; } = new Dictionary<string, int>();

    public static RunCounts operator +(RunCounts a, RunCounts b) => new(
        a.Discovered + b.Discovered, a.AlreadyStored + b.AlreadyStored, a.Queued + b.Queued, a.Stored + b.Stored, a.Updated + b.Updated, a.Unchanged + b.Unchanged,
        a.Duplicates + b.Duplicates, a.Skipped + b.Skipped, a.Failed + b.Failed, a.SourcesDone + b.SourcesDone, a.Deferred + b.Deferred)
    {
        FailuresByCause = Merge(a.FailuresByCause, b.FailuresByCause),
    };

    /// <summary>One failure of <paramref name="cause"/>, to add to other counts.</summary>
    public static RunCounts Cause(Fetching.FailureCause cause) =>
        new() { FailuresByCause = new Dictionary<string, int> { [Fetching.FailureCauses.Name(cause)] = 1 } };

    internal static Dictionary<string, int> Merge(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b)
    {
        var merged = new Dictionary<string, int>(a, StringComparer.Ordinal);
        foreach (var (cause, n) in b) merged[cause] = merged.GetValueOrDefault(cause) + n;
        return merged;
    }
}

/// <summary>Run keys that sort newest first.</summary>
public static class RunKeys
{
    private static readonly string[] IdFormats = ["yyyyMMdd'T'HHmmss'Z'", "yyyyMMdd'T'HHmm'Z'"];

    /// <summary>"{ticks to the end of time, 19 digits}-{runId}": the newest run has the smallest key, so a query reads it first.</summary>
    public static string RowKey(string runId)
    {
        var started = StartOf(runId) ?? DateTimeOffset.MinValue;
        return $"{(DateTime.MaxValue.Ticks - started.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}-{runId}";
    }

    /// <summary>The start a run id names ("20250101T101500Z-…" or "20250101T1015Z-timer").</summary>
    public static DateTimeOffset? StartOf(string runId)
    {
        var stamp = runId.Split('-', 2)[0];
        return DateTime.TryParseExact(stamp, IdFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero)
            : null;
    }
}

/// <summary>
/// The run ledger (table Runs). Nothing here is a shared counter: a run's header row is written by its start
/// and its finish only; each article adds its own outcome row and each source its own summary row under the
/// run's partition. <see cref="GetAsync"/> sums them (1 request per 1,000 articles of the run) until the run is
/// finished; <see cref="FinalizeAsync"/> — the one place a run's results are settled — freezes the sums into
/// the header, after which a read is one request.
/// </summary>
public sealed class RunLedger(TableServiceClient tables, StorageInitializer storage)
{
    private const int MaxErrorsChars = 30_000;
    private readonly TableClient _table = tables.GetTableClient(StorageNames.RunsTable);

    public static string NewRunId(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Creates the run row, or returns the existing one (the same run started twice).</summary>
    public async Task<RunEntity> StartAsync(string runId, string kind, string host, IEnumerable<string> sourceIds, int sourcesQueued, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var row = NewHeader(runId, kind, host, sourceIds, sourcesQueued);
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
            return row;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return (await GetAsync(runId, cancellationToken))!;
        }
    }

    /// <summary>Creates the run row; false when it exists already, so of several starts of one run exactly one goes on.</summary>
    public async Task<bool> TryStartAsync(string runId, string kind, string host, IEnumerable<string> sourceIds, int sourcesQueued, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        try
        {
            await _table.AddEntityAsync(NewHeader(runId, kind, host, sourceIds, sourcesQueued), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Records what discovery of one source found and queued (a redelivered discovery replaces its own row).</summary>
    public async Task RecordSourceAsync(string runId, SourceRunSummary summary, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(runId)) return;
        await storage.EnsureTablesAsync(cancellationToken);
        await _table.UpsertEntityAsync(new RunSourceEntity
        {
            PartitionKey = runId, RowKey = RunSourceEntity.Prefix + summary.SourceId, SourceId = summary.SourceId,
            Discovered = summary.Discovered, AlreadyStored = summary.AlreadyStored, Queued = summary.Queued, Deferred = summary.Deferred,
            UnchangedArchive = summary.UnchangedArchive, Skipped = summary.Skipped, DiscoveryFailed = summary.DiscoveryFailed,
            Errors = TableRows.AppendLines(null, [.. summary.Errors], 8_000),
            FailuresByCause = summary.FailuresByCause.Count > 0 ? Fetching.FailureCauses.FormatCounts(summary.FailuresByCause) : null,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Records one article's outcome in the run (its own row; a redelivery counts nothing twice).</summary>
    public async Task RecordOutcomeAsync(string runId, OutcomeRecord outcome, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(runId)) return;
        await storage.EnsureTablesAsync(cancellationToken);
        await OutcomeLog.AddAsync(_table, runId, outcome, cancellationToken);
    }

    /// <summary>Records many outcomes of one run in batched transactions (the in-process harvest).</summary>
    public async Task RecordOutcomesAsync(string runId, IEnumerable<OutcomeRecord> outcomes, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await OutcomeLog.AddManyAsync(_table, runId, outcomes, cancellationToken);
    }

    /// <summary>
    /// The run with its counts: frozen in the header when it is finished; otherwise summed from its partition.
    /// A fanned-out (Functions) run found complete here is finalized on the spot.
    /// </summary>
    public async Task<RunEntity?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var header = await GetHeaderAsync(runId, cancellationToken);
        if (header is null || header.State != RunState.Running || header.PartitionKey == RunEntity.LegacyPartition) return header;
        await SumIntoAsync(header, cancellationToken);
        if (header.Host == "functions" && IsComplete(header))
            return await FinalizeAsync(runId, null, cancellationToken);
        return header;
    }

    /// <summary>
    /// Settles a run: sums its rows into the header and sets its final state (<paramref name="failure"/> marks it
    /// failed). The single place a run's per-source results are finalized; safe to call again (a finished run
    /// stays as it was).
    /// </summary>
    public async Task<RunEntity?> FinalizeAsync(string runId, string? failure, CancellationToken cancellationToken, bool cancelled = false) =>
        await OptimisticConcurrency.RetryAsync(async _ =>
        {
            var header = await GetHeaderAsync(runId, cancellationToken);
            if (header is null || header.State != RunState.Running) return header;
            await SumIntoAsync(header, cancellationToken);
            header.EndedAt = DateTimeOffset.UtcNow;
            if (failure is not null) header.Errors = TableRows.AppendLines(header.Errors, [failure], MaxErrorsChars);
            header.State = failure is not null ? RunState.Failed : cancelled ? RunState.Cancelled : header.Failed > 0 ? RunState.CompletedWithFailures : RunState.Completed;
            await _table.UpdateEntityAsync(header, header.ETag, TableUpdateMode.Replace, cancellationToken);
            return header;
        }, cancellationToken);

    public Task CompleteAsync(string runId, CancellationToken cancellationToken) => FinalizeAsync(runId, null, cancellationToken);

    public Task FailAsync(string runId, string error, CancellationToken cancellationToken) => FinalizeAsync(runId, error, cancellationToken);

    /// <summary>Settles a run stopped on request (Ctrl+C, shutdown) as cancelled, with the counts of what it did.</summary>
    public Task CancelAsync(string runId, CancellationToken cancellationToken) => FinalizeAsync(runId, null, cancellationToken, cancelled: true);

    /// <summary>
    /// The newest <paramref name="max"/> runs: one query that stops after <paramref name="max"/> rows (keys sort newest
    /// first), plus the rows of the old key layout only when the new ones are fewer than asked for.
    /// </summary>
    public async IAsyncEnumerable<RunEntity> ListRecentAsync(int max, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var rows = new List<RunEntity>();
        await foreach (var row in _table.QueryAsync<RunEntity>(r => r.PartitionKey == RunEntity.Partition, maxPerPage: Math.Clamp(max, 1, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= max) break;
        }
        if (rows.Count < max)
        {
            var legacy = new List<RunEntity>();
            await foreach (var row in _table.QueryAsync<RunEntity>(r => r.PartitionKey == RunEntity.LegacyPartition, cancellationToken: cancellationToken))
                legacy.Add(WithId(row));
            rows.AddRange(legacy.OrderByDescending(r => r.StartedAt).Take(max - rows.Count));
        }
        foreach (var row in rows)
        {
            if (row.State == RunState.Running && row.PartitionKey == RunEntity.Partition)
                yield return await GetAsync(row.RunId, cancellationToken) ?? row;
            else
                yield return row;
        }
    }

    /// <summary>Runs still open among the newest <paramref name="max"/>: finalized when complete (the timer calls this each occurrence).</summary>
    public async Task FinalizeFinishedAsync(int max, CancellationToken cancellationToken)
    {
        await foreach (var _ in ListRecentAsync(max, cancellationToken)) { }
    }

    private static RunEntity WithId(RunEntity legacy)
    {
        legacy.RunId = legacy.RowKey;
        return legacy;
    }

    private static bool IsComplete(RunEntity run) =>
        run.SourcesDone >= run.SourcesQueued && run.Stored + run.Updated + run.Unchanged + run.Duplicates + run.Skipped + run.Failed >= run.Queued;

    private async Task<RunEntity?> GetHeaderAsync(string runId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(runId)) return null;
        await storage.EnsureTablesAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<RunEntity>(RunEntity.Partition, RunKeys.RowKey(runId), cancellationToken: cancellationToken);
        if (row.HasValue) return row.Value;
        var legacy = await _table.GetEntityIfExistsAsync<RunEntity>(RunEntity.LegacyPartition, runId, cancellationToken: cancellationToken);
        return legacy.HasValue ? WithId(legacy.Value!) : null;
    }

    /// <summary>Replaces the header's counts with the sums of the run's source and outcome rows.</summary>
    private async Task SumIntoAsync(RunEntity run, CancellationToken cancellationToken)
    {
        var outcomes = await OutcomeLog.SumAsync(_table, run.RunId, cancellationToken);
        int discovered = 0, alreadyStored = 0, queued = 0, deferred = 0, unchangedArchive = 0, sourcesDone = 0, skipped = 0;
        var errors = new List<string>();
        var causes = new Dictionary<string, int>(outcomes.FailuresByCause, StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {run.RunId} and RowKey ge {RunSourceEntity.Prefix} and RowKey lt {"s}"}");
        await foreach (var source in _table.QueryAsync<RunSourceEntity>(filter, cancellationToken: cancellationToken))
        {
            sourcesDone++;
            discovered += source.Discovered;
            alreadyStored += source.AlreadyStored;
            queued += source.Queued;
            deferred += source.Deferred;
            unchangedArchive += source.UnchangedArchive;
            skipped += source.Skipped;
            if (!string.IsNullOrEmpty(source.Errors)) errors.AddRange(source.Errors.Split('\n'));
            causes = RunCounts.Merge(causes, Fetching.FailureCauses.ParseCounts(source.FailuresByCause));
        }
        run.Accounted = outcomes.Total;
        run.SourcesDone = sourcesDone;
        run.Discovered = discovered;
        run.AlreadyStored = alreadyStored;
        run.Queued = queued;
        run.Deferred = deferred;
        run.Stored = outcomes.Stored;
        run.Updated = outcomes.Updated;
        run.Unchanged = outcomes.Unchanged + unchangedArchive;
        run.Duplicates = outcomes.Duplicates;
        run.Skipped = outcomes.Skipped + skipped;
        run.Failed = outcomes.Failed;
        run.FailuresByCause = causes.Count > 0 ? Fetching.FailureCauses.FormatCounts(causes) : null;
        // The header holds no errors while the run is open (a failure is written when it is finalized).
        run.Errors = TableRows.AppendLines(null, [.. errors, .. outcomes.Errors], MaxErrorsChars);
    }

    private static RunEntity NewHeader(string runId, string kind, string host, IEnumerable<string> sourceIds, int sourcesQueued) => new()
    {
        RowKey = RunKeys.RowKey(runId), RunId = runId, Kind = kind, Host = host, StartedAt = DateTimeOffset.UtcNow,
        Sources = StorageLimits.Cap(string.Join(",", sourceIds), 8_000), SourcesQueued = sourcesQueued,
    };
}
