using System.Globalization;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Health;

/// <summary>What <c>feedingest status</c>, <c>GET /api/status</c> and the status page show (JSON: camelCase; docs/HEALTH.md).</summary>
public sealed record StatusReport(DateTimeOffset GeneratedAt, IReadOnlyList<SourceStatus> Sources, IReadOnlyList<RunStatus> Runs, IReadOnlyList<RecentFailure> RecentFailures);

/// <summary>One source's health: <see cref="State"/> is "ok", "failing" (its last run failed) or "drift" (extraction quality moved).</summary>
public sealed record SourceStatus(
    string SourceId, string State, DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, string? LastRunId,
    int ConsecutiveFailedRuns, string? LastRunCause, int Stored1d, int Stored7d, int Stored30d,
    IReadOnlyDictionary<string, int> DailyStored, IReadOnlyDictionary<string, int> LastRunFailuresByCause, IReadOnlyDictionary<string, int> FailuresByCause,
    QualitySnapshot? Quality, IReadOnlyList<DriftFlag> Drift, IReadOnlyList<string> ActiveAlerts);

/// <summary>The last run's quality signals that said something (enough pages), and the baseline (median of the runs before it).</summary>
public sealed record QualitySnapshot(string RunId, int Pages, double? EmptyShare, double? NoDateShare, double? NoTitleShare, double? MeanBodyChars, double? DroppedShare,
    double? BaselineEmptyShare, double? BaselineNoDateShare, double? BaselineNoTitleShare, double? BaselineMeanBodyChars, double? BaselineDroppedShare, int BaselineRuns);

public sealed record RunStatus(string RunId, string Host, string State, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Sources,
    int Discovered, int Stored, int Updated, int Unchanged, int Skipped, int Failed);

/// <summary>Builds the status report from SourceHealth and Runs (folding ended runs first).</summary>
public sealed class StatusReportService(SourceHealthService health, RunLedger runs, Microsoft.Extensions.Options.IOptions<HealthOptions> options)
{
    private static readonly TimeSpan VietnamOffset = FeedIngest.Core.Common.VietnamTime.Offset;

    public async Task<StatusReport> GetAsync(int maxRuns, CancellationToken cancellationToken)
    {
        // The Functions app folds runs at the next timer occurrence; a status read should not wait for it.
        await health.FoldFinishedRunsAsync(cancellationToken);
        var sources = new List<SourceStatus>();
        var failures = new List<RecentFailure>();
        await foreach (var row in health.ListAsync(cancellationToken))
        {
            sources.Add(ToStatus(row, options.Value));
            failures.AddRange(SourceHealthEntity.Read(row.RecentFailuresJson, () => new List<RecentFailure>()));
        }
        var recentRuns = new List<RunStatus>();
        await foreach (var run in runs.ListRecentAsync(maxRuns, cancellationToken))
            recentRuns.Add(new RunStatus(run.RunId, run.Host, run.State, run.StartedAt, run.EndedAt, run.Sources,
                run.Discovered, run.Stored, run.Updated, run.Unchanged, run.Skipped, run.Failed));
        return new StatusReport(DateTimeOffset.UtcNow, sources.OrderBy(s => s.SourceId, StringComparer.Ordinal).ToList(), recentRuns,
            failures.OrderByDescending(f => f.At).Take(30).ToList());
    }

    public static SourceStatus ToStatus(SourceHealthEntity row, HealthOptions settings)
    {
        var daily = SourceHealthEntity.Read(row.DailyStoredJson, () => new SortedDictionary<string, int>(StringComparer.Ordinal));
        var today = DateTimeOffset.UtcNow.ToOffset(VietnamOffset).Date;
        int Within(int days) => daily.Where(d => DateTime.TryParseExact(d.Key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            && (today - day).TotalDays < days).Sum(d => d.Value);
        var drift = SourceHealthEntity.Read(row.DriftJson, () => new List<DriftFlag>());
        var history = SourceHealthEntity.Read(row.HistoryJson, () => new List<RunHistoryEntry>());
        QualitySnapshot? quality = null;
        var lastIndex = history.FindLastIndex(h => h.Pages >= settings.MinPagesPerRun);
        if (lastIndex >= 0)
        {
            var last = history[lastIndex];
            var baseline = history.Take(lastIndex).Where(h => h.Pages >= settings.MinPagesPerRun).TakeLast(settings.HistoryRuns).ToList();
            quality = new QualitySnapshot(last.RunId, last.Pages, last.EmptyShare, last.NoDateShare, last.NoTitleShare, last.MeanBodyChars, last.DroppedShare,
                QualityDrift.Median(baseline.Select(b => b.EmptyShare)), QualityDrift.Median(baseline.Select(b => b.NoDateShare)),
                QualityDrift.Median(baseline.Select(b => b.NoTitleShare)), QualityDrift.Median(baseline.Select(b => b.MeanBodyChars)),
                QualityDrift.Median(baseline.Select(b => b.DroppedShare)), baseline.Count);
        }
        var state = row.LastRunFailed ? "failing" : drift.Count > 0 ? "drift" : "ok";
        return new SourceStatus(row.RowKey, state, row.LastAttemptAt, row.LastSuccessAt, row.LastRunId, row.ConsecutiveFailedRuns, row.LastRunCause,
            Within(1), Within(7), Within(30), daily,
            SourceHealthEntity.Read(row.LastRunFailuresJson, () => new Dictionary<string, int>()),
            SourceHealthEntity.Read(row.TotalFailuresJson, () => new Dictionary<string, int>()),
            quality, drift, (row.ActiveAlerts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The report as JSON (camelCase, ISO dates), as /api/status returns it and the status page embeds it.</summary>
    public static string ToJson(StatusReport report) => System.Text.Json.JsonSerializer.Serialize(report, HealthJson.Options);
}
