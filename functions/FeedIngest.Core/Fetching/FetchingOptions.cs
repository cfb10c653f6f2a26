namespace FeedIngest.Core.Fetching;

/// <summary>Limits and retry settings for every page FeedIngest fetches (configuration section "FeedIngest:Fetching").</summary>
public sealed class FetchingOptions
{
    public const string SectionName = "FeedIngest:Fetching";

    /// <summary>Bodies larger than this are cut off while streaming and the fetch fails (10 MB: an article page is rarely above 1 MB).</summary>
    public long MaxResponseBytes { get; set; } = 10 * 1024 * 1024;
    /// <summary>One attempt (headers and body) may take this long before it is abandoned and retried.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 20;
    /// <summary>All attempts of one request together, back-off delays included.</summary>
    public double TotalTimeoutSeconds { get; set; } = 90;
    /// <summary>Redirect hops followed per fetch; each hop is re-checked against the source's hosts.</summary>
    public int MaxRedirects { get; set; } = 5;
    /// <summary>Retries after the first attempt on transient failures (5xx, 408, 429, timeouts, connection resets).</summary>
    public int MaxRetries { get; set; } = 3;
    /// <summary>First back-off delay; doubles per retry, with jitter. A Retry-After header wins when present.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 2;
    /// <summary>A Retry-After longer than this is capped (the total timeout still bounds the whole request).</summary>
    public double MaxRetryDelaySeconds { get; set; } = 30;
    /// <summary>Product token and version; the User-Agent becomes "FeedIngest/1.0 (+ContactUrl)".</summary>
    public string UserAgentProduct { get; set; } = "FeedIngest/1.0";
    /// <summary>Full User-Agent override; null = built from <see cref="UserAgentProduct"/> and FeedIngest:ContactUrl.</summary>
    public string? UserAgent { get; set; }
    /// <summary>How long a fetched robots.txt is trusted before it is fetched again.</summary>
    public double RobotsCacheMinutes { get; set; } = 24 * 60;
    /// <summary>How long an unreachable (5xx / network error) robots.txt blocks its host before we ask again (RFC 9309 §2.3.1.4).</summary>
    public double RobotsErrorCacheMinutes { get; set; } = 10;
    /// <summary>Crawl-delay values above this are capped so one robots.txt cannot stall a harvest for hours.</summary>
    public double MaxCrawlDelaySeconds { get; set; } = 60;
    /// <summary>
    /// Coordinate per-host delay and concurrency across instances (slot tokens in a queue per host, their registry in
    /// table <see cref="ThrottleTableName"/>) when a TableServiceClient and a QueueServiceClient are registered.
    /// </summary>
    public bool DistributedPoliteness { get; set; } = true;
    public string ThrottleTableName { get; set; } = "HostThrottle";
    /// <summary>Conditional-GET state (ETag / Last-Modified) of feeds, listing pages and sitemaps.</summary>
    public string FetchStateTableName { get; set; } = "FetchState";
    /// <summary>A slot held by a crashed instance comes back after this long; longer than any fetch can take.</summary>
    public double SlotLeaseSeconds { get; set; } = 180;
    /// <summary>Circuit breaker per host: failure ratio over the sampling window that opens the circuit.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;
    public double CircuitBreakerSamplingSeconds { get; set; } = 60;
    public double CircuitBreakerBreakSeconds { get; set; } = 60;
    /// <summary>
    /// Networks (CIDRs or single addresses, separated by commas) that fetches may connect to although they are
    /// private, loopback or link-local. Empty (the default): only public addresses. The bundled sample portal and
    /// the tests set "127.0.0.1/32".
    /// </summary>
    public string? AllowedPrivateNetworks { get; set; }

    internal string EffectiveUserAgent(string contactUrl) =>
        string.IsNullOrWhiteSpace(UserAgent) ? $"{UserAgentProduct} (+{contactUrl})" : UserAgent!;
}
