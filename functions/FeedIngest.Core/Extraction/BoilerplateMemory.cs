namespace FeedIngest.Core.Extraction;

/// <summary>
/// In-memory, thread-safe, bounded per-source memory of block fingerprints: how many distinct pages carried each one.
/// Bounded twice: at most <see cref="MaxFingerprints"/> fingerprints (the rarest, oldest go first) and
/// <see cref="MaxPageKeys"/> remembered page keys (so re-extracting a page does not count it twice).
/// </summary>
public sealed class BoilerplateMemory : IBoilerplateMemory
{
    public const int MaxFingerprints = 4000;
    public const int MaxPageKeys = 2000;

    private readonly object _gate = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Queue<string> _pageOrder = new();
    private readonly HashSet<string> _pages = new(StringComparer.Ordinal);
    private int _pagesObserved;

    public int PagesObserved { get { lock (_gate) return _pagesObserved; } }

    public int PageCount(string fingerprint)
    {
        lock (_gate) return _counts.GetValueOrDefault(fingerprint);
    }

    public void Observe(string pageKey, IEnumerable<string> fingerprints)
    {
        var key = Fingerprint.Of(pageKey) + ":" + pageKey.Length;
        var distinct = fingerprints.Distinct(StringComparer.Ordinal).ToList();
        lock (_gate)
        {
            if (!_pages.Add(key)) return;
            _pageOrder.Enqueue(key);
            while (_pageOrder.Count > MaxPageKeys) _pages.Remove(_pageOrder.Dequeue());
            _pagesObserved++;
            foreach (var fp in distinct) _counts[fp] = _counts.GetValueOrDefault(fp) + 1;
            if (_counts.Count > MaxFingerprints) Trim();
        }
    }

    /// <summary>Snapshot for persistence.</summary>
    public BoilerplateSnapshot ToSnapshot()
    {
        lock (_gate) return new BoilerplateSnapshot(_pagesObserved, new Dictionary<string, int>(_counts), [.. _pageOrder]);
    }

    public static BoilerplateMemory FromSnapshot(BoilerplateSnapshot snapshot)
    {
        var m = new BoilerplateMemory { _pagesObserved = snapshot.PagesObserved };
        foreach (var (fp, n) in snapshot.Counts) m._counts[fp] = n;
        foreach (var p in snapshot.Pages.TakeLast(MaxPageKeys))
            if (m._pages.Add(p)) m._pageOrder.Enqueue(p);
        if (m._counts.Count > MaxFingerprints) m.Trim();
        return m;
    }

    // Keep the most repeated fingerprints: those are the boilerplate; singletons are most pages' own text.
    private void Trim()
    {
        var keep = _counts.OrderByDescending(kv => kv.Value).Take(MaxFingerprints * 3 / 4).ToList();
        _counts.Clear();
        foreach (var (fp, n) in keep) _counts[fp] = n;
    }
}

/// <summary>What <see cref="BoilerplateMemoryStore"/> persists for one source.</summary>
public sealed record BoilerplateSnapshot(int PagesObserved, Dictionary<string, int> Counts, List<string> Pages);
