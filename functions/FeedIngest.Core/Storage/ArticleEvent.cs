using System.Text.Json;
using Azure.Storage.Queues;

namespace FeedIngest.Core.Storage;

public static class ArticleChange
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Reprocessed = "reprocessed";
}

/// <summary>Message on queue <c>article-events</c>: one per real change of an article's text or attachments.</summary>
public sealed record ArticleEvent(string ArticleId, string SourceId, string Url, string Blob, int Version, string ContentHash, string Change)
{
    /// <summary>The <c>schemaVersion</c> of the document the event points to (added with schema 2: readers see the bump before reading).</summary>
    public int SchemaVersion { get; init; } = ArticleDocument.CurrentSchemaVersion;
    /// <summary>The article's syndication cluster (null for documents stored before schema 2).</summary>
    public string? ClusterId { get; init; }
    /// <summary>How many entries the document's <c>attachments[]</c> has.</summary>
    public int Attachments { get; init; }
}

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
