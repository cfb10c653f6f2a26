namespace FeedIngest.Core.Fetching;

/// <summary>
/// Runs once per attempt, between the retry strategy and the attempt timeout: counts attempts and makes every
/// attempt, first or retry, take the host's turn (minDelayMs / Crawl-delay) just before it leaves, so no request
/// reaches the host sooner after another than the politeness allows. The lease (concurrency) was taken in
/// <see cref="HttpPageSender"/>. The wait is outside the attempt timeout, inside the total timeout.
/// </summary>
internal sealed class AttemptSpacingHandler(IHostThrottle throttle) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(FetchAttemptContext.Key, out var context))
        {
            var attempt = Interlocked.Increment(ref context.Attempts);
            if (context is { HostKey: { } host, Politeness: { } politeness })
            {
                // The turn is taken here, the last step before the wire, not at the grant.
                if (context.Lease is { } lease)
                {
                    try { await throttle.WaitForTurnAsync(lease, host, politeness, retry: attempt > 1, cancellationToken); }
                    catch (MissedTurnException)
                    {
                        Interlocked.Decrement(ref context.Attempts); // nothing left: the send from the start is attempt 1 again
                        throw;
                    }
                }
            }
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
