using System.Diagnostics;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

public sealed record HarvestProgress(string SourceId, int Done, int Total, ArticleOutcome? Last);

/// <summary>A finished run, for people (the CLI summary) and for programs (exit codes, tests).</summary>
public sealed record HarvestSummary(string RunId, RunCounts Counts, TimeSpan Elapsed, IReadOnlyList<string> Errors, IReadOnlyList<string> FailedSources)
{
    public bool HasFailures => Counts.Failed > 0 || FailedSources.Count > 0;
}

/// <summary>
/// The in-process harvest (CLI): the same stages the Functions app runs through queues — discover each
/// source, then process its articles with bounded concurrency — recorded as one row in Runs.
/// </summary>
public sealed class HarvestPipeline(
    SourceDiscoveryStage discovery,
    ArticleProcessor processor,
    ArticleRepository articles,
    ExtractionContextFactory contexts,
    RunLedger runs,
    Health.RunHealthRecorder health,
    IOptions<FeedIngestOptions> options,
    ILogger<HarvestPipeline> logger)
{
    public async Task<HarvestSummary> RunAsync(SourceRegistry registry, IReadOnlyCollection<string>? onlySources, IProgress<HarvestProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var sources = registry.Sources.Where(s => s.Enabled && (onlySources is null || onlySources.Count == 0 || onlySources.Contains(s.Id))).ToList();
        var startedAt = DateTimeOffset.UtcNow;
        var runId = RunLedger.NewRunId(startedAt);
        await runs.StartAsync(runId, "harvest", "cli", sources.Select(s => s.Id), sources.Count, cancellationToken);
        var total = new RunCounts();
        var errors = new List<string>();
        var failedSources = new List<string>();

        foreach (var source in sources)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["runId"] = runId, ["sourceId"] = source.Id });
            SourceDiscovery found;
            try
            {
                found = await discovery.DiscoverAsync(runId, source, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                found = new SourceDiscovery(source, [], [], 0, [$"discovery failed: {e.Message}"]);
            }
            await health.DiscoveryAsync(runId, source.Id, found.Found.Count, found.Failed, found.Errors, cancellationToken);
            var sourceErrors = found.Errors.Select(e => $"{source.Id}: {e}").ToList();
            if (found.Failed) failedSources.Add(source.Id);

            var counts = new RunCounts(Discovered: found.Found.Count, AlreadyStored: found.AlreadyStored, Queued: found.Work.Count);
            var done = 0;
            var outcomes = new List<ArticleOutcome>();
            await Parallel.ForEachAsync(found.Work, new ParallelOptions
            {
                MaxDegreeOfParallelism = Math.Max(1, options.Value.MaxParallelArticles),
                CancellationToken = cancellationToken,
            }, async (message, ct) =>
            {
                var outcome = await ProcessOneAsync(message, source, ct);
                await health.ArticleAsync(message, outcome, ct);
                lock (outcomes)
                {
                    outcomes.Add(outcome);
                    progress?.Report(new HarvestProgress(source.Id, ++done, found.Work.Count, outcome));
                }
            });
            foreach (var outcome in outcomes)
            {
                counts += outcome.ToCounts();
                if (outcome.Result is ArticleResult.Failed or ArticleResult.Skipped)
                    sourceErrors.Add($"{outcome.Url}: {outcome.Reason}");
            }
            // Unchanged = every stored article of the source this run did not store or update: a re-run of an
            // unchanged portal reports its whole archive as unchanged, even when its feeds answer 304.
            await contexts.SaveAsync(source.Id, cancellationToken);
            var storedNow = await TryCountStoredAsync(source.Id, cancellationToken);
            counts = counts with
            {
                SourcesDone = counts.SourcesDone + 1,
                Unchanged = Math.Max(counts.Unchanged, (storedNow ?? 0) - counts.Stored - counts.Updated),
            };
            total += counts;
            errors.AddRange(sourceErrors);
            await TryAsync(() => runs.AddAsync(runId, counts, sourceErrors, cancellationToken));
            await health.SourceDoneAsync(runId, source.Id, startedAt, cancellationToken);
        }

        if (failedSources.Count > 0 && failedSources.Count == sources.Count)
            await TryAsync(() => runs.FailAsync(runId, "every source failed: " + string.Join(", ", failedSources), cancellationToken));
        else
            await TryAsync(() => runs.CompleteAsync(runId, cancellationToken));
        return new HarvestSummary(runId, total, stopwatch.Elapsed, errors, failedSources);
    }

    private async Task<ArticleOutcome> ProcessOneAsync(ArticleMessage message, SourceDefinition source, CancellationToken cancellationToken)
    {
        try
        {
            return await processor.ProcessAsync(message, source, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Storage or another infrastructure failure: record it if storage lets us; the URL is not marked stored, so a re-run retries it.
            var reason = $"{e.GetType().Name}: {e.Message}";
            try
            {
                var url = new Uri(message.Url);
                return await processor.RecordFailureAsync(message, source, url, UrlIndexKey(url), reason, cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return new ArticleOutcome(ArticleResult.Failed, message.Url, null, reason);
            }
        }
    }

    private async Task<int?> TryCountStoredAsync(string sourceId, CancellationToken cancellationToken)
    {
        try
        {
            return await articles.CountStoredAsync(sourceId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not count the stored articles of {sourceId}", sourceId);
            return null;
        }
    }

    private static string UrlIndexKey(Uri url) => UrlIndex.Key(Discovery.UrlCanonicalizer.Canonicalize(url));

    private async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not update the run ledger");
        }
    }
}
