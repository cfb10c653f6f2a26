namespace FeedIngest.Core.Fetching;

public enum FetchOutcome
{
    /// <summary>200 with a body within limits.</summary>
    Ok,
    /// <summary>304: the conditional GET found nothing new.</summary>
    NotModified,
    /// <summary>Not fetched on purpose (robots.txt, foreign host); the reason says why.</summary>
    Skipped,
    /// <summary>Fetched and failed after retries; the reason says why.</summary>
    Failed,
}

public sealed record FetchRequest(Uri Url)
{
    /// <summary>Hosts a redirect may lead to; empty = the request URL's host only.</summary>
    public IReadOnlyCollection<string> AllowedHosts { get; init; } = [];
    public string? IfNoneMatch { get; init; }
    public DateTimeOffset? IfModifiedSince { get; init; }
    public Sources.PolitenessSettings? Politeness { get; init; }
    /// <summary>Accept XML (feeds, sitemaps) as well as HTML.</summary>
    public bool AcceptXml { get; init; }
    /// <summary>
    /// A document (attachment: PDF, Office, or an unlabelled download) instead of a page: document content types are
    /// accepted, HTML is refused, and the body is not decoded as text (the caller checks its magic bytes).
    /// </summary>
    public bool AcceptDocuments { get; init; }
    /// <summary>The body's size cap for this request; null = <c>FeedIngest:Fetching:MaxResponseBytes</c>.</summary>
    public long? MaxBytes { get; init; }
}

public sealed record FetchResult
{
    public required Uri RequestedUrl { get; init; }
    public Uri? FinalUrl { get; init; }
    public FetchOutcome Outcome { get; init; }
    public int StatusCode { get; init; }
    public string? FailureReason { get; init; }
    /// <summary>Why the page was not fetched (Failed or Skipped); <see cref="FailureCause.None"/> otherwise.</summary>
    public FailureCause Cause { get; init; }
    public byte[] Body { get; init; } = [];
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? ETag { get; init; }
    public DateTimeOffset? LastModified { get; init; }
    /// <summary>The body decoded once (header → BOM → meta → detection), NFC.</summary>
    public string? Text { get; init; }
    public string? Charset { get; init; }

    public static FetchResult Fail(Uri url, FailureCause cause, string reason, int status = 0) =>
        new() { RequestedUrl = url, Outcome = FetchOutcome.Failed, Cause = cause, FailureReason = reason, StatusCode = status };

    public static FetchResult Skip(Uri url, FailureCause cause, string reason) =>
        new() { RequestedUrl = url, Outcome = FetchOutcome.Skipped, Cause = cause, FailureReason = reason };
}

public interface IPageFetcher
{
    Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken);
}
