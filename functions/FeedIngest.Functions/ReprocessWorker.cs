using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary>Works through queue <c>reprocess</c>: expands a job, then re-extracts one article per message; the last failed delivery is counted on the job.</summary>
public sealed class ReprocessWorker(ReprocessService reprocess, HostQueueSettings queueHost)
{
    [Function(nameof(ReprocessWorker))]
    public Task Run([QueueTrigger(StorageNames.ReprocessQueue, Connection = StorageNames.Connection)] string message, FunctionContext context, CancellationToken cancellationToken) =>
        reprocess.HandleAsync(WorkQueues.Parse<ReprocessMessage>(message), ProcessArticle.DequeueCount(context), queueHost.MaxDequeueCount, cancellationToken);
}
