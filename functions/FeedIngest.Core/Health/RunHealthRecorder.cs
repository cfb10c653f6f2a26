using Azure;
using FeedIngest.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Health;

/// <summary>
/// The pipeline's one hook into health: what became of each article and of each source's discovery,
/// written as per-run observations (and counted in metrics). Never throws for storage: health must not fail a harvest.
/// </summary>
public sealed class RunHealthRecorder(HealthObservationStore observations, SourceHealthService health, FeedIngestMetrics metrics, ILogger<RunHealthRecorder> logger)
{
    public async Task ArticleAsync(ArticleMessage message, ArticleOutcome outcome, CancellationToken cancellationToken)
    {
        var result = outcome.Result.ToString().ToLowerInvariant();
        string? cause = null;
        if (outcome.Result is ArticleResult.Failed or ArticleResult.Skipped)
        {
            cause = outcome.Cause != Fetching.FailureCause.None ? Fetching.FailureCauses.Name(outcome.Cause) : FailureCauseNames.FromReason(outcome.Reason);
            metrics.ArticleFailed(message.SourceId, cause);
        }
        else if (outcome.Result is ArticleResult.Stored or ArticleResult.Updated)
        {
            metrics.ArticleStored(message.SourceId);
        }
        await TryAsync(() => observations.RecordArticleAsync(message.RunId, message.SourceId, outcome.Url, result, cause, outcome.Reason, outcome.Quality, cancellationToken));
    }

    public Task DiscoveryAsync(string runId, string sourceId, int found, bool failed, IReadOnlyList<string> errors, CancellationToken cancellationToken) =>
        TryAsync(() => observations.RecordDiscoveryAsync(runId, sourceId, found, failed, errors, cancellationToken));

    /// <summary>The CLI: the source's part of the run is done; fold it into SourceHealth now.</summary>
    public Task SourceDoneAsync(string runId, string sourceId, DateTimeOffset runStartedAt, CancellationToken cancellationToken) =>
        TryAsync(() => health.FoldAsync(runId, sourceId, runStartedAt, cancellationToken));

    /// <summary>The Functions app: fold every run that has ended since (at a timer occurrence, before a status read).</summary>
    public Task FoldEndedRunsAsync(CancellationToken cancellationToken) => TryAsync(() => health.FoldFinishedRunsAsync(cancellationToken));

    private async Task TryAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException or UriFormatException or InvalidOperationException)
        {
            logger.LogWarning("Could not record a health observation: {message}", e.Message);
        }
    }
}
