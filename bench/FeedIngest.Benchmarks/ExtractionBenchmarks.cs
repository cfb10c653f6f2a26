using AngleSharp.Html.Parser;
using BenchmarkDotNet.Attributes;
using FeedIngest.Core.Extraction;

namespace FeedIngest.Benchmarks;

/// <summary>
/// Time and allocations for one pass over a page set: a bare AngleSharp parse against the full extraction.
/// Divide by <see cref="PageCount"/> (printed in the log) for per-page figures; docs/BENCHMARKS.md has the last run.
/// </summary>
[MemoryDiagnoser]
public class ExtractionBenchmarks
{
    private readonly ArticleExtractor _extractor = new();
    private List<string> _pages = [];

    public int PageCount => _pages.Count;

    [GlobalSetup]
    public void LoadPages()
    {
        var dir = Environment.GetEnvironmentVariable("FEEDINGEST_BENCH_PAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(AppContext.BaseDirectory, "pages");
        _pages = Directory.EnumerateFiles(dir).Where(ExtractionFiles.IsPageFile).Order(StringComparer.Ordinal)
            .Select(p => ExtractionFiles.ReadPageAsync(p, CancellationToken.None).GetAwaiter().GetResult().Text)
            .ToList();
        Console.WriteLine($"// pages: {_pages.Count} from {dir}");
    }

    [Benchmark(Baseline = true, Description = "AngleSharp parse (all pages)")]
    public int Parse()
    {
        var n = 0;
        foreach (var page in _pages) n += new HtmlParser().ParseDocument(page).All.Length;
        return n;
    }

    [Benchmark(Description = "Extract (all pages)")]
    public int Extract()
    {
        var n = 0;
        foreach (var page in _pages)
        {
            try { n += _extractor.Extract(page).Blocks.Count; }
            catch (ExtractionException) { }
        }
        return n;
    }
}
