namespace FeedIngest.Core.Fetching;

/// <summary>
/// Runs once per attempt, between the retry strategy and the attempt timeout: counts attempts and makes every
/// retry wait for the host's next turn (minDelayMs / Crawl-delay) like any other request, so a retry never reaches
/// the host sooner after another request than the politeness allows. The first attempt's turn was granted with
/// the lease in <see cref="HttpPageSender"/>. The wait is outside the attempt timeout, inside the total timeout.
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
                if (context.Lease is { } lease) await throttle.WaitForTurnAsync(lease, host, politeness, retry: attempt > 1, cancellationToken);
                // The turn counts from here, the last step before the wire, not from the grant (see IHostThrottle.MarkSent).
                throttle.MarkSent(host, politeness);
            }
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
