using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Fetching;

/// <summary>robots.txt per origin, fetched once and trusted until it expires; concurrent callers share one fetch.</summary>
public interface IRobotsTxtCache
{
    /// <summary>
    /// The robots.txt of <paramref name="url"/>'s origin. Its redirects are followed only to <paramref name="allowedHosts"/>
    /// (empty: the origin's own host); a redirect elsewhere counts as no robots.txt (RFC 9309: unavailable).
    /// </summary>
    Task<RobotsTxt> GetAsync(Uri url, HostPoliteness politeness, IReadOnlyCollection<string> allowedHosts, CancellationToken cancellationToken);
}

internal sealed partial class RobotsTxtCache(
    HttpPageSender sender, IOptions<FetchingOptions> options, TimeProvider time, ILogger<RobotsTxtCache> logger) : IRobotsTxtCache
{
    private readonly FetchingOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Lazy<Task<Entry>>> _entries = new(StringComparer.OrdinalIgnoreCase);

    public async Task<RobotsTxt> GetAsync(Uri url, HostPoliteness politeness, IReadOnlyCollection<string> allowedHosts, CancellationToken cancellationToken)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        var hosts = new HashSet<string>(allowedHosts.Count > 0 ? allowedHosts : [url.Host], StringComparer.OrdinalIgnoreCase) { url.Host };
        while (true)
        {
            var lazy = _entries.GetOrAdd(origin, o => new Lazy<Task<Entry>>(() => LoadAsync(new Uri(o + "/robots.txt"), politeness, hosts)));
            var entry = await lazy.Value.WaitAsync(cancellationToken);
            if (entry.Expires > time.GetUtcNow()) return entry.Robots;
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<Entry>>>(origin, lazy));
        }
    }

    private async Task<Entry> LoadAsync(Uri robotsUrl, HostPoliteness politeness, HashSet<string> hosts)
    {
        // Not tied to one caller's token: the result is shared by every caller for this origin.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TotalTimeoutSeconds));
        var fresh = time.GetUtcNow() + TimeSpan.FromMinutes(_options.RobotsCacheMinutes);
        var retryable = time.GetUtcNow() + TimeSpan.FromMinutes(_options.RobotsErrorCacheMinutes);
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendFollowingRedirectsAsync(robotsUrl, AcceptedContent.Any, politeness, u => hosts.Contains(u.Host), cts.Token);
        }
        catch (OperationCanceledException)
        {
            return Unreachable(robotsUrl, FailureCause.Timeout, $"timeout after {_options.TotalTimeoutSeconds} s", retryable);
        }
        if (outcome.Failure is not null)
        {
            // A redirect off the source's hosts or past the bound: RFC 9309 lets us treat it as unavailable (no rules).
            if (outcome.Cause is FailureCause.OffSourceHost or FailureCause.Redirects)
            {
                LogRedirectIgnored(logger, robotsUrl, outcome.Failure);
                return new Entry(RobotsTxt.AllowAll, fresh);
            }
            // RFC 9309: 4xx = no rules; 5xx / unreachable = assume complete disallow, ask again soon. A host that
            // cannot be reached at all keeps its own cause (DNS, refused, TLS, timeout, blocked address).
            if (outcome.StatusCode is >= 400 and < 500) return new Entry(RobotsTxt.AllowAll, fresh);
            var cause = FailureCauses.IsUnreachable(outcome.Cause) ? outcome.Cause : FailureCause.RobotsUnreachable;
            return Unreachable(robotsUrl, cause, outcome.Failure, retryable);
        }
        var status = outcome.StatusCode;
        if (status is >= 400 and < 500) return new Entry(RobotsTxt.AllowAll, fresh);
        if (status is < 200 or >= 300)
            return Unreachable(robotsUrl, FailureCause.RobotsUnreachable, $"HTTP {status}{HttpPageSender.AttemptsSuffix(outcome.Attempts)}", retryable);
        var text = CharsetDecoder.Decode(outcome.Body, outcome.ContentType).Text;
        return new Entry(RobotsTxt.Parse(text, _options.UserAgentProduct), fresh);
    }

    private Entry Unreachable(Uri robotsUrl, FailureCause cause, string reason, DateTimeOffset retryable)
    {
        LogUnreachable(logger, robotsUrl, FailureCauses.Name(cause), reason, _options.RobotsErrorCacheMinutes);
        return new Entry(RobotsTxt.Unreachable(cause, $"robots.txt unreachable ({reason}); host not fetched until it answers, asked again after {_options.RobotsErrorCacheMinutes:0.##} min"), retryable);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "robots.txt {Url} unreachable [{Cause}] ({Reason}); the host is not fetched until it answers (asked again after {Minutes} min)")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string cause, string reason, double minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "robots.txt {Url}: {Reason}; treated as no robots.txt")]
    private static partial void LogRedirectIgnored(ILogger logger, Uri url, string reason);

    private sealed record Entry(RobotsTxt Robots, DateTimeOffset Expires);
}
