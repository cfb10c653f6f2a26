using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.SamplePortal;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Bench;

/// <summary>
/// <c>feedingest bench harvest</c>: a generated portal (<see cref="GeneratedPortal"/>) harvested through the queue stages
/// by 1, 2, 4… <c>feedingest work</c> processes at once against one Azurite each case (started here, fresh per case), then
/// a re-harvest of the unchanged portal. Prints per case articles/s, storage requests and conflicts (409/412) per article by
/// table/container/queue, CPU per article in the workers and in Azurite, peak memory per worker, beside the Azurite
/// write ceiling and the extraction time of the same pages measured in the same run. Also checks every article was
/// stored exactly once (exit 2 when not).
/// With a profile folder, each case's Azurite is CPU-profiled over its harvest (<see cref="AzuriteCpuProfile"/>).
/// </summary>
internal sealed class HarvestBench(string azuriteScript, int articles, int hosts, IReadOnlyList<int> workerCounts, int ceilingOperations, TextWriter output,
    string? profileFolder = null)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var portal = await GeneratedPortal.StartAsync(articles, hosts, cancellationToken);
        var folder = Directory.CreateTempSubdirectory("feedingest-bench-harvest-").FullName;
        try
        {
            var registry = Path.Combine(folder, "sources.json");
            await File.WriteAllTextAsync(registry, Registry(portal), cancellationToken);
            var pageBytes = Enumerable.Range(0, Math.Min(articles, 50)).Average(n => (double)System.Text.Encoding.UTF8.GetByteCount(GeneratedPortal.ArticlePage(n)));
            var extractionMs = MeasureExtraction();
            Line($"portal articles={articles} hosts={hosts} avg-page-kb={pageBytes / 1024:F1} extraction-ms/page={extractionMs:F2} (one thread, warm, same pages)");

            var allCounted = true;
            WriteCeiling.Result? ceiling = null;
            for (var c = 0; c < workerCounts.Count; c++)
            {
                var workers = workerCounts[c];
                var profile = profileFolder is null ? null : new AzuriteCpuProfile(Path.Combine(profileFolder, $"azurite-w{workers}"));
                await using var azurite = await AzuriteProcess.StartAsync(azuriteScript, profile, cancellationToken);
                if (c == 0 && ceilingOperations > 0)
                {
                    ceiling = await WriteCeiling.MeasureAsync(azurite.ConnectionString, ceilingOperations, (int)pageBytes, cancellationToken);
                    Line($"azurite write ceiling: blob uploads/s={ceiling.BlobsPerSecond:F0} table upserts/s={ceiling.UpsertsPerSecond:F0} ({WriteCeiling.InFlight} in flight) "
                        + $"=> articles/s={ceiling.ArticlesPerSecond:F1} at 3 blobs + 1 row per article");
                }
                portal.ResetCounters();
                if (profile is not null) await profile.StartAsync(cancellationToken);
                var harvest = await HarvestOnceAsync(azurite, registry, folder, workers, $"w{workers}", cancellationToken);
                if (profile is not null) await profile.StopAsync(cancellationToken);
                allCounted &= harvest.Stored == articles && portal.ArticleRequests == articles && harvest.Failed == 0 && harvest.Duplicates == 0 && harvest.StoredInTable == articles;
                Print($"workers={workers}", harvest, articles, portal.ArticleRequests, ceiling);
                if (profile is not null)
                    Line($"  azurite cpu by operation ({profile.ProfilePath}): {AzuriteCpuProfile.Format(AzuriteCpuProfile.Summarize(profile.ProfilePath), top: 10)}");

                if (c == workerCounts.Count - 1)
                {
                    // The same portal again, unchanged: nothing to fetch but the sitemaps (304).
                    portal.ResetCounters();
                    var again = await HarvestOnceAsync(azurite, registry, folder, 1, "again", cancellationToken);
                    allCounted &= portal.ArticleRequests == 0 && again.Stored == 0;
                    Line(string.Create(CultureInfo.InvariantCulture,
                        $"re-harvest workers=1 seconds={again.Seconds:F1} article-fetches={portal.ArticleRequests} portal-requests={portal.Requests} stored={again.Stored} "
                        + $"storage-requests={again.Requests.Values.Sum()}"));
                }
            }
            Line(allCounted ? "counts ok: every article stored exactly once, fetched once, none on the re-harvest"
                : "counts WRONG: see stored / article-fetches / failed / duplicates above");
            return allCounted ? ExitCodes.Ok : ExitCodes.SomeFailed;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private sealed record Harvest(double Seconds, int Stored, int Failed, int Duplicates, int StoredInTable,
        Dictionary<string, long> Requests, Dictionary<string, long> Conflicts, double WorkerCpuMs, double WorkerStartupCpuMs, double WorkerJitMs, double WorkerGcPauseMs,
        double SecondHalfCpuMs, int SecondHalfArticles, int Workers, double AzuriteCpuMs, double PeakMb);

    private async Task<Harvest> HarvestOnceAsync(AzuriteProcess azurite, string registry, string folder, int workers, string label, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?> { ["FeedIngestStorage"] = azurite.ConnectionString, ["FeedIngest:SourcesPath"] = registry };
        await using var services = CliHost.Build(settings);
        await services.GetRequiredService<StorageInitializer>().EnsureAsync(cancellationToken);
        var azuriteCpu = ProcessUsage.CpuMilliseconds(azurite.ProcessId) ?? 0;
        var started = DateTimeOffset.UtcNow;
        // A run of the queue stages, started as the timer starts one (one second per occurrence: a second run waits for a new second).
        string? runId;
        while ((runId = await services.GetRequiredService<QueueStages>().StartScheduledRunAsync(DateTimeOffset.UtcNow, cancellationToken)) is null)
            await Task.Delay(300, cancellationToken);

        var reports = Enumerable.Range(0, workers).Select(i => Path.Combine(folder, $"{label}-{i}.json")).ToList();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var processes = reports.Select(report => StartWorker(azurite.ConnectionString, registry, report, errors)).ToList();
        try
        {
            foreach (var process in processes) await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            foreach (var process in processes.Where(p => !p.HasExited)) process.Kill(entireProcessTree: true);
        }
        var azuriteCpuAfter = ProcessUsage.CpuMilliseconds(azurite.ProcessId) ?? 0;
        var parsed = new List<WorkerReport>();
        foreach (var (report, process) in reports.Zip(processes))
        {
            if (!File.Exists(report))
                throw new InvalidOperationException($"a worker wrote no report (exit {process.ExitCode}): {string.Join(" | ", errors.TakeLast(10))}");
            parsed.Add(JsonSerializer.Deserialize<WorkerReport>(await File.ReadAllTextAsync(report, cancellationToken))!);
            process.Dispose();
        }
        var end = parsed.Select(r => r.LastArticleAt).Where(t => t is not null).DefaultIfEmpty(DateTimeOffset.UtcNow).Max()!.Value;
        var run = await services.GetRequiredService<RunLedger>().GetAsync(runId, cancellationToken);
        var storedInTable = 0;
        foreach (var source in SourceIds()) storedInTable += await services.GetRequiredService<ArticleRepository>().CountStoredAsync(source, cancellationToken);
        return new Harvest((end - started).TotalSeconds, run?.Stored ?? -1, run?.Failed ?? -1, run?.Duplicates ?? -1, storedInTable,
            Sum(parsed.Select(r => r.Requests)), Sum(parsed.Select(r => r.Conflicts)), parsed.Sum(r => r.CpuMilliseconds),
            parsed.Sum(r => r.StartupCpuMilliseconds), parsed.Sum(r => r.JitMilliseconds), parsed.Sum(r => r.GcPauseMilliseconds),
            parsed.Sum(r => r.SecondHalfCpuMilliseconds), parsed.Sum(r => r.SecondHalfArticles), parsed.Count, azuriteCpuAfter - azuriteCpu, parsed.Max(r => r.PeakMegabytes));
    }

    private void Print(string label, Harvest h, int expected, int articleFetches, WriteCeiling.Result? ceiling)
    {
        var rate = h.Stored / Math.Max(0.001, h.Seconds);
        var n = Math.Max(1, h.Stored);
        var byResource = string.Join(", ", h.Requests.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value / (double)n:F2}"));
        var conflicts = h.Conflicts.Where(p => p.Value > 0).ToList();
        Line(string.Create(CultureInfo.InvariantCulture,
            $"{label} articles={expected} stored={h.Stored} stored-rows={h.StoredInTable} duplicates={h.Duplicates} failed={h.Failed} article-fetches={articleFetches} "
            + $"seconds={h.Seconds:F1} articles/s={rate:F1}{(ceiling is null ? "" : $" ({rate / ceiling.ArticlesPerSecond:F2}x ceiling)")} "
            + $"requests/article={h.Requests.Values.Sum() / (double)n:F2} conflicts/article={conflicts.Sum(p => p.Value) / (double)n:F3} "
            + $"cpu-ms/article ours={h.WorkerCpuMs / n:F1} azurite={h.AzuriteCpuMs / n:F1} peak-mb/worker={h.PeakMb:F0}"));
        // The fixed cost each worker pays before its first message, ours per article without it and once warm, and two costs every
        // process pays on its own whatever it shares: compiling hot code (start-up and tier-up) and collector pauses.
        var workers = Math.Max(1, h.Workers);
        Line(string.Create(CultureInfo.InvariantCulture,
            $"  start-up cpu-ms/worker={h.WorkerStartupCpuMs / workers:F0} cpu-ms/article ours after start-up={(h.WorkerCpuMs - h.WorkerStartupCpuMs) / n:F1} "
            + $"warm={(h.SecondHalfArticles == 0 ? "n/a" : (h.SecondHalfCpuMs / h.SecondHalfArticles).ToString("F1", CultureInfo.InvariantCulture))} (each worker's second half of articles) "
            + $"jit-ms/worker={h.WorkerJitMs / workers:F0} gc-pause-ms/worker={h.WorkerGcPauseMs / workers:F0}"));
        Line($"  requests/article by resource: {byResource}");
        if (conflicts.Count > 0) Line($"  conflicts/article by resource: {string.Join(", ", conflicts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value / (double)n:F3}")))}");
    }

    private static Process StartWorker(string connectionString, string registry, string report, System.Collections.Concurrent.ConcurrentQueue<string> errors)
    {
        // This same CLI, as a separate process: `dotnet feedingest.dll work …` or the apphost.
        var self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(HarvestBench).Assembly.Location);
        foreach (var a in new[] { "work", "--until-idle", "--usage-file", report }) psi.ArgumentList.Add(a);
        psi.Environment["FeedIngestStorage"] = connectionString;
        psi.Environment["FeedIngest__SourcesPath"] = registry;
        psi.Environment["FeedIngest__Fetching__AllowedPrivateNetworks"] = "127.0.0.0/8";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start a worker process");
        // Read as it comes (a full pipe would stall the worker); the last lines explain a worker that failed.
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && errors.Count < 1000) errors.Enqueue(e.Data); };
        process.OutputDataReceived += (_, _) => { }; // its summary line; the report file says it all
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private IEnumerable<string> SourceIds() => Enumerable.Range(0, hosts).Select(h => $"bench-host-{h + 1}");

    private string Registry(GeneratedPortal portal) => JsonSerializer.Serialize(new
    {
        sources = Enumerable.Range(0, hosts).Select(h => new
        {
            id = $"bench-host-{h + 1}",
            name = $"Generated portal, host {h + 1}",
            baseUrl = portal.BaseUrl(h).AbsoluteUri,
            discoverFeeds = false,
            sitemaps = new[] { portal.SitemapUrl(h).AbsoluteUri },
            articleUrlPattern = "^/tin-tuc/bai-viet-\\d+\\.html$",
            // No delay (the benchmark measures our cost, not a portal's patience); concurrency as a real source might allow.
            politeness = new { minDelayMs = 0, maxConcurrency = 8, obeyRobotsTxt = true },
        }),
    });

    /// <summary>Milliseconds per page of the extractor alone on (up to 200 of) the same pages: one thread, after a warm-up.</summary>
    private double MeasureExtraction()
    {
        using var services = CliHost.Build();
        var extractor = services.GetRequiredService<IArticleExtractor>();
        var pages = Enumerable.Range(0, Math.Min(articles, 200)).Select(GeneratedPortal.ArticlePage).ToList();
        for (var r = 0; r < Math.Max(1, 120 / pages.Count); r++) foreach (var page in pages) extractor.Extract(page);
        var stopwatch = Stopwatch.StartNew();
        const int Rounds = 3;
        for (var r = 0; r < Rounds; r++) foreach (var page in pages) extractor.Extract(page);
        return stopwatch.Elapsed.TotalMilliseconds / (Rounds * pages.Count);
    }

    private static Dictionary<string, long> Sum(IEnumerable<Dictionary<string, long>> parts)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in parts)
            foreach (var (key, value) in part) total[key] = total.GetValueOrDefault(key) + value;
        return total;
    }

    private void Line(string text)
    {
        output.WriteLine(text);
        output.Flush();
    }
}
