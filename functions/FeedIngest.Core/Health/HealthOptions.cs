namespace FeedIngest.Core.Health;

/// <summary>Health, drift and alert settings (configuration section "FeedIngest:Health"); defaults documented in docs/HEALTH.md.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "FeedIngest:Health";

    /// <summary>Runs with fewer extracted pages than this say nothing about quality (too noisy) and do not enter the baseline.</summary>
    public int MinPagesPerRun { get; set; } = 3;
    /// <summary>Qualifying runs needed before a baseline exists (and before "stores nothing" can fire).</summary>
    public int MinBaselineRuns { get; set; } = 3;
    /// <summary>Runs kept in the row's history; the baseline is the median of the qualifying ones.</summary>
    public int HistoryRuns { get; set; } = 12;
    /// <summary>A share signal (empty body, no date, no title) drifts when it rises this much over its baseline (0..1).</summary>
    public double ShareDriftThreshold { get; set; } = 0.4;
    /// <summary>The boilerplate-dropped share drifts when it moves this much either way.</summary>
    public double DroppedShareDriftThreshold { get; set; } = 0.25;
    /// <summary>Mean body length drifts below baseline × this factor…</summary>
    public double MeanBodyLowFactor { get; set; } = 0.25;
    /// <summary>…or above baseline × this factor (menus and lists leaking into the text).</summary>
    public double MeanBodyHighFactor { get; set; } = 5;
}

/// <summary>Webhook alerts (configuration section "FeedIngest:Alerts").</summary>
public sealed class AlertOptions
{
    public const string SectionName = "FeedIngest:Alerts";

    /// <summary>Incoming webhook (generic JSON with a <c>text</c> field, which Teams and Slack accept). Empty: no alerts are sent.</summary>
    public string? WebhookUrl { get; set; }
    /// <summary>Alert when a source has failed this many runs in a row.</summary>
    public int FailedRunsBeforeAlert { get; set; } = 3;
    /// <summary>Base URL of the status page, named in alert texts when set.</summary>
    public string? DashboardUrl { get; set; }
}
