using System.Collections.Concurrent;
using FeedIngest.Core.Fetching;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// Records when each request of a fetching host left for the portal: a handler added after the app's own, so it is the
/// last one before the socket. Spacing is asserted here as well as at the portal, because the portal shares the test
/// process, and a stalled process can record arrivals together that left apart.
/// </summary>
public sealed class SendRecorder
{
    private readonly ConcurrentQueue<(string Path, DateTimeOffset At)> _sends = new();

    /// <summary>For <see cref="FetchingTestHost"/>'s extra services: adds the recording handler to the fetch client.</summary>
    public void AddTo(IServiceCollection services) =>
        services.AddHttpClient(HttpPageSender.ClientName).AddHttpMessageHandler(() => new Recording(_sends));

    /// <summary>When the requests whose path starts with <paramref name="prefix"/> (other than <paramref name="except"/>) left, in order.</summary>
    public List<DateTimeOffset> Sends(string prefix = "/", string? except = null) =>
        _sends.Where(s => s.Path.StartsWith(prefix, StringComparison.Ordinal) && s.Path != except).Select(s => s.At).Order().ToList();

    public static List<double> GapsMs(IReadOnlyList<DateTimeOffset> moments) =>
        moments.Zip(moments.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();

    public static string Show(IReadOnlyList<DateTimeOffset> moments) => string.Join(", ", GapsMs(moments).Select(g => g.ToString("0")));

    private sealed class Recording(ConcurrentQueue<(string, DateTimeOffset)> sends) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sends.Enqueue((request.RequestUri!.PathAndQuery, DateTimeOffset.UtcNow));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
