using System.Diagnostics;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

/// <summary>Progress of a source: Last is null when discovery starts (Total 0) and when it ends (Total = articles to fetch).</summary>
public sealed record HarvestProgress(string SourceId, int Done, int Total, ArticleOutcome? Last);

/// <summary>A finished run, for people (the CLI summary) and for programs (exit codes, tests).</summary>
public sealed record HarvestSummary(string RunId, RunCounts Counts, TimeSpan Elapsed, IReadOnlyList<string> Errors, IReadOnlyList<string> FailedSources,
    bool Cancelled = false)
{
    /// <summary>Sources whose discovery reported at least one failed channel (all failed or not).</summary>
    public int SourcesWithDiscoveryErrors { get; init; }

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
        var sourcesWithErrors = 0;
        // The source in progress: on cancellation its outcomes so far still go into the run.
        SourceDiscovery? currentFound = null;
        var currentOutcomes = new List<(ArticleMessage Message, ArticleOutcome Outcome)>();

        try
        {
            foreach (var source in sources)
            {
                using var scope = logger.BeginScope(new Dictionary<string, object> { ["runId"] = runId, ["sourceId"] = source.Id });
                SourceDiscovery found;
                progress?.Report(new HarvestProgress(source.Id, 0, 0, null)); // discovery starts
                try
                {
                    found = await discovery.DiscoverAsync(runId, source, cancellationToken);
                }
                catch (Exception e) when (StorageFailures.IsUnreachable(e))
                {
                    throw new StorageUnavailableException(e);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    found = new SourceDiscovery(source, [], [], 0, [$"discovery failed: {e.Message}"]) { ErrorCauses = [ArticleProcessor.CauseOf(e)] };
                }
                await health.DiscoveryAsync(runId, source.Id, found.Found.Count, found.Failed, found.Errors, cancellationToken);
                var sourceErrors = found.ErrorLines();
                if (found.Failed) failedSources.Add(source.Id);
                if (found.Errors.Count > 0) sourcesWithErrors++;

                var counts = new RunCounts(Discovered: found.Found.Count, AlreadyStored: found.AlreadyStored, Queued: found.Work.Count, Skipped: found.Skipped, Deferred: found.Deferred)
                    + found.CauseCounts();
                var done = 0;
                var outcomes = new List<(ArticleMessage Message, ArticleOutcome Outcome)>();
                currentFound = found;
                currentOutcomes = outcomes;
                progress?.Report(new HarvestProgress(source.Id, 0, found.Work.Count, null)); // discovery done
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
                        outcomes.Add((message, outcome));
                        progress?.Report(new HarvestProgress(source.Id, ++done, found.Work.Count, outcome));
                    }
                });
                foreach (var (_, outcome) in outcomes)
                {
                    counts += outcome.ToCounts();
                    if (outcome.Result is ArticleResult.Failed or ArticleResult.Skipped)
                        sourceErrors.Add(outcome.FailureLine());
                }
                // Unchanged = every stored article of the source this run did not store or update: a re-run of an
                // unchanged portal reports its whole archive as unchanged, even when its feeds answer 304.
                await contexts.SaveAsync(source.Id, cancellationToken);
                var storedNow = await TryCountStoredAsync(source.Id, cancellationToken);
                var unchanged = Math.Max(counts.Unchanged, (storedNow ?? 0) - counts.Stored - counts.Updated);
                var unchangedArchive = unchanged - counts.Unchanged;
                counts = counts with { SourcesDone = counts.SourcesDone + 1, Unchanged = unchanged };
                total += counts;
                errors.AddRange(sourceErrors);
                currentFound = null;
                currentOutcomes = [];
                // The run's rows: the outcomes in batches of 100 per request, then the source's summary.
                await TryAsync(() => runs.RecordOutcomesAsync(runId, outcomes.Select(o => o.Outcome.ToRecord(source.Id, o.Message.Url)), cancellationToken));
                await TryAsync(() => runs.RecordSourceAsync(runId, found.ToSummary(runId, unchangedArchive), cancellationToken));
                await health.SourceDoneAsync(runId, source.Id, startedAt, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C / shutdown: the run is recorded as cancelled with what it did, not left "running".
            List<(ArticleMessage Message, ArticleOutcome Outcome)> finished;
            lock (currentOutcomes) finished = [.. currentOutcomes];
            if (currentFound is { } found)
            {
                var partial = finished.Aggregate(new RunCounts(Discovered: found.Found.Count, AlreadyStored: found.AlreadyStored, Queued: found.Work.Count) + found.CauseCounts(),
                    (c, o) => c + o.Outcome.ToCounts());
                total += partial;
                errors.AddRange(found.ErrorLines());
                errors.AddRange(finished.Where(o => o.Outcome.Result is ArticleResult.Failed or ArticleResult.Skipped).Select(o => o.Outcome.FailureLine()));
                await TryAsync(() => runs.RecordOutcomesAsync(runId, finished.Select(o => o.Outcome.ToRecord(found.Source.Id, o.Message.Url)), CancellationToken.None));
                await TryAsync(() => runs.RecordSourceAsync(runId, found.ToSummary(runId), CancellationToken.None));
            }
            await TryAsync(() => runs.CancelAsync(runId, CancellationToken.None));
            return new HarvestSummary(runId, total, stopwatch.Elapsed, errors, failedSources, Cancelled: true) { SourcesWithDiscoveryErrors = sourcesWithErrors };
        }

        if (failedSources.Count > 0 && failedSources.Count == sources.Count)
            await TryAsync(() => runs.FailAsync(runId, "every source failed: " + string.Join(", ", failedSources), cancellationToken));
        else
            await TryAsync(() => runs.CompleteAsync(runId, cancellationToken));
        return new HarvestSummary(runId, total, stopwatch.Elapsed, errors, failedSources) { SourcesWithDiscoveryErrors = sourcesWithErrors };
    }

    private async Task<ArticleOutcome> ProcessOneAsync(ArticleMessage message, SourceDefinition source, CancellationToken cancellationToken)
    {
        try
        {
            return await processor.ProcessAsync(message, source, cancellationToken);
        }
        catch (Exception e) when (StorageFailures.IsUnreachable(e))
        {
            // Storage is gone: stop the run (the CLI exits 4) instead of failing every remaining article in turn.
            throw new StorageUnavailableException(e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Storage or another infrastructure failure: record it if storage lets us; the URL is not marked stored, so a re-run retries it.
            var reason = $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
            var cause = ArticleProcessor.CauseOf(e);
            logger.LogDebug(e, "Article {url} failed", message.Url);
            try
            {
                var url = new Uri(message.Url);
                return await processor.RecordFailureAsync(message, source, url, UrlIndexKey(url), reason, cancellationToken, cause);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return new ArticleOutcome(ArticleResult.Failed, message.Url, null, reason) { Cause = cause };
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
