using System.CommandLine;
using Azure;
using Cronos;
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
    public const int ExitFailures = 2;
    public const int ExitInvalidRegistry = 3;
    public const int ExitStorageUnreachable = 4;

    public static Command Create()
    {
        var sources = new Option<string?>("--sources") { Description = "Source registry file (default: FeedIngest:SourcesPath, i.e. sources.json)" };
        var only = new Option<string[]>("--source") { Description = "Harvest only this source id (repeatable)", AllowMultipleArgumentsPerToken = true };
        var once = new Option<bool>("--once") { Description = "Run one harvest and exit (default: keep harvesting on the HarvestSchedule CRON)" };
        var quiet = new Option<bool>("--quiet") { Description = "No per-article progress lines" };
        var verbose = new Option<bool>("--verbose") { Description = "Debug logging: every retry, with stack traces" };
        var command = new Command("harvest", "Discover, fetch, extract and store new articles of every enabled source") { sources, only, once, quiet, verbose };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = CliHost.Build(verbose: parse.GetValue(verbose));
            var file = parse.GetValue(sources);
            if (parse.GetValue(once))
                return await RunOnceAsync(services, file, parse.GetValue(only), parse.GetValue(quiet), ct);
            var schedule = services.GetRequiredService<IConfiguration>()["HarvestSchedule"] ?? "0 */30 * * * *";
            var cron = CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
            Console.WriteLine($"Harvesting on schedule '{schedule}' (Ctrl+C to stop).");
            while (!ct.IsCancellationRequested)
            {
                await RunOnceAsync(services, file, parse.GetValue(only), parse.GetValue(quiet), ct);
                var next = cron.GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.Utc) ?? DateTimeOffset.UtcNow.AddMinutes(30);
                Console.WriteLine($"Next harvest at {next:u}.");
                try { await Task.Delay(next - DateTimeOffset.UtcNow, ct); } catch (OperationCanceledException) { break; }
            }
            return 0;
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
        catch (SourceRegistryValidationException e)
        {
            Console.Error.WriteLine($"error: invalid source registry {e.Location}:");
            foreach (var problem in e.Problems) Console.Error.WriteLine($"  {problem}");
            Console.Error.WriteLine("Nothing was harvested.");
            return ExitInvalidRegistry;
        }
        var unknown = (only ?? []).Where(id => registry.Find(id) is null).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"error: unknown source id(s): {string.Join(", ", unknown)}");
            return ExitInvalidRegistry;
        }

        var pipeline = services.GetRequiredService<HarvestPipeline>();
        var progress = new Progress<HarvestProgress>(p =>
        {
            if (quiet || p.Last is null) return;
            var reason = p.Last.Reason is null ? ""
                : p.Last.Result is ArticleResult.Failed or ArticleResult.Skipped ? $" — [{FailureCauses.Name(p.Last.Cause == FailureCause.None ? FailureCause.Other : p.Last.Cause)}] {p.Last.Reason}"
                : $" — {p.Last.Reason}";
            Console.Error.WriteLine($"[{p.SourceId}] {p.Done}/{p.Total} {p.Last.Result.ToString().ToLowerInvariant()} {p.Last.Url}{reason}");
        });
        HarvestSummary summary;
        try
        {
            summary = await pipeline.RunAsync(registry, only, progress, ct);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            Console.Error.WriteLine($"error: cannot reach storage ({e.GetBaseException().Message}).");
            Console.Error.WriteLine("Is Azurite running? ./run.sh starts it; or set FeedIngestStorage to a storage connection string.");
            return ExitStorageUnreachable;
        }
        PrintSummary(summary);
        return summary.HasFailures ? ExitFailures : 0;
    }

    private static void PrintSummary(HarvestSummary s)
    {
        var c = s.Counts;
        Console.WriteLine();
        Console.WriteLine($"Harvest {s.RunId} finished in {s.Elapsed.TotalSeconds:0.0} s");
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
