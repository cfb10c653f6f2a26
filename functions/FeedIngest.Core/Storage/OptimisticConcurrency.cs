using Azure;

namespace FeedIngest.Core.Storage;

/// <summary>
/// The one retry policy for ETag conflicts (412, and 409 for a racing insert): re-read and try again, with a
/// short jittered pause, a bounded number of times. Used where a row has few writers by design (a run's or job's
/// header, a source's boilerplate memory, an article row of one URL); never for counters many instances share.
/// </summary>
public static class OptimisticConcurrency
{
    public const int MaxAttempts = 20;

    /// <summary>Runs <paramref name="attempt"/> (which reads, changes and writes with If-Match) until it does not conflict.</summary>
    public static async Task<T> RetryAsync<T>(Func<int, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var n = 0; ; n++)
        {
            try
            {
                return await attempt(n);
            }
            catch (RequestFailedException e) when (IsConflict(e) && n < MaxAttempts - 1)
            {
                await Task.Delay(Random.Shared.Next(5, 20 + 10 * Math.Min(n, 10)), cancellationToken);
            }
        }
    }

    public static async Task RetryAsync(Func<int, Task> attempt, CancellationToken cancellationToken) =>
        await RetryAsync(async n => { await attempt(n); return true; }, cancellationToken);

    public static bool IsConflict(RequestFailedException e) => e.Status is 412 or 409;
}
