using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Fetching;

/// <summary>robots.txt per origin, fetched once and trusted until it expires; concurrent callers share one fetch.</summary>
public interface IRobotsTxtCache
{
    Task<RobotsTxt> GetAsync(Uri url, HostPoliteness politeness, CancellationToken cancellationToken);
}

internal sealed partial class RobotsTxtCache(
    HttpPageSender sender, IOptions<FetchingOptions> options, TimeProvider time, ILogger<RobotsTxtCache> logger) : IRobotsTxtCache
{
    private readonly FetchingOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Lazy<Task<Entry>>> _entries = new(StringComparer.OrdinalIgnoreCase);

    public async Task<RobotsTxt> GetAsync(Uri url, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        while (true)
        {
            var lazy = _entries.GetOrAdd(origin, o => new Lazy<Task<Entry>>(() => LoadAsync(new Uri(o + "/robots.txt"), politeness)));
            var entry = await lazy.Value.WaitAsync(cancellationToken);
            if (entry.Expires > time.GetUtcNow()) return entry.Robots;
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<Entry>>>(origin, lazy));
        }
    }

    private async Task<Entry> LoadAsync(Uri robotsUrl, HostPoliteness politeness)
    {
        // Not tied to one caller's token: the result is shared by every caller for this origin.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TotalTimeoutSeconds));
        var fresh = time.GetUtcNow() + TimeSpan.FromMinutes(_options.RobotsCacheMinutes);
        var retryable = time.GetUtcNow() + TimeSpan.FromMinutes(_options.RobotsErrorCacheMinutes);
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendFollowingRedirectsAsync(robotsUrl, AcceptedContent.Any, politeness, cts.Token);
        }
        catch (OperationCanceledException)
        {
            LogUnreachable(logger, robotsUrl, "timeout");
            return new Entry(RobotsTxt.DisallowAll, retryable);
        }
        if (outcome.Failure is not null)
        {
            LogUnreachable(logger, robotsUrl, outcome.Failure);
            // RFC 9309: 4xx = no rules; 5xx / unreachable = assume complete disallow, ask again soon.
            return outcome.StatusCode is >= 400 and < 500
                ? new Entry(RobotsTxt.AllowAll, fresh)
                : new Entry(RobotsTxt.DisallowAll, retryable);
        }
        var status = outcome.StatusCode;
        if (status is >= 400 and < 500) return new Entry(RobotsTxt.AllowAll, fresh);
        if (status is < 200 or >= 300) return new Entry(RobotsTxt.DisallowAll, retryable);
        var text = CharsetDecoder.Decode(outcome.Body, outcome.ContentType).Text;
        return new Entry(RobotsTxt.Parse(text, _options.UserAgentProduct), fresh);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "robots.txt {Url} unreachable ({Reason}); host treated as disallowed for now")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string reason);

    private sealed record Entry(RobotsTxt Robots, DateTimeOffset Expires);
}
