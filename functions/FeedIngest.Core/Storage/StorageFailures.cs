using Azure;

namespace FeedIngest.Core.Storage;

/// <summary>Tells "storage cannot be reached" (connection refused, DNS, timeouts after the SDK's retries) from answers it gave.</summary>
public static class StorageFailures
{
    public static bool IsUnreachable(Exception? e) => e switch
    {
        null => false,
        // Status 0: no HTTP answer at all (the SDK wraps transport errors this way).
        RequestFailedException { Status: 0 } => true,
        // The SDK's "Retry failed after N tries": every try failed without an answer.
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsUnreachable),
        // The SDK's network timeout (a storage that accepts connections but does not answer).
        TaskCanceledException t when t.Message.Contains("configured timeout", StringComparison.Ordinal) => true,
        _ => false,
    };
}

/// <summary>A pipeline stage lost storage; the run stops rather than recording every remaining article as failed.</summary>
public sealed class StorageUnavailableException(Exception cause)
    : Exception("storage became unreachable: " + cause.GetBaseException().Message, cause);
