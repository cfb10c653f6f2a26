using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// Drives one queue the way the Functions host's queue listener does: receive a batch with a visibility
/// timeout, invoke the function with the message's DequeueCount, delete it on success, leave it to
/// reappear on failure, and move it to <c>{queue}-poison</c> once it has failed maxDequeueCount times.
/// Storage errors of the loop itself (an outage) are waited out, as the host's polling does.
/// </summary>
public sealed class QueueHostLoop(QueueClient queue, QueueClient poison, Func<string, long, Task> function, int maxDequeueCount, TimeSpan visibilityTimeout, int batchSize = 4)
{
    private int _invocations;
    private int _failures;

    public int Invocations => _invocations;
    public int Failures => _failures;

    /// <summary>Runs until the queue holds no message, visible or not.</summary>
    public async Task RunUntilEmptyAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            if (cancel.IsCancellationRequested)
                throw new TimeoutException($"Queue {queue.Name} not empty after {timeout} ({_invocations} invocations, {_failures} failures).");
            QueueMessage[] batch;
            try
            {
                batch = await queue.ReceiveMessagesAsync(batchSize, visibilityTimeout, CancellationToken.None);
                if (batch.Length == 0 && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0) return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                batch = [];
            }
            if (batch.Length == 0)
            {
                await Task.Delay(200, CancellationToken.None);
                continue;
            }
            await Task.WhenAll(batch.Select(HandleAsync));
        }
    }

    private async Task HandleAsync(QueueMessage message)
    {
        if (message.DequeueCount > maxDequeueCount)
        {
            await TryAsync(() => MoveToPoisonAsync(message));
            return;
        }
        Interlocked.Increment(ref _invocations);
        try
        {
            await function(message.Body.ToString(), message.DequeueCount);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failures);
            // Left on the queue it reappears after the visibility timeout; the last failure goes to poison.
            if (message.DequeueCount >= maxDequeueCount) await TryAsync(() => MoveToPoisonAsync(message));
            return;
        }
        // If storage is down now, the message reappears and the idempotent stage finds the work done.
        await TryAsync(() => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt));
    }

    private async Task MoveToPoisonAsync(QueueMessage message)
    {
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(message.Body);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    private static async Task TryAsync(Func<Task> action)
    {
        try { await action(); }
        catch (Exception e) when (e is not OperationCanceledException) { }
    }
}
