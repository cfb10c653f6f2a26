using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Pipeline;

/// <summary>
/// The harvest as queue stages (Functions app): timer → one <c>discover</c> message per source →
/// one <c>articles</c> message per URL → processed on as many instances as the backlog needs.
/// </summary>
public sealed class QueueStages(
    SourceRegistryLoader registryLoader,
    SourceDiscoveryStage discovery,
    ArticleProcessor processor,
    RunLedger runs,
    WorkQueues queues,
    Health.RunHealthRecorder health,
    ILogger<QueueStages> logger)
{
    /// <summary>
    /// Starts the run of one schedule occurrence. The run id comes from the occurrence, so a second start
    /// of the same occurrence (overlap, retry) finds the run row and enqueues nothing again.
    /// </summary>
    public async Task<string?> StartScheduledRunAsync(DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        // Runs that ended since the last occurrence are folded into SourceHealth (and alert) now.
        await health.FoldEndedRunsAsync(cancellationToken);
        var registry = await registryLoader.LoadAsync(cancellationToken);
        var sources = registry.Sources.Where(s => s.Enabled).ToList();
        var runId = $"{occurrence.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-timer";
        // Earlier runs are settled here (no article writes to a shared row, so nobody else notices they are done).
        try { await runs.FinalizeFinishedAsync(FinalizeLookback, cancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "Could not settle earlier runs"); }
        // Creating the row is the lock: of overlapping starts of one occurrence, only the one that created it enqueues.
        if (!await runs.TryStartAsync(runId, "harvest", "functions", sources.Select(s => s.Id), sources.Count, cancellationToken))
        {
            logger.LogWarning("Run {runId} already started; not enqueuing again", runId);
            return null;
        }
        try
        {
            await queues.SendManyAsync(StorageNames.DiscoverQueue, sources.Select(s => new DiscoverMessage(runId, s.Id)), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not left "running" forever with nothing queued; the next occurrence starts a new run.
            try { await runs.FailAsync(runId, $"could not queue discovery: {e.Message}", CancellationToken.None); }
            catch (Exception failure) { logger.LogError(failure, "Could not mark run {runId} failed", runId); }
            throw;
        }
        logger.LogInformation("Run {runId} started: {count} source(s) queued for discovery", runId, sources.Count);
        return runId;
    }

    public Task DiscoverAsync(DiscoverMessage message, CancellationToken cancellationToken) =>
        DiscoverAsync(message, dequeueCount: 1, maxDequeueCount: int.MaxValue, cancellationToken);

    /// <summary>
    /// Discovers one source and queues its articles. Failures throw so the queue retries; on the last delivery
    /// the source is first counted as done with the reason, so the run still completes without it.
    /// </summary>
    public async Task DiscoverAsync(DiscoverMessage message, long dequeueCount, int maxDequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            await DiscoverOnceAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && dequeueCount >= maxDequeueCount)
        {
            await health.DiscoveryAsync(message.RunId, message.SourceId, 0, failed: true, [$"{e.GetType().Name}: {e.Message}"], cancellationToken);
            await runs.RecordSourceAsync(message.RunId, new SourceRunSummary(message.SourceId, 0, 0, 0, 0,
                [$"{message.SourceId}: [{Fetching.FailureCauses.Name(ArticleProcessor.CauseOf(e))}] discovery gave up after {dequeueCount} attempts: {e.GetType().Name}: {e.Message}"], DiscoveryFailed: true)
                { FailuresByCause = new Dictionary<string, int> { [Fetching.FailureCauses.Name(ArticleProcessor.CauseOf(e))] = 1 } }, cancellationToken);
            throw;
        }
    }

    private async Task DiscoverOnceAsync(DiscoverMessage message, CancellationToken cancellationToken)
    {
        var source = await FindSourceAsync(message.SourceId, cancellationToken);
        if (source is null)
        {
            await runs.RecordSourceAsync(message.RunId, new SourceRunSummary(message.SourceId, 0, 0, 0, 0, [$"{message.SourceId}: not in the source registry"], DiscoveryFailed: true), cancellationToken);
            return;
        }
        var found = await discovery.DiscoverAsync(message.RunId, source, cancellationToken, otherRunsMayBeInFlight: true);
        await health.DiscoveryAsync(message.RunId, source.Id, found.Found.Count, found.Failed, found.Errors, cancellationToken);
        // Work first, then the source's row: a delivery that dies in between is redelivered, finds the URLs it marked
        // pending and queues them again (each counts once), then records the source.
        await queues.SendManyAsync(StorageNames.ArticlesQueue, found.Work, cancellationToken);
        await runs.RecordSourceAsync(message.RunId, found.ToSummary(message.RunId), cancellationToken);
        logger.LogInformation("Source {sourceId}: {found} found, {queued} queued", source.Id, found.Found.Count, found.Work.Count);
    }

    /// <summary>
    /// Processes one article message. Infrastructure failures throw so the queue retries; on the last
    /// delivery the URL is recorded as failed with the reason before the message goes to the poison queue.
    /// </summary>
    public async Task<ArticleOutcome> ProcessArticleAsync(ArticleMessage message, long dequeueCount, int maxDequeueCount, CancellationToken cancellationToken)
    {
        var source = await FindSourceAsync(message.SourceId, cancellationToken);
        ArticleOutcome outcome;
        if (source is null)
        {
            outcome = await processor.RecordFailureAsync(message, null, new Uri(message.Url), UrlIndex.Key(Discovery.UrlCanonicalizer.Canonicalize(new Uri(message.Url))),
                $"source '{message.SourceId}' is not in the registry", cancellationToken);
        }
        else
        {
            try
            {
                outcome = await processor.ProcessAsync(message, source, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && dequeueCount >= maxDequeueCount)
            {
                var url = Discovery.UrlCanonicalizer.Canonicalize(new Uri(message.Url));
                var reason = $"gave up after {dequeueCount} attempts: {e.GetType().Name}: {e.Message}";
                outcome = await processor.RecordFailureAsync(message, source, url, UrlIndex.Key(url), reason, cancellationToken, ArticleProcessor.CauseOf(e));
                await health.ArticleAsync(message, outcome, cancellationToken);
                await runs.RecordOutcomeAsync(message.RunId, outcome.ToRecord(message.SourceId, message.Url), cancellationToken);
                throw;
            }
        }
        await health.ArticleAsync(message, outcome, cancellationToken);
        await runs.RecordOutcomeAsync(message.RunId, outcome.ToRecord(message.SourceId, message.Url), cancellationToken);
        return outcome;
    }

    /// <summary>How many of the newest runs each timer occurrence looks at to settle finished ones.</summary>
    private const int FinalizeLookback = 20;
    private SourceRegistry? _registry;

    private async Task<SourceDefinition?> FindSourceAsync(string sourceId, CancellationToken cancellationToken)
    {
        _registry ??= await registryLoader.LoadAsync(cancellationToken);
        return _registry.Find(sourceId);
    }
}
