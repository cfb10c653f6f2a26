using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Health;

/// <summary>
/// Folds a finished run of a source into its SourceHealth row: last attempt/success, consecutive failed
/// runs, stored per day, failures by cause, quality signals against the source's baseline (drift), and the
/// alert episodes that start with this run. The CLI folds each source as its part of the run ends; the
/// Functions app folds finished runs at the next timer occurrence and before /api/status or /api/dashboard answers.
/// </summary>
public sealed class SourceHealthService(
    TableServiceClient tables,
    StorageInitializer storage,
    HealthObservationStore observations,
    RunLedger runs,
    AlertSender alerts,
    IOptions<HealthOptions> options,
    IOptions<AlertOptions> alertOptions,
    ILogger<SourceHealthService> logger)
{
    public const string TableName = StorageNames.SourceHealthTable;
    public const string AlertFailing = "failing";
    public const string AlertDrift = "drift";
    public const string AlertStoredNothing = "stored-nothing";
    private const int MaxFoldedRuns = 40;
    private const int MaxRecentFailures = 10;
    private const int DaysKept = 31;
    private static readonly TimeSpan VietnamOffset = FeedIngest.Core.Common.VietnamTime.Offset;
    private static readonly TimeSpan StuckRunAge = TimeSpan.FromHours(6);
    private readonly TableClient _table = tables.GetTableClient(TableName);

    /// <summary>Folds one source's part of one run; a second fold of the same run changes nothing and alerts nobody.</summary>
    public async Task FoldAsync(string runId, string sourceId, DateTimeOffset runStartedAt, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(sourceId)) return;
        var run = await AggregateAsync(runId, sourceId, cancellationToken);
        var settings = options.Value;
        var started = new List<HealthAlert>();
        var folded = await MutateAsync(sourceId, row =>
        {
            started.Clear();
            var foldedRuns = (row.FoldedRuns ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (foldedRuns.Contains(runId)) return false;
            foldedRuns.Add(runId);
            row.FoldedRuns = string.Join(",", foldedRuns.TakeLast(MaxFoldedRuns));
            Apply(row, run, runId, runStartedAt, settings, alertOptions.Value, started);
            return true;
        }, cancellationToken);
        if (!folded) return;
        foreach (var alert in started)
            await alerts.SendAsync(alert, cancellationToken);
    }

    /// <summary>Folds every recent harvest run that has ended (or has run for hours) and is not folded yet, for each of its sources.</summary>
    public async Task FoldFinishedRunsAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = new Dictionary<string, SourceHealthEntity?>();
        await foreach (var run in runs.ListRecentAsync(20, cancellationToken))
        {
            if (run.Kind != "harvest" || (run.State == RunState.Running && now - run.StartedAt < StuckRunAge)) continue;
            foreach (var sourceId in (run.Sources ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!rows.TryGetValue(sourceId, out var row)) rows[sourceId] = row = await GetAsync(sourceId, cancellationToken);
                if (row?.FoldedRuns?.Split(',').Contains(run.RunId) == true) continue;
                try
                {
                    await FoldAsync(run.RunId, sourceId, run.StartedAt, cancellationToken);
                }
                catch (RequestFailedException e)
                {
                    logger.LogWarning(e, "Could not fold run {runId} of {sourceId} into SourceHealth", run.RunId, sourceId);
                }
            }
        }
    }

    public async Task<SourceHealthEntity?> GetAsync(string sourceId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<SourceHealthEntity>(SourceHealthEntity.Partition, sourceId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    public async IAsyncEnumerable<SourceHealthEntity> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        await foreach (var row in _table.QueryAsync<SourceHealthEntity>(r => r.PartitionKey == SourceHealthEntity.Partition, cancellationToken: cancellationToken))
            yield return row;
    }

    private sealed record RunAggregate(
        int Attempted, int Stored, int Succeeded, int Failed, bool DiscoveryFailed, string? DiscoveryCause,
        Dictionary<string, int> FailuresByCause, List<RecentFailure> Failures, int Pages, int Empty, int NoDate, int NoTitle,
        long BodyChars, long BlocksTotal, long BlocksDropped);

    private async Task<RunAggregate> AggregateAsync(string runId, string sourceId, CancellationToken cancellationToken)
    {
        int attempted = 0, stored = 0, succeeded = 0, failed = 0, pages = 0, empty = 0, noDate = 0, noTitle = 0;
        long chars = 0, blocksTotal = 0, blocksDropped = 0;
        var discoveryFailed = false;
        string? discoveryCause = null;
        var byCause = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<RecentFailure>();
        await foreach (var o in observations.ListAsync(runId, sourceId, cancellationToken))
        {
            if (o.Kind == "discovery")
            {
                if (o.Result != "failed") continue;
                discoveryFailed = true;
                discoveryCause = o.Cause ?? FailureCauseNames.FromReason(o.Reason);
                byCause[discoveryCause] = byCause.GetValueOrDefault(discoveryCause) + 1;
                failures.Add(new RecentFailure(o.At, null, discoveryCause, "discovery: " + FirstLine(o.Reason), runId));
                continue;
            }
            attempted++;
            switch (o.Result)
            {
                case "stored" or "updated": stored++; succeeded++; break;
                case "unchanged" or "duplicate" or "reprocessed": succeeded++; break;
                default:
                    failed++;
                    var cause = o.Cause ?? FailureCauseNames.FromReason(o.Reason);
                    byCause[cause] = byCause.GetValueOrDefault(cause) + 1;
                    if (failures.Count < MaxRecentFailures) failures.Add(new RecentFailure(o.At, o.Url, cause, FirstLine(o.Reason), runId));
                    break;
            }
            if (o.BodyChars is { } length)
            {
                pages++;
                chars += length;
                if (length < PageQuality.ShortBodyChars) empty++;
                if (o.HasDate == false) noDate++;
                if (o.HasTitle == false) noTitle++;
                if (o is { BlocksTotal: > 0, BlocksDropped: { } dropped })
                {
                    blocksTotal += o.BlocksTotal.Value;
                    blocksDropped += dropped;
                }
            }
        }
        return new RunAggregate(attempted, stored, succeeded, failed, discoveryFailed, discoveryCause, byCause, failures,
            pages, empty, noDate, noTitle, chars, blocksTotal, blocksDropped);
    }

    private static void Apply(SourceHealthEntity row, RunAggregate run, string runId, DateTimeOffset runAt, HealthOptions settings, AlertOptions alertSettings, List<HealthAlert> started)
    {
        var now = DateTimeOffset.UtcNow;
        // Failed: discovery failed, or pages were tried and none of them came through.
        var runFailed = run.DiscoveryFailed || (run.Attempted > 0 && run.Succeeded == 0 && run.Failed > 0);
        row.LastAttemptAt = Max(row.LastAttemptAt, runAt);
        row.LastRunId = runId;
        row.LastRunFailed = runFailed;
        row.LastRunCause = runFailed ? run.DiscoveryCause ?? run.FailuresByCause.OrderByDescending(c => c.Value).Select(c => c.Key).FirstOrDefault() : null;
        row.ConsecutiveFailedRuns = runFailed ? row.ConsecutiveFailedRuns + 1 : 0;
        if (!runFailed) row.LastSuccessAt = Max(row.LastSuccessAt, runAt);

        var daily = SourceHealthEntity.Read(row.DailyStoredJson, () => new SortedDictionary<string, int>(StringComparer.Ordinal));
        var day = runAt.ToOffset(VietnamOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        daily[day] = daily.GetValueOrDefault(day) + run.Stored;
        var oldest = now.ToOffset(VietnamOffset).AddDays(-(DaysKept - 1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var stale in daily.Keys.Where(k => string.CompareOrdinal(k, oldest) < 0).ToList()) daily.Remove(stale);
        row.DailyStoredJson = SourceHealthEntity.Write(daily);

        row.LastRunFailuresJson = SourceHealthEntity.Write(run.FailuresByCause);
        var total = SourceHealthEntity.Read(row.TotalFailuresJson, () => new Dictionary<string, int>(StringComparer.Ordinal));
        foreach (var (cause, count) in run.FailuresByCause) total[cause] = total.GetValueOrDefault(cause) + count;
        row.TotalFailuresJson = SourceHealthEntity.Write(total);
        var recent = SourceHealthEntity.Read(row.RecentFailuresJson, () => new List<RecentFailure>());
        row.RecentFailuresJson = SourceHealthEntity.Write(run.Failures.Concat(recent).Take(MaxRecentFailures).ToList());

        var history = SourceHealthEntity.Read(row.HistoryJson, () => new List<RunHistoryEntry>());
        double? Share(int count) => run.Pages == 0 ? null : Math.Round((double)count / run.Pages, 3);
        var entry = new RunHistoryEntry(runId, runAt, run.Stored, run.Attempted, run.Failed, runFailed, run.Pages,
            Share(run.Empty), Share(run.NoDate), Share(run.NoTitle),
            run.Pages == 0 ? null : Math.Round((double)run.BodyChars / run.Pages, 1),
            run.BlocksTotal == 0 ? null : Math.Round((double)run.BlocksDropped / run.BlocksTotal, 3));
        // Runs with too few pages say nothing about quality: the last verdict stands until a run that can speak.
        if (run.Pages >= settings.MinPagesPerRun)
            row.DriftJson = SourceHealthEntity.Write(QualityDrift.Detect(entry, history, settings));
        var previous = history.ToList();
        history.Add(entry);
        row.HistoryJson = SourceHealthEntity.Write(history.TakeLast(Math.Max(settings.HistoryRuns, settings.MinBaselineRuns + 1)).ToList());

        // Alert episodes: a condition alerts when it starts, and again only after it has ended.
        var drift = SourceHealthEntity.Read(row.DriftJson, () => new List<DriftFlag>());
        var usualStored = previous.Count >= settings.MinBaselineRuns ? QualityDrift.Median(previous.TakeLast(settings.HistoryRuns).Select(r => (double?)r.Stored)) : null;
        var conditions = new Dictionary<string, string>();
        if (row.ConsecutiveFailedRuns >= Math.Max(1, alertSettings.FailedRunsBeforeAlert))
            conditions[AlertFailing] = $"{row.RowKey}: {row.ConsecutiveFailedRuns} failed runs in a row (cause: {row.LastRunCause ?? "unknown"})";
        if (drift.Count > 0)
            conditions[AlertDrift] = $"{row.RowKey}: extraction quality drifted — " + string.Join(", ", drift.Select(d => $"{d.Signal} {d.Current} (baseline {d.Baseline})"));
        if (!runFailed && run.Stored == 0 && usualStored >= 1)
            conditions[AlertStoredNothing] = $"{row.RowKey}: run stored nothing (usually {usualStored} per run)";
        var active = (row.ActiveAlerts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var (kind, text) in conditions.Where(c => !active.Contains(c.Key)))
            started.Add(new HealthAlert(kind, row.RowKey, runId, now, text, row.LastRunCause, row.ConsecutiveFailedRuns, drift, run.Stored, usualStored));
        row.ActiveAlerts = string.Join(",", conditions.Keys.Order(StringComparer.Ordinal));
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private static string? FirstLine(string? text) => text?.Split('\n')[0] is { } line && line.Length > 300 ? line[..300] : text?.Split('\n')[0];

    /// <summary>Read-modify-write with the row's ETag (insert when missing); <paramref name="change"/> returns false to write nothing.</summary>
    private async Task<bool> MutateAsync(string sourceId, Func<SourceHealthEntity, bool> change, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        return await OptimisticConcurrency.RetryAsync(async _ =>
        {
            var found = await _table.GetEntityIfExistsAsync<SourceHealthEntity>(SourceHealthEntity.Partition, sourceId, cancellationToken: cancellationToken);
            var row = found.HasValue ? found.Value! : new SourceHealthEntity { RowKey = sourceId };
            if (!change(row)) return false;
            if (found.HasValue) await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            else await _table.AddEntityAsync(row, cancellationToken);
            return true;
        }, cancellationToken);
    }

    // Created with the others by StorageInitializer (once per process; a completed task after that).
    private Task EnsureAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);
}
