namespace FeedIngest.Core.Health;

/// <summary>
/// The kebab-case cause names of the shared failure vocabulary (Fetching/FailureCause), as health, alerts
/// and the status page carry them. <see cref="FromReason"/> reads a cause from a failure line when the
/// outcome does not carry one (older rows, discovery errors).
/// </summary>
public static class FailureCauseNames
{
    public const string Dns = "dns";
    public const string ConnectionRefused = "connection-refused";
    public const string Tls = "tls";
    public const string Timeout = "timeout";
    public const string HttpStatus = "http-status";
    public const string RobotsDisallowed = "robots-disallowed";
    public const string RobotsUnreachable = "robots-unreachable";
    public const string TooLarge = "too-large";
    public const string ContentType = "content-type";
    public const string Redirects = "redirects";
    public const string OffSourceHost = "off-source-host";
    public const string EmptyContent = "empty-content";
    public const string Storage = "storage";
    public const string Cancelled = "cancelled";
    public const string Other = "other";

    /// <summary>The cause a failure reason names; <see cref="Other"/> when it names none we know.</summary>
    public static string FromReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return Other;
        var r = reason.ToLowerInvariant();
        if (r.Contains("robots") && (r.Contains("unreachable") || r.Contains("could not be read") || r.Contains("not reachable"))) return RobotsUnreachable;
        if (r.Contains("robots")) return RobotsDisallowed;
        if (r.Contains("name or service not known") || r.Contains("no such host") || r.Contains("dns") || r.Contains("name does not resolve")
            || r.Contains("nodename nor servname") || r.Contains("no address associated")) return Dns;
        // "connection failed" is how the fetcher words a refused connection when it names no cause of its own.
        if (r.Contains("connection refused") || r.Contains("actively refused") || r.Contains("connection failed")) return ConnectionRefused;
        if (r.Contains("ssl") || r.Contains("tls") || r.Contains("certificate")) return Tls;
        if (r.Contains("timed out") || r.Contains("timeout")) return Timeout;
        if (r.Contains("too large") || r.Contains("larger than") || r.Contains("size cap")) return TooLarge;
        if (r.Contains("content type") || r.Contains("content-type")) return ContentType;
        if (r.Contains("redirect")) return Redirects;
        if (r.Contains("not one of the source's hosts") || r.Contains("foreign host")) return OffSourceHost;
        if (r.Contains("no article text") || r.Contains("empty")) return EmptyContent;
        if (r.Contains("http ")) return HttpStatus;
        if (r.Contains("requestfailedexception") || r.Contains("storage") || r.Contains("azurite")) return Storage;
        if (r.Contains("canceled") || r.Contains("cancelled")) return Cancelled;
        return Other;
    }
}
