using System.Net.Http.Headers;

namespace FeedIngest.Core.Fetching;

/// <summary>What a response may be; checked on the headers, before any body byte is read.</summary>
[Flags]
internal enum AcceptedContent
{
    Html = 1,
    Xml = 2,
    /// <summary>robots.txt.</summary>
    PlainText = 4,
    /// <summary>Anything (robots.txt is read whatever a server calls it).</summary>
    Any = 8,
    /// <summary>Attachments: PDF, Word, Excel, and the generic download types portals serve them as (never HTML).</summary>
    Documents = 16,
}

/// <summary>
/// Travels with one logical request through the resilience pipeline (request options are copied to every
/// attempt by reference), so the per-attempt handler knows the limits and the fetcher learns how many attempts ran.
/// </summary>
internal sealed class FetchAttemptContext
{
    public static readonly HttpRequestOptionsKey<FetchAttemptContext> Key = new("FeedIngest.FetchAttempt");

    public required AcceptedContent Accepted { get; init; }
    public required long MaxBytes { get; init; }
    /// <summary>The host's throttle key and politeness: a retry waits for the host's next turn like any other request.</summary>
    public string? HostKey { get; init; }
    public HostPoliteness? Politeness { get; init; }
    /// <summary>The host lease the request holds (set once granted): a retry takes its turn inside it.</summary>
    public IAsyncDisposable? Lease { get; set; }
    public int Attempts;

    public bool Accepts(MediaTypeHeaderValue? contentType)
    {
        // No Content-Type at all: many small portals omit it; let the decoder and parsers judge the bytes.
        if (Accepted.HasFlag(AcceptedContent.Any)) return true;
        var media = contentType?.MediaType?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(media)) return true;
        if (Accepted.HasFlag(AcceptedContent.Html) && media is "text/html" or "application/xhtml+xml") return true;
        if (Accepted.HasFlag(AcceptedContent.Xml) &&
            (media is "text/xml" or "application/xml" or "application/rss+xml" or "application/atom+xml" or "application/rdf+xml"
             || media.EndsWith("+xml", StringComparison.Ordinal)
             // Gzipped sitemaps (sitemap.xml.gz) are served like this; SitemapParser inflates them.
             || media is "application/x-gzip" or "application/gzip" or "application/octet-stream"
             // Small portals serve feeds as text/plain; the feed parser judges the bytes.
             || media == "text/plain"))
            return true;
        if (Accepted.HasFlag(AcceptedContent.PlainText) && media == "text/plain") return true;
        if (Accepted.HasFlag(AcceptedContent.Documents) &&
            (media is "application/pdf" or "application/x-pdf" or "application/msword" or "application/vnd.ms-excel"
                 or "application/octet-stream" or "binary/octet-stream" or "application/x-download" or "application/force-download"
                 or "application/download" or "application/zip" or "application/x-zip-compressed" or "application/x-msdownload"
             || media.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.Ordinal)))
            return true;
        return false;
    }
}

/// <summary>A response the fetcher refuses on purpose (size, content type); never retried.</summary>
internal sealed class FetchRejectedException(FailureCause cause, string reason) : Exception(reason)
{
    public FailureCause Cause { get; } = cause;
}
