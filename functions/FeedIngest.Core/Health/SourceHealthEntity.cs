using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Health;

/// <summary>
/// One row per source in table SourceHealth (PartitionKey "source", RowKey sourceId), written once per run
/// of the source (never per article). Lists are JSON and bounded: 31 day buckets, <c>HistoryRuns</c> runs,
/// 10 recent failures, 40 folded run ids — well under the 32K-character property limit.
/// </summary>
public sealed class SourceHealthEntity : ITableEntity
{
    public const string Partition = "source";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public string? LastRunId { get; set; }
    public bool LastRunFailed { get; set; }
    /// <summary>The cause of the last failed run (most frequent cause of its failures, or its discovery failure).</summary>
    public string? LastRunCause { get; set; }
    public int ConsecutiveFailedRuns { get; set; }
    /// <summary>{"2026-12-02": 5, …}: articles stored (new or updated) per Vietnam day, last 31 days.</summary>
    public string? DailyStoredJson { get; set; }
    /// <summary>{"dns": 3, …}: failures by cause in the last run.</summary>
    public string? LastRunFailuresJson { get; set; }
    /// <summary>{"dns": 30, …}: failures by cause over every folded run.</summary>
    public string? TotalFailuresJson { get; set; }
    /// <summary>[RecentFailure…], newest first.</summary>
    public string? RecentFailuresJson { get; set; }
    /// <summary>[RunHistoryEntry…], newest last.</summary>
    public string? HistoryJson { get; set; }
    /// <summary>[DriftFlag…] of the last run that said anything about quality; empty when none drifts.</summary>
    public string? DriftJson { get; set; }
    /// <summary>Alert episodes in progress ("failing,drift"): an alert goes out when one starts, not again while it lasts.</summary>
    public string? ActiveAlerts { get; set; }
    /// <summary>Runs already folded into this row (newest last), so a second fold of the same run changes nothing.</summary>
    public string? FoldedRuns { get; set; }

    internal static T Read<T>(string? json, Func<T> empty) => string.IsNullOrEmpty(json) ? empty() : JsonSerializer.Deserialize<T>(json, HealthJson.Options) ?? empty();
    internal static string Write<T>(T value) => JsonSerializer.Serialize(value, HealthJson.Options);
}

/// <summary>What one run of a source did and what its pages say about extraction quality (null: too few pages to say).</summary>
public sealed record RunHistoryEntry(
    string RunId, DateTimeOffset At, int Stored, int Attempted, int Failed, bool RunFailed, int Pages,
    double? EmptyShare, double? NoDateShare, double? NoTitleShare, double? MeanBodyChars, double? DroppedShare);

public sealed record DriftFlag(string Signal, double Current, double Baseline);

public sealed record RecentFailure(DateTimeOffset At, string? Url, string Cause, string? Reason, string RunId);

internal static class HealthJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
