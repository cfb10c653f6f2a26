using System.Globalization;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Fetching;

/// <summary>
/// Fetches one page politely and defensively. In order, per redirect hop:
/// 1. the hop's host must be one of the allowed hosts (else Skipped);
/// 2. robots.txt must allow the URL (else Skipped; an unreachable robots.txt is Failed with its cause); its
///    Crawl-delay raises the host's minimum delay;
/// 3. a politeness lease for the host is taken (delay + concurrency, across instances);
/// 4. the GET runs through the resilience pipeline (retries, timeouts, circuit breaker, size cap, content type);
/// 5. a 3xx is followed (bounded, loops detected); 304 is NotModified; other non-2xx is Failed;
/// 6. a 2xx body is decoded once (CharsetDecoder) and returned.
/// Network and HTTP problems never throw; only the caller's cancellation does.
/// </summary>
public sealed partial class PageFetcher : IPageFetcher
{
    private readonly HttpPageSender _sender;
    private readonly IRobotsTxtCache _robots;
    private readonly FetchingOptions _options;
    private readonly ILogger<PageFetcher> _logger;

    internal PageFetcher(HttpPageSender sender, IRobotsTxtCache robots, IOptions<FetchingOptions> options, ILogger<PageFetcher> logger)
    {
        _sender = sender;
        _robots = robots;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        var result = await FetchCoreAsync(request, cancellationToken);
        if (result.Outcome is FetchOutcome.Failed or FetchOutcome.Skipped)
            LogNotFetched(_logger, request.Url, result.Outcome, FailureCauses.Name(result.Cause), result.FailureReason);
        return result;
    }

    private async Task<FetchResult> FetchCoreAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        var requested = request.Url;
        if (!requested.IsAbsoluteUri || requested.Scheme is not ("http" or "https"))
            return FetchResult.Skip(requested, FailureCause.Other, $"not an http(s) URL: {requested}");

        var allowedHosts = new HashSet<string>(
            request.AllowedHosts.Count > 0 ? request.AllowedHosts : [requested.Host], StringComparer.OrdinalIgnoreCase);
        var settings = request.Politeness ?? new PolitenessSettings();
        var accepted = request.AcceptDocuments ? AcceptedContent.Documents : request.AcceptXml ? AcceptedContent.Html | AcceptedContent.Xml : AcceptedContent.Html;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var current = requested;

        for (var hop = 0; ; hop++)
        {
            if (!allowedHosts.Contains(current.Host))
                return hop == 0
                    ? FetchResult.Skip(requested, FailureCause.OffSourceHost, $"host {current.Host} is not one of the source's hosts")
                    : FetchResult.Skip(requested, FailureCause.OffSourceHost, $"redirect to foreign host {current.Host}") with { FinalUrl = current };
            visited.Add(current.AbsoluteUri);

            var politeness = new HostPoliteness(TimeSpan.FromMilliseconds(Math.Max(0, settings.MinDelayMs)), Math.Max(1, settings.MaxConcurrency));
            if (settings.ObeyRobotsTxt)
            {
                var robots = await _robots.GetAsync(current, politeness, allowedHosts, cancellationToken);
                // Unreachable is not "disallowed": it fails (so the next run retries it) with what really happened.
                if (robots.UnreachableCause is { } unreachable)
                    return FetchResult.Fail(requested, unreachable, robots.UnreachableReason ?? "robots.txt unreachable") with { FinalUrl = current };
                if (!robots.IsAllowed(current))
                    return FetchResult.Skip(requested, FailureCause.RobotsDisallowed, $"disallowed by robots.txt ({current.AbsoluteUri})") with { FinalUrl = current };
                if (robots.CrawlDelay is { } crawlDelay)
                {
                    var capped = TimeSpan.FromSeconds(Math.Min(crawlDelay.TotalSeconds, _options.MaxCrawlDelaySeconds));
                    if (capped > politeness.MinDelay) politeness = politeness with { MinDelay = capped };
                }
            }

            // Validators describe the requested URL's representation; they are only sent on the first hop.
            var outcome = await _sender.SendAsync(
                current, accepted, politeness,
                hop == 0 ? request.IfNoneMatch : null, hop == 0 ? request.IfModifiedSince : null, cancellationToken, request.MaxBytes);

            if (outcome.Failure is not null)
                return FetchResult.Fail(requested, outcome.Cause, outcome.Failure, outcome.StatusCode) with { FinalUrl = current };

            if (outcome.IsRedirect)
            {
                if (outcome.Location is null)
                    return FetchResult.Fail(requested, FailureCause.Redirects, $"HTTP {outcome.StatusCode} without a Location header", outcome.StatusCode);
                var next = new Uri(current, outcome.Location);
                if (visited.Contains(next.AbsoluteUri))
                    return FetchResult.Fail(requested, FailureCause.Redirects, $"redirect loop at {next.AbsoluteUri}", outcome.StatusCode) with { FinalUrl = current };
                if (hop >= _options.MaxRedirects)
                    return FetchResult.Fail(requested, FailureCause.Redirects, $"more than {_options.MaxRedirects} redirects", outcome.StatusCode) with { FinalUrl = current };
                current = next;
                continue;
            }

            if (outcome.StatusCode == 304)
                return Complete(requested, current, outcome, FetchOutcome.NotModified) with { ETag = outcome.Headers.GetValueOrDefault("ETag") ?? request.IfNoneMatch };

            if (outcome.StatusCode is < 200 or >= 300)
            {
                var retryAfter = outcome.Headers.TryGetValue("Retry-After", out var ra) ? $" (Retry-After {ra})" : "";
                return FetchResult.Fail(requested, FailureCause.HttpStatus, $"HTTP {outcome.StatusCode}{HttpPageSender.AttemptsSuffix(outcome.Attempts)}{retryAfter}", outcome.StatusCode)
                    with { FinalUrl = current, Headers = outcome.Headers };
            }

            // A document's bytes are not text: its reader judges them.
            if (request.AcceptDocuments) return Complete(requested, current, outcome, FetchOutcome.Ok) with { Body = outcome.Body };
            var decoded = CharsetDecoder.Decode(outcome.Body, outcome.ContentType);
            return Complete(requested, current, outcome, FetchOutcome.Ok) with
            {
                Body = outcome.Body,
                Text = decoded.Text,
                Charset = decoded.Charset,
            };
        }
    }

    private static FetchResult Complete(Uri requested, Uri final, SendOutcome outcome, FetchOutcome kind) => new()
    {
        RequestedUrl = requested,
        FinalUrl = final,
        Outcome = kind,
        StatusCode = outcome.StatusCode,
        ContentType = outcome.ContentType,
        Headers = outcome.Headers,
        ETag = outcome.Headers.GetValueOrDefault("ETag"),
        LastModified = outcome.Headers.TryGetValue("Last-Modified", out var lm)
            && DateTimeOffset.TryParse(lm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Url} {Outcome} [{Cause}]: {Reason}")]
    private static partial void LogNotFetched(ILogger logger, Uri url, FetchOutcome outcome, string cause, string? reason);
}
