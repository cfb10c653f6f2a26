using System.Text.Json;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Pipeline;

/// <summary>Enqueues stage messages (JSON, Base64 as the Functions queue trigger expects).</summary>
public sealed class WorkQueues(QueueServiceClient queues)
{
    private readonly HashSet<string> _created = [];

    public Task SendAsync<T>(string queueName, T message, CancellationToken cancellationToken) =>
        SendManyAsync(queueName, [message], cancellationToken);

    public async Task SendManyAsync<T>(string queueName, IEnumerable<T> messages, CancellationToken cancellationToken)
    {
        var queue = queues.GetQueueClient(queueName);
        bool create;
        lock (_created) create = _created.Add(queueName);
        if (create) await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        foreach (var message in messages)
            await queue.SendMessageAsync(JsonSerializer.Serialize(message, ContractJson.Compact), cancellationToken);
    }

    public static T Parse<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, ContractJson.Compact) ?? throw new InvalidDataException($"Empty {typeof(T).Name} message.");
}
