namespace FeedIngest.Core.Extraction;

/// <summary>
/// How instances share a source's boilerplate memory: each saves only what it observed since it loaded (its
/// delta), added onto the stored memory as it is at that moment — so counts add up across instances instead of
/// the last writer's view replacing the others'.
/// </summary>
public static class BoilerplateSnapshotMerge
{
    public static readonly BoilerplateSnapshot Empty = new(0, [], []);

    /// <summary>What <paramref name="now"/> observed beyond <paramref name="baseline"/> (only growth: trimmed entries are not negative news).</summary>
    public static BoilerplateSnapshot Delta(BoilerplateSnapshot baseline, BoilerplateSnapshot now)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (fp, n) in now.Counts)
        {
            var added = n - baseline.Counts.GetValueOrDefault(fp);
            if (added > 0) counts[fp] = added;
        }
        var known = baseline.Pages.ToHashSet(StringComparer.Ordinal);
        return new BoilerplateSnapshot(Math.Max(0, now.PagesObserved - baseline.PagesObserved), counts, [.. now.Pages.Where(p => !known.Contains(p))]);
    }

    /// <summary>The stored memory plus a delta; a page another instance already counted is not counted again.</summary>
    public static BoilerplateSnapshot Apply(BoilerplateSnapshot stored, BoilerplateSnapshot delta)
    {
        var counts = new Dictionary<string, int>(stored.Counts, StringComparer.Ordinal);
        var storedPages = stored.Pages.ToHashSet(StringComparer.Ordinal);
        var newPages = delta.Pages.Where(p => !storedPages.Contains(p)).ToList();
        // When every page of the delta is known already (another instance saved the same pages), its counts are not news either.
        if (delta.Pages.Count > 0 && newPages.Count == 0) return stored;
        foreach (var (fp, n) in delta.Counts) counts[fp] = counts.GetValueOrDefault(fp) + n;
        var pages = stored.Pages.Concat(newPages).TakeLast(BoilerplateMemory.MaxPageKeys).ToList();
        var alreadyCounted = delta.Pages.Count - newPages.Count;
        return new BoilerplateSnapshot(stored.PagesObserved + Math.Max(0, delta.PagesObserved - alreadyCounted), counts, pages);
    }
}
