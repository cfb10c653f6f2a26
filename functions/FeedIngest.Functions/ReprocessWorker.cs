using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary>Works through queue <c>reprocess</c>: expands a job, then re-extracts one article per message.</summary>
public sealed class ReprocessWorker(ReprocessService reprocess)
{
    [Function(nameof(ReprocessWorker))]
    public Task Run([QueueTrigger(StorageNames.ReprocessQueue, Connection = StorageNames.Connection)] string message, CancellationToken cancellationToken) =>
        reprocess.HandleAsync(WorkQueues.Parse<ReprocessMessage>(message), cancellationToken);
}
