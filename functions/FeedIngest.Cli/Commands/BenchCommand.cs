using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AngleSharp.Html.Parser;
using FeedIngest.Core.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary>
/// <c>feedingest bench extract --input-dir DIR [--rounds N]</c>: extraction speed in-process on one thread, after a
/// warm-up, beside a bare AngleSharp parse of the same pages in the same run. The last line is <c>pages/s=&lt;number&gt;</c>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var inputDir = new Option<string>("--input-dir") { Description = "Folder of *.html / *.html.gz pages", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Passes over the pages per measurement", DefaultValueFactory = _ => 3 };
        var extract = new Command("extract", "Measure extraction speed against a bare AngleSharp parse") { inputDir, rounds };
        extract.SetAction(async (parse, cancellationToken) =>
        {
            var dir = parse.GetValue(inputDir)!;
            if (!Directory.Exists(dir)) throw new UsageException($"--input-dir: no such folder {dir}");
            if (parse.GetValue(rounds) < 1) throw new UsageException($"--rounds must be at least 1 (got {parse.GetValue(rounds)})");
            using var services = CliHost.Build();
            var extractor = services.GetRequiredService<IArticleExtractor>();
            var n = Math.Max(1, parse.GetValue(rounds));
            var pages = new List<string>();
            foreach (var path in Directory.EnumerateFiles(dir).Where(ExtractionFiles.IsPageFile).Order(StringComparer.Ordinal))
                pages.Add((await ExtractionFiles.ReadPageAsync(path, cancellationToken)).Text);
            if (pages.Count == 0) throw new UsageException($"--input-dir: no .html, .htm or .html.gz pages in {dir}");

            // Warm-up: JIT up to tier 1 (a method needs ~30 calls plus a background compile), regexes, first-use caches.
            var warmup = Math.Max(1, (int)Math.Ceiling(120.0 / pages.Count));
            for (var r = 0; r < warmup; r++)
                foreach (var p in pages) { new HtmlParser().ParseDocument(p); TryExtract(extractor, p); }

            // Parse and extraction alternate round by round, so a noisy neighbour slows both alike.
            var parseTime = TimeSpan.Zero;
            var extractTime = TimeSpan.Zero;
            for (var r = 0; r < n; r++)
            {
                parseTime += Time(pages, p => new HtmlParser().ParseDocument(p));
                extractTime += Time(pages, p => TryExtract(extractor, p));
            }
            var parseRate = pages.Count * n / parseTime.TotalSeconds;
            var extractRate = pages.Count * n / extractTime.TotalSeconds;
            var mb = pages.Sum(p => (long)p.Length) / 1024.0 / 1024.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages={pages.Count} rounds={n} chars={mb:F1}M"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"anglesharp-parse pages/s={parseRate:F1}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extraction/parse speed ratio={extractRate / parseRate:F2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages/s={extractRate:F1}"));
            return 0;
        });
        var bench = new Command("bench", "Benchmarks") { extract };
        return bench;
    }

    private static void TryExtract(IArticleExtractor extractor, string page)
    {
        try { extractor.Extract(page); }
        catch (ExtractionException) { /* counted like any page: the time was spent */ }
    }

    private static TimeSpan Time(List<string> pages, Action<string> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var sw = Stopwatch.StartNew();
        foreach (var p in pages) work(p);
        sw.Stop();
        return sw.Elapsed;
    }
}
