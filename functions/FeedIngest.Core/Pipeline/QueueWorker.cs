using System.Runtime.CompilerServices;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

/// <summary>What one worker did, for its caller (counts by outcome; the last article's end, for rates).</summary>
public sealed record QueueWorkSummary(int SourcesDiscovered, IReadOnlyDictionary<ArticleResult, int> Articles, int Retried, DateTimeOffset? LastArticleAt)
{
    public int ArticlesDone => Articles.Values.Sum();
}

/// <summary>
/// The queue stages run by a process instead of the Functions host (<c>feedingest work</c>): discover messages one at
/// a time, article messages in batches of 32 worked FeedIngest:MaxParallelArticles at once, each deleted once its
/// stage returned. Any number of workers share the queues; a message whose stage threw comes back after its
/// visibility timeout (the same retry the Functions host gives, up to <see cref="MaxDequeueCount"/> deliveries).
/// </summary>
public sealed class QueueWorker(QueueServiceClient queues, StorageInitializer storage, QueueStages stages, IOptions<FeedIngestOptions> options, ILogger<QueueWorker> logger)
{
    /// <summary>As host.json's queues.maxDequeueCount: the last delivery records the failure, then the message is dropped.</summary>
    public const int MaxDequeueCount = 5;
    private const int BatchSize = 32;
    private static readonly TimeSpan ArticleVisibility = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DiscoverVisibility = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);
    private int _articlesDone;

    /// <summary>Article messages this worker has finished so far (whatever their outcome): progress for its caller.</summary>
    public int ArticlesDone => Volatile.Read(ref _articlesDone);

    /// <param name="untilIdle">Stop once both queues are empty, counting messages other workers hold (their work may queue more).</param>
    public async Task<QueueWorkSummary> RunAsync(bool untilIdle, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        var discover = queues.GetQueueClient(StorageNames.DiscoverQueue);
        var articles = queues.GetQueueClient(StorageNames.ArticlesQueue);
        var results = new Dictionary<ArticleResult, int>();
        var sources = 0;
        var retried = 0;
        DateTimeOffset? last = null;
        await Parallel.ForEachAsync(ArticleMessagesAsync(), new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Value.MaxParallelArticles),
            CancellationToken = cancellationToken,
        }, async (message, ct) =>
        {
            try
            {
                var outcome = await stages.ProcessArticleAsync(WorkQueues.Parse<ArticleMessage>(message.Body.ToString()), message.DequeueCount, MaxDequeueCount, ct);
                await articles.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                lock (results)
                {
                    results[outcome.Result] = results.GetValueOrDefault(outcome.Result) + 1;
                    last = DateTimeOffset.UtcNow;
                }
                Interlocked.Increment(ref _articlesDone);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref retried);
                logger.LogWarning(e, "Article message {id} failed (delivery {count})", message.MessageId, message.DequeueCount);
                // The last delivery's failure is recorded on the URL and the run; the message is not worth keeping.
                if (message.DequeueCount >= MaxDequeueCount) await articles.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            }
        });
        return new QueueWorkSummary(sources, results, retried, last);

        // Article messages as slots free up; a discover message, when there is one, is worked first (it feeds the rest).
        async IAsyncEnumerable<QueueMessage> ArticleMessagesAsync([EnumeratorCancellation] CancellationToken ct = default)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await TryDiscoverOneAsync(discover, cancellationToken)) { sources++; continue; }
                QueueMessage[] batch = (await articles.ReceiveMessagesAsync(BatchSize, ArticleVisibility, cancellationToken)).Value;
                foreach (var message in batch) yield return message;
                if (batch.Length > 0) continue;
                if (untilIdle && await IsEmptyAsync(discover, cancellationToken) && await IsEmptyAsync(articles, cancellationToken)) yield break;
                await Task.Delay(IdlePoll, cancellationToken);
            }
        }
    }

    private async Task<bool> TryDiscoverOneAsync(QueueClient discover, CancellationToken cancellationToken)
    {
        var received = (await discover.ReceiveMessagesAsync(1, DiscoverVisibility, cancellationToken)).Value;
        if (received.Length == 0) return false;
        var message = received[0];
        try
        {
            await stages.DiscoverAsync(WorkQueues.Parse<DiscoverMessage>(message.Body.ToString()), message.DequeueCount, MaxDequeueCount, cancellationToken);
            await discover.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Discover message {id} failed (delivery {count})", message.MessageId, message.DequeueCount);
            if (message.DequeueCount >= MaxDequeueCount) await discover.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        return true;
    }

    /// <summary>No message at all, visible or held by a worker (the approximate count includes invisible ones).</summary>
    private static async Task<bool> IsEmptyAsync(QueueClient queue, CancellationToken cancellationToken) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount == 0;
}
