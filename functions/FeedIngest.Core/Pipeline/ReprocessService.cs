using System.Globalization;
using FeedIngest.Core.Common;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Pipeline;

/// <summary>
/// On-demand re-extraction: records a job, plans it (one message per article, sent in chunks whose progress is
/// kept on the job, so a redelivered plan resumes where the first delivery stopped), and re-extracts one article
/// per message. The CLI runs the same steps in-process. Counting is append-only (<see cref="ReprocessJobStore"/>).
/// </summary>
public sealed class ReprocessService(
    SourceRegistryLoader registryLoader,
    ArticleRepository articles,
    ArticleIndex index,
    ArticleProcessor processor,
    WorkQueues queues,
    ReprocessJobStore jobs)
{
    /// <summary>Messages sent between two notes of the plan's progress.</summary>
    public const int PlanChunk = 100;

    /// <summary>Records the job and queues its plan message; the queue stage does the rest.</summary>
    public async Task<string> SubmitAsync(ReprocessRequest request, CancellationToken cancellationToken)
    {
        var job = await CreateJobAsync(request, cancellationToken);
        await queues.SendAsync(StorageNames.ReprocessQueue, new ReprocessMessage(job.RowKey, "plan"), cancellationToken);
        return job.RowKey;
    }

    /// <summary>The CLI's path: the same job row and steps, run here instead of through the queue.</summary>
    public async Task<ReprocessJobStatus> RunInProcessAsync(ReprocessRequest request, IProgress<ArticleOutcome>? progress, CancellationToken cancellationToken)
    {
        var job = await CreateJobAsync(request, cancellationToken);
        var queued = 0;
        string? through = null;
        await foreach (var target in TargetsAsync(job, cancellationToken))
        {
            if (target.Missing is not null)
            {
                await jobs.RecordOutcomeAsync(job.RowKey, Missing(target), cancellationToken);
                continue;
            }
            queued++;
            through = target.ArticleId;
            var outcome = await ReprocessOneAsync(job, target.SourceId, target.ArticleId, cancellationToken); // not inside ?.: it must run without a listener
            progress?.Report(outcome);
        }
        await jobs.RecordPlanProgressAsync(job.RowKey, queued, through, planned: true, [], cancellationToken);
        return (await GetStatusAsync(job.RowKey, cancellationToken))!;
    }

    public Task HandleAsync(ReprocessMessage message, CancellationToken cancellationToken) =>
        HandleAsync(message, dequeueCount: 1, maxDequeueCount: int.MaxValue, cancellationToken);

    /// <summary>
    /// One <c>reprocess</c> message. Failures throw so the queue retries; on the last delivery the failure is
    /// first recorded on the job (with the reason), so the job still completes when its message goes to poison.
    /// </summary>
    public async Task HandleAsync(ReprocessMessage message, long dequeueCount, int maxDequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            if (message.Kind == "plan")
            {
                await PlanAsync(message.JobId, cancellationToken);
                return;
            }
            // A message whose job is gone has nothing to report to.
            if (await jobs.GetHeaderAsync(message.JobId, cancellationToken) is { } job)
                await ReprocessOneAsync(job, message.SourceId!, message.ArticleId!, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && dequeueCount >= maxDequeueCount)
        {
            var reason = $"gave up after {dequeueCount} attempts: {e.GetType().Name}: {e.Message}";
            if (message.Kind == "plan")
                await jobs.FailAsync(message.JobId, reason, cancellationToken);
            else
                await jobs.RecordOutcomeAsync(message.JobId,
                    new OutcomeRecord(message.SourceId ?? "", message.ArticleId ?? "", OutcomeResult.Failed, null, message.ArticleId, reason), cancellationToken);
            throw;
        }
    }

    public async Task<ReprocessJobStatus?> GetStatusAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(jobId, cancellationToken);
        return job is null ? null : new ReprocessJobStatus(job.RowKey, job.State, job.Mode, job.Queued, job.Done, job.Unchanged, job.Failed, job.CreatedAt, job.CompletedAt,
            string.IsNullOrEmpty(job.Errors) ? [] : job.Errors.Split('\n'));
    }

    /// <summary>
    /// Expands a job into article messages in chunks, noting after each chunk how far it got: a redelivered plan
    /// (the first delivery died, or timed out, half-way) resumes after the last noted article instead of
    /// returning; a chunk sent but not noted is sent again, and its articles still count once.
    /// </summary>
    private async Task PlanAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.GetHeaderAsync(jobId, cancellationToken) ?? throw new InvalidOperationException($"Reprocess job {jobId} does not exist.");
        if (job.Planned || job.State is JobState.Completed or JobState.Failed) return;
        var queued = job.Queued;
        var through = job.PlannedThrough;
        var chunk = new List<ReprocessMessage>();
        async Task FlushAsync()
        {
            if (chunk.Count == 0) return;
            await queues.SendManyAsync(StorageNames.ReprocessQueue, chunk, cancellationToken);
            queued += chunk.Count;
            through = chunk[^1].ArticleId;
            chunk.Clear();
            await jobs.RecordPlanProgressAsync(jobId, queued, through, planned: false, [], cancellationToken);
        }
        await foreach (var target in TargetsAsync(job, cancellationToken))
        {
            if (through is not null && string.CompareOrdinal(target.ArticleId, through) <= 0) continue;
            if (target.Missing is not null)
            {
                await jobs.RecordOutcomeAsync(jobId, Missing(target), cancellationToken);
                continue;
            }
            chunk.Add(new ReprocessMessage(jobId, "article", target.SourceId, target.ArticleId));
            if (chunk.Count >= PlanChunk) await FlushAsync();
        }
        await FlushAsync();
        await jobs.RecordPlanProgressAsync(jobId, queued, through, planned: true, [], cancellationToken);
    }

    private sealed record Target(string SourceId, string ArticleId, string? Missing = null);

    /// <summary>The job's articles in a stable order (article id ascending), so a plan can resume by id.</summary>
    private async IAsyncEnumerable<Target> TargetsAsync(ReprocessJobEntity job, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (job.ArticleIds is not null)
        {
            foreach (var id in job.ArticleIds.Split(',').Distinct().Order(StringComparer.Ordinal))
            {
                if (job.SourceId is not null)
                {
                    yield return new Target(job.SourceId, id);
                    continue;
                }
                var sources = await index.SourcesOfAsync(id, cancellationToken);
                yield return sources.Count == 0
                    ? new Target("", id, "no such article (one stored before the id index is found with sourceId until its source's next runs index it)")
                    : new Target(sources[0], id);
            }
            yield break;
        }
        var from = VietnamTime.StartOf(DateOnly.Parse(job.From!, CultureInfo.InvariantCulture));
        var to = VietnamTime.StartOf(DateOnly.Parse(job.To!, CultureInfo.InvariantCulture)).AddDays(1);
        // One partition (the source), read in RowKey (article id) order.
        await foreach (var row in articles.ListAsync(job.SourceId, from, to, cancellationToken))
            if (row.Status == ArticleStatus.Stored) yield return new Target(row.PartitionKey, row.RowKey);
    }

    private static OutcomeRecord Missing(Target target) =>
        new(target.SourceId, target.ArticleId, OutcomeResult.Failed, null, target.ArticleId, target.Missing, InPlan: false);

    private async Task<ReprocessJobEntity> CreateJobAsync(ReprocessRequest request, CancellationToken cancellationToken) =>
        await jobs.CreateAsync(new ReprocessJobEntity
        {
            RowKey = ReprocessJobStore.NewJobId(DateTimeOffset.UtcNow),
            Mode = request.Mode ?? ReprocessMode.Archive,
            SourceId = request.SourceId,
            From = request.From,
            To = request.To,
            ArticleIds = request.ArticleIds is null ? null : string.Join(",", request.ArticleIds),
            CreatedAt = DateTimeOffset.UtcNow,
        }, cancellationToken);

    private async Task<ArticleOutcome> ReprocessOneAsync(ReprocessJobEntity job, string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var row = await articles.GetRowAsync(sourceId, articleId, cancellationToken);
        ArticleOutcome outcome;
        if (row is null)
            outcome = new ArticleOutcome(ArticleResult.Failed, "", articleId, "no such article");
        else
        {
            var registry = await registryLoader.LoadAsync(cancellationToken);
            var source = registry.Find(sourceId);
            if (job.Mode == ReprocessMode.Refetch)
                outcome = source is null
                    ? new ArticleOutcome(ArticleResult.Failed, row.Url ?? "", articleId, $"source '{sourceId}' is not registered: refetch refused")
                    : await processor.ProcessAsync(new ArticleMessage(job.RowKey, sourceId, row.Url!, FetchMode.Refetch), source, cancellationToken);
            else
                outcome = await processor.ReextractFromArchiveAsync(row, source ?? new SourceDefinition { Id = sourceId, District = row.District }, job.RowKey, cancellationToken);
        }
        await jobs.RecordOutcomeAsync(job.RowKey, new OutcomeRecord(sourceId, articleId, outcome.Result.ToString(), outcome.Url, articleId, outcome.Reason), cancellationToken);
        return outcome;
    }
}
