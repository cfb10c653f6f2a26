using System.Globalization;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary>Fetches, archives, extracts and stores one article; on its last delivery a failure is recorded before the message goes to <c>articles-poison</c>.</summary>
public sealed class ProcessArticle(QueueStages stages, HostQueueSettings queueHost)
{
    [Function(nameof(ProcessArticle))]
    public Task Run([QueueTrigger(StorageNames.ArticlesQueue, Connection = StorageNames.Connection)] string message, FunctionContext context, CancellationToken cancellationToken) =>
        stages.ProcessArticleAsync(WorkQueues.Parse<ArticleMessage>(message), DequeueCount(context), queueHost.MaxDequeueCount, cancellationToken);

    internal static long DequeueCount(FunctionContext context) =>
        context.BindingContext.BindingData.TryGetValue("DequeueCount", out var value) && value is not null
            && long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var count) ? count : 1;
}
