using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary>Discovers one source's new article URLs and enqueues one <c>articles</c> message per URL; the last failed delivery is recorded on the run.</summary>
public sealed class DiscoverSource(QueueStages stages, HostQueueSettings queueHost)
{
    [Function(nameof(DiscoverSource))]
    public Task Run([QueueTrigger(StorageNames.DiscoverQueue, Connection = StorageNames.Connection)] string message, FunctionContext context, CancellationToken cancellationToken) =>
        stages.DiscoverAsync(WorkQueues.Parse<DiscoverMessage>(message), ProcessArticle.DequeueCount(context), queueHost.MaxDequeueCount, cancellationToken);
}
