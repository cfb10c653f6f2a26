using System.CommandLine;
using Cronos;
using FeedIngest.Cli.Terminal;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest harvest [--sources FILE] [--source ID]… [--once]</c></summary>
internal static class HarvestCommand
{
    public const int ExitFailures = ExitCodes.SomeFailed;
    public const int ExitInvalidRegistry = ExitCodes.InvalidRegistry;
    public const int ExitStorageUnreachable = ExitCodes.StorageUnreachable;

    public static Command Create()
    {
        var sources = new Option<string?>("--sources") { Description = "Source registry file (default: FeedIngest:SourcesPath, i.e. sources.json)" };
        var only = new Option<string[]>("--source") { Description = "Harvest only this source id (repeatable)", AllowMultipleArgumentsPerToken = true };
        var once = new Option<bool>("--once") { Description = "Run one harvest and exit (default: keep harvesting on the HarvestSchedule CRON)" };
        var quiet = new Option<bool>("--quiet") { Description = "No per-article progress lines" };
        var command = new Command("harvest", "Discover, fetch, extract and store new articles of every enabled source") { sources, only, once, quiet };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var file = parse.GetValue(sources);
            if (parse.GetValue(once))
                return await RunOnceAsync(services, file, parse.GetValue(only), parse.GetValue(quiet), ct);
            var schedule = services.GetRequiredService<IConfiguration>()["HarvestSchedule"] ?? "0 */30 * * * *";
            CronExpression cron;
            try { cron = CronExpression.Parse(schedule, CronFormat.IncludeSeconds); }
            catch (CronFormatException e) { throw new UsageException($"HarvestSchedule '{schedule}' is not a CRON expression with seconds: {e.Message}"); }
            Console.WriteLine($"Harvesting on schedule '{schedule}' (Ctrl+C to stop).");
            while (!ct.IsCancellationRequested)
            {
                var exit = await RunOnceAsync(services, file, parse.GetValue(only), parse.GetValue(quiet), ct);
                if (exit == ExitCodes.Interrupted) return exit;
                var next = cron.GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.Utc) ?? DateTimeOffset.UtcNow.AddMinutes(30);
                Console.WriteLine($"Next harvest at {next:u}.");
                try { await Task.Delay(next - DateTimeOffset.UtcNow, ct); } catch (OperationCanceledException) { break; }
            }
            // Stopped between runs: nothing was interrupted.
            Console.WriteLine("Stopped.");
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<int> RunOnceAsync(IServiceProvider services, string? sourcesFile, string[]? only, bool quiet, CancellationToken ct)
    {
        var loader = services.GetRequiredService<SourceRegistryLoader>();
        SourceRegistry registry;
        try
        {
            // An invalid registry stops the harvest before anything is written.
            registry = sourcesFile is null ? await loader.LoadAsync(ct) : await loader.LoadAsync(sourcesFile, ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"--sources: no such file {sourcesFile ?? "(FeedIngest:SourcesPath)"} — the bundled registry is sources.json");
        }
        catch (SourceRegistryValidationException e)
        {
            Console.Error.WriteLine($"error: invalid source registry {e.Location}:");
            foreach (var problem in e.Problems) Console.Error.WriteLine($"  {problem}");
            Console.Error.WriteLine("Nothing was harvested.");
            return ExitInvalidRegistry;
        }
        var unknown = (only ?? []).Where(id => registry.Find(id) is null).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"--source: unknown source id(s) {string.Join(", ", unknown)} (the registry has: {string.Join(", ", registry.Sources.Select(s => s.Id))})");

        var pipeline = services.GetRequiredService<HarvestPipeline>();
        var summary = await HarvestProgressView.RunAsync(quiet, progress => pipeline.RunAsync(registry, only, progress, ct));
        PrintSummary(summary);
        if (summary.Cancelled) return ExitCodes.Interrupted;
        return summary.HasFailures ? ExitFailures : ExitCodes.Ok;
    }

    private static void PrintSummary(HarvestSummary s)
    {
        var c = s.Counts;
        Console.WriteLine();
        Console.WriteLine(s.Cancelled
            ? $"Harvest {s.RunId} cancelled after {s.Elapsed.TotalSeconds:0.0} s — recorded as '{RunState.Cancelled}' with these counts; run again to finish it"
            : $"Harvest {s.RunId} finished in {s.Elapsed.TotalSeconds:0.0} s");
        // "Unchanged" only when every channel answered: a discovery that failed must never read as "nothing new".
        var found = c.Discovered > 0 ? $" ({c.Queued} needed a fetch)"
            : s.SourcesWithDiscoveryErrors > 0 || s.FailedSources.Count > 0 ? $" (discovery failed for {Math.Max(s.SourcesWithDiscoveryErrors, s.FailedSources.Count)} source(s); see below)"
            : " (feeds and listings unchanged since the last run)";
        Console.WriteLine($"  articles found     {c.Discovered}{found}");
        Console.WriteLine($"  stored (new)       {c.Stored}");
        Console.WriteLine($"  updated            {c.Updated}");
        Console.WriteLine($"  unchanged          {c.Unchanged} (already stored, not rewritten)");
        if (c.Duplicates > 0) Console.WriteLine($"  duplicates         {c.Duplicates}");
        if (c.Skipped > 0) Console.WriteLine($"  skipped            {c.Skipped}");
        Console.WriteLine($"  failed             {c.Failed}");
        if (c.FailuresByCause.Count > 0)
            Console.WriteLine($"  failures by cause  {string.Join(", ", c.FailuresByCause.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        foreach (var source in s.FailedSources) Console.WriteLine($"  source failed      {source}");
        foreach (var error in s.Errors.Take(20)) Console.WriteLine($"    ! {error}");
        if (s.Errors.Count > 20) Console.WriteLine($"    … {s.Errors.Count - 20} more in table {StorageNames.RunsTable}, row {s.RunId}");
        Console.WriteLine($"Results: blobs in containers '{StorageNames.ArticlesContainer}' (text + JSON) and '{StorageNames.RawContainer}' (raw HTML),");
        Console.WriteLine($"         rows in tables '{StorageNames.ArticlesTable}', '{StorageNames.UrlsTable}' and '{StorageNames.RunsTable}' (run {s.RunId}).");
    }
}
