namespace FeedIngest.Core.Fetching;

/// <summary>
/// The innermost handler: the request leaves for the host now, so the host's next turn counts from here. A request
/// held up between its turn and the socket (a stalled process: GC, a starved thread pool) then still reaches the host
/// the full delay before the next one, instead of arriving right before it.
/// </summary>
internal sealed class LeavingMarkHandler(IHostThrottle throttle) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(FetchAttemptContext.Key, out var context) && context is { HostKey: { } host, Politeness: { } politeness })
            throttle.MarkSent(host, politeness);
        return base.SendAsync(request, cancellationToken);
    }
}
