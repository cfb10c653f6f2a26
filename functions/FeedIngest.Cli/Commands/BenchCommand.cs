using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using AngleSharp.Html.Parser;
using FeedIngest.Cli.Bench;
using FeedIngest.Core.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary>
/// <c>feedingest bench extract --input-dir DIR [--input-dir DIR2 …] [--rounds N]</c>: extraction speed in-process on one
/// thread, after a warm-up, beside a bare AngleSharp parse of the same pages in the same run, one line per page set.
/// The last line is <c>pages/s=&lt;number&gt;</c> (extraction over all sets).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var inputDir = new Option<string[]>("--input-dir")
        {
            Description = "Folder of *.html / *.html.gz pages; repeat the option to measure several page sets in one run",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var rounds = new Option<int>("--rounds") { Description = "Passes over the pages per measurement", DefaultValueFactory = _ => 3 };
        var extract = new Command("extract", "Measure extraction speed against a bare AngleSharp parse") { inputDir, rounds };
        extract.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(rounds) < 1) throw new UsageException($"--rounds must be at least 1 (got {parse.GetValue(rounds)})");
            foreach (var dir in parse.GetValue(inputDir)!)
                if (!Directory.Exists(dir)) throw new UsageException($"--input-dir: no such folder {dir}");
            using var services = CliHost.Build();
            var extractor = services.GetRequiredService<IArticleExtractor>();
            var n = Math.Max(1, parse.GetValue(rounds));
            var sets = new List<(string Name, List<string> Pages)>();
            foreach (var dir in parse.GetValue(inputDir)!)
            {
                var pages = new List<string>();
                foreach (var path in Directory.EnumerateFiles(dir).Where(ExtractionFiles.IsPageFile).Order(StringComparer.Ordinal))
                    pages.Add((await ExtractionFiles.ReadPageAsync(path, cancellationToken)).Text);
                if (pages.Count == 0) throw new UsageException($"--input-dir: no .html, .htm or .html.gz pages in {dir}");
                sets.Add((SetName(dir), pages));
            }

            // Warm-up: JIT up to tier 1 (a method needs ~30 calls plus a background compile), regexes, first-use caches.
            foreach (var (_, pages) in sets)
            {
                var warmup = Math.Max(1, (int)Math.Ceiling(120.0 / pages.Count));
                for (var r = 0; r < warmup; r++)
                    foreach (var p in pages) { new HtmlParser().ParseDocument(p); TryExtract(extractor, p); }
            }
            // Then passes over every set until the JIT has settled: until a pass compiles fewer than 0.2 % of the methods
            // compiled so far (about 5 of 2,500). Tier-1 compilation runs on a background thread after a delay; on a loaded 2-core machine
            // it went on for seconds into the measured rounds (2,300 methods and 7 s of JIT time in one run), which then
            // measured tier-0 and instrumented code, the extraction's (called once a page) longer than the parser's
            // (called once a token). Most of it is done after three or four passes; a trickle of rarely called methods
            // follows (stopping at 1 % still left ~200 methods to compile while measuring, at 0.2 % ~90: 7–9 passes).
            var settlePasses = 0;
            for (var compiled = JitInfo.GetCompiledMethodCount(); settlePasses < MaxSettlePasses;)
            {
                settlePasses++;
                foreach (var (_, pages) in sets)
                    foreach (var p in pages) { new HtmlParser().ParseDocument(p); TryExtract(extractor, p); }
                var now = JitInfo.GetCompiledMethodCount();
                if (now - compiled < now / 500) break;
                compiled = now;
            }

            // Parse and extraction alternate round by round and set by set, so a noisy neighbour slows both alike. A round
            // of a small set passes over its pages several times (at least MinPagesPerRound pages), so that one round
            // outlasts a scheduler slice. No forced collection between rounds: each side pays for the collections its own
            // garbage causes (a forced one before each round let a round that allocates less than the first generation's
            // budget, such as a bare parse of ten small pages, run without any collection).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var passes = sets.Select(s => Math.Max(1, (int)Math.Ceiling((double)MinPagesPerRound / s.Pages.Count))).ToArray();
            var parseTime = new Measure[sets.Count];
            var extractTime = new Measure[sets.Count];
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            for (var r = 0; r < n; r++)
                for (var i = 0; i < sets.Count; i++)
                {
                    parseTime[i] += Time(sets[i].Pages, passes[i], p => new HtmlParser().ParseDocument(p));
                    extractTime[i] += Time(sets[i].Pages, passes[i], p => TryExtract(extractor, p));
                }
            // Methods compiled while measuring: 0 when the warm-up reached a steady state.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up settle-passes={settlePasses} methods-compiled-while-measuring={JitInfo.GetCompiledMethodCount() - compiledBefore}"));
            var minRatio = double.MaxValue;
            for (var i = 0; i < sets.Count; i++)
            {
                var (name, pages) = sets[i];
                var count = pages.Count * passes[i] * n;
                var parseRate = count / parseTime[i].Wall.TotalSeconds;
                var extractRate = count / extractTime[i].Wall.TotalSeconds;
                var kb = pages.Average(p => (double)p.Length) / 1024.0;
                minRatio = Math.Min(minRatio, extractRate / parseRate);
                // The same ratio on the thread's CPU time (Linux): what the extraction costs, without the time the thread
                // waited for a core on a shared machine.
                var cpu = parseTime[i].Cpu is { } pc && extractTime[i].Cpu is { } ec && ec > TimeSpan.Zero
                    ? string.Create(CultureInfo.InvariantCulture, $" cpu-time ratio={pc / ec:F2}") : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"set={name} pages={pages.Count} rounds={n} passes/round={passes[i]} avg-chars={kb:F1}K anglesharp-parse pages/s={parseRate:F1} extraction pages/s={extractRate:F1} extraction/parse speed ratio={extractRate / parseRate:F2}{cpu}"));
            }
            var total = sets.Select((s, i) => s.Pages.Count * passes[i]).Sum() * n / extractTime.Aggregate(TimeSpan.Zero, (a, b) => a + b.Wall).TotalSeconds;
            if (sets.Count == 1)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"anglesharp-parse pages/s={sets[0].Pages.Count * passes[0] * n / parseTime[0].Wall.TotalSeconds:F1}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extraction/parse speed ratio={minRatio:F2}"));
            }
            else Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lowest extraction/parse speed ratio={minRatio:F2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages/s={total:F1}"));
            return 0;
        });
        var bench = new Command("bench", "Benchmarks") { extract, HarvestCommand() };
        return bench;
    }

    /// <summary>
    /// <c>feedingest bench harvest [--articles N] [--hosts H] [--workers 1,2,4] [--azurite PATH] [--ceiling-ops N] [--profile-azurite DIR]</c>: see
    /// <see cref="HarvestBench"/>. Needs node and the repo's Azurite (npm ci); runs everything on 127.0.0.0/8.
    /// </summary>
    private static Command HarvestCommand()
    {
        var articles = new Option<int>("--articles") { Description = "Distinct articles in the generated portal", DefaultValueFactory = _ => 3000 };
        var hosts = new Option<int>("--hosts") { Description = "Hosts (127.0.0.1 …) the articles are spread over, one source each", DefaultValueFactory = _ => 4 };
        var workers = new Option<string>("--workers") { Description = "Worker processes per case, comma-separated", DefaultValueFactory = _ => "1,2,4" };
        var azurite = new Option<string?>("--azurite") { Description = "Path of azurite.js (default: node_modules/azurite found upwards from here)" };
        var ceilingOps = new Option<int>("--ceiling-ops") { Description = "Blob uploads and table upserts for the write ceiling (0: skip)", DefaultValueFactory = _ => 600 };
        var profile = new Option<string?>("--profile-azurite")
            { Description = "Folder for a CPU profile of each case's Azurite over its harvest (azurite-w<workers>.cpuprofile), summarized by operation" };
        var harvest = new Command("harvest", "Harvest a generated multi-host portal with 1, 2, 4 worker processes against Azurite; print rates, requests, CPU, memory")
            { articles, hosts, workers, azurite, ceilingOps, profile };
        harvest.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(articles);
            var h = parse.GetValue(hosts);
            if (n < 1) throw new UsageException($"--articles must be at least 1 (got {n})");
            if (h is < 1 or > 250) throw new UsageException($"--hosts must be between 1 and 250 (got {h})");
            var counts = new List<int>();
            foreach (var part in parse.GetValue(workers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                counts.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 1 and <= 64
                    ? w : throw new UsageException($"--workers takes counts from 1 to 64 separated by commas, like 1,2,4 (got '{part}')"));
            if (counts.Count == 0) throw new UsageException("--workers: give at least one count, like 1,2,4");
            var script = AzuriteNode.FindScript(parse.GetValue(azurite))
                ?? throw new UsageException("Azurite not found: run `npm ci` in the repo (node_modules/azurite) or pass --azurite PATH/azurite.js");
            var profileFolder = parse.GetValue(profile);
            if (profileFolder is not null)
            {
                try { profileFolder = Directory.CreateDirectory(profileFolder).FullName; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    throw new UsageException($"--profile-azurite: cannot use the folder '{profileFolder}' ({e.Message}); give a folder you can write to");
                }
            }
            return await new HarvestBench(script, n, h, counts, Math.Max(0, parse.GetValue(ceilingOps)), Console.Out, profileFolder).RunAsync(cancellationToken);
        });
        return harvest;
    }

    private static string SetName(string dir)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(full);
        // "…/vn-portal/pages" says less than "vn-portal/pages".
        return name is "pages" or "html" ? Path.GetFileName(Path.GetDirectoryName(full)) + "/" + name : name;
    }

    private static void TryExtract(IArticleExtractor extractor, string page)
    {
        try { extractor.Extract(page); }
        catch (ExtractionException) { /* counted like any page: the time was spent */ }
    }

    private const int MinPagesPerRound = 100;

    /// <summary>At most this many settling passes (a pass over the three usual sets lasts 1.5–2 s here).</summary>
    private const int MaxSettlePasses = 12;

    /// <summary>Wall-clock time, and the measuring thread's CPU time where the OS reports it.</summary>
    private readonly record struct Measure(TimeSpan Wall, TimeSpan? Cpu)
    {
        public static Measure operator +(Measure a, Measure b) =>
            new(a.Wall + b.Wall, a.Cpu is { } x && b.Cpu is { } y ? x + y : a.Wall == TimeSpan.Zero ? b.Cpu : null);
    }

    private static Measure Time(List<string> pages, int passes, Action<string> work)
    {
        var cpu0 = ThreadCpuTime.Now();
        var sw = Stopwatch.StartNew();
        for (var k = 0; k < passes; k++)
            foreach (var p in pages) work(p);
        sw.Stop();
        var cpu1 = ThreadCpuTime.Now();
        return new Measure(sw.Elapsed, cpu0 is { } c0 && cpu1 is { } c1 ? c1 - c0 : null);
    }
}

/// <summary>CPU time of the calling thread: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux, null elsewhere.</summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec value);

    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
