using System.Text.Json;
using Azure.Storage.Queues;

namespace FeedIngest.Core.Storage;

public static class ArticleChange
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Reprocessed = "reprocessed";
}

/// <summary>Message on queue <c>article-events</c>: one per real change of an article's text.</summary>
public sealed record ArticleEvent(string ArticleId, string SourceId, string Url, string Blob, int Version, string ContentHash, string Change);

public sealed class ArticleEventPublisher(QueueServiceClient queues, StorageInitializer storage)
{
    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.ArticleEventsQueue);

    public async Task PublishAsync(ArticleEvent articleEvent, CancellationToken cancellationToken)
    {
        await storage.EnsureQueuesAsync(cancellationToken);
        await _queue.SendMessageAsync(WorkQueuesJson(articleEvent), cancellationToken);
    }

    private static string WorkQueuesJson(ArticleEvent articleEvent) => Pipeline.WorkQueues.Serialize(StorageNames.ArticleEventsQueue, articleEvent);
}
