namespace FeedIngest.Core.Health;

/// <summary>Extraction-quality signal names, as they appear in drift flags, the status table and alerts.</summary>
public static class QualitySignals
{
    public const string EmptyBody = "empty-body";
    public const string NoDate = "no-date";
    public const string NoTitle = "no-title";
    public const string MeanBodyChars = "mean-body-chars";
    public const string DroppedShare = "boilerplate-dropped";
}

/// <summary>
/// Compares a run's quality signals with the source's own baseline: the median of the previous qualifying
/// runs (at least <see cref="HealthOptions.MinPagesPerRun"/> pages). Thresholds and their calibration: docs/HEALTH.md.
/// </summary>
public static class QualityDrift
{
    public static IReadOnlyList<DriftFlag> Detect(RunHistoryEntry current, IReadOnlyList<RunHistoryEntry> previous, HealthOptions options)
    {
        if (current.Pages < options.MinPagesPerRun) return [];
        var baseline = previous.Where(r => r.Pages >= options.MinPagesPerRun).TakeLast(options.HistoryRuns).ToList();
        if (baseline.Count < options.MinBaselineRuns) return [];
        var flags = new List<DriftFlag>();
        Rise(QualitySignals.EmptyBody, current.EmptyShare, baseline.Select(r => r.EmptyShare), options.ShareDriftThreshold, flags);
        Rise(QualitySignals.NoDate, current.NoDateShare, baseline.Select(r => r.NoDateShare), options.ShareDriftThreshold, flags);
        Rise(QualitySignals.NoTitle, current.NoTitleShare, baseline.Select(r => r.NoTitleShare), options.ShareDriftThreshold, flags);
        if (current.MeanBodyChars is { } mean && Median(baseline.Select(r => r.MeanBodyChars)) is { } meanBase && meanBase > 0
            && (mean < meanBase * options.MeanBodyLowFactor || mean > meanBase * options.MeanBodyHighFactor))
            flags.Add(new DriftFlag(QualitySignals.MeanBodyChars, Math.Round(mean), Math.Round(meanBase)));
        if (current.DroppedShare is { } dropped && Median(baseline.Select(r => r.DroppedShare)) is { } droppedBase
            && Math.Abs(dropped - droppedBase) >= options.DroppedShareDriftThreshold)
            flags.Add(new DriftFlag(QualitySignals.DroppedShare, Round(dropped), Round(droppedBase)));
        return flags;
    }

    private static void Rise(string signal, double? current, IEnumerable<double?> history, double threshold, List<DriftFlag> flags)
    {
        if (current is { } value && Median(history) is { } baseline && value - baseline >= threshold)
            flags.Add(new DriftFlag(signal, Round(value), Round(baseline)));
    }

    /// <summary>A run's quality signals from its pages (the fold computes the same from stored observations).</summary>
    public static RunHistoryEntry Summarize(string runId, IReadOnlyCollection<PageQuality> pages)
    {
        double? Share(Func<PageQuality, bool> test) => pages.Count == 0 ? null : Math.Round((double)pages.Count(test) / pages.Count, 3);
        var total = pages.Sum(p => p.BlocksTotal ?? 0);
        return new RunHistoryEntry(runId, DateTimeOffset.UtcNow, pages.Count, pages.Count, 0, false, pages.Count,
            Share(p => p.ShortBody), Share(p => !p.HasDate), Share(p => !p.HasTitle),
            pages.Count == 0 ? null : Math.Round(pages.Average(p => p.BodyChars), 1),
            total == 0 ? null : Math.Round((double)pages.Sum(p => p.BlocksDropped ?? 0) / total, 3));
    }

    public static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (sorted.Count == 0) return null;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Round(double value) => Math.Round(value, 3);
}
