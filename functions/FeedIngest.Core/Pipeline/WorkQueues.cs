using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Pipeline;

/// <summary>
/// Enqueues stage messages (JSON, Base64 as the Functions queue trigger expects): several sends in flight, and
/// every message checked against the queue's 64 KiB limit before it leaves (a message over it is refused here,
/// with its size, instead of failing at the service).
/// </summary>
public sealed class WorkQueues(QueueServiceClient queues, StorageInitializer storage)
{
    /// <summary>Sends in flight at once (a queue takes one message per request).</summary>
    public const int SendsInFlight = 16;

    public Task SendAsync<T>(string queueName, T message, CancellationToken cancellationToken) =>
        SendManyAsync(queueName, [message], cancellationToken);

    public async Task SendManyAsync<T>(string queueName, IEnumerable<T> messages, CancellationToken cancellationToken)
    {
        var bodies = messages.Select(m => Serialize(queueName, m)).ToList();
        if (bodies.Count == 0) return;
        await storage.EnsureQueuesAsync(cancellationToken);
        var queue = queues.GetQueueClient(queueName);
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = SendsInFlight, CancellationToken = cancellationToken },
            async (body, ct) => await queue.SendMessageAsync(body, ct));
    }

    /// <summary>The message as JSON, or an error when it would not fit a queue message.</summary>
    public static string Serialize<T>(string queueName, T message)
    {
        var body = JsonSerializer.Serialize(message, ContractJson.Compact);
        var bytes = Encoding.UTF8.GetByteCount(body);
        if (bytes > StorageLimits.MaxMessageBytes)
            throw new InvalidOperationException($"A {typeof(T).Name} for queue {queueName} is {bytes} bytes; at most {StorageLimits.MaxMessageBytes} fit a queue message.");
        return body;
    }

    public static T Parse<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, ContractJson.Compact) ?? throw new InvalidDataException($"Empty {typeof(T).Name} message.");
}
