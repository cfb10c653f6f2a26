using System.Security.Cryptography;
using System.Text;

namespace FeedIngest.Core.Discovery;

/// <summary>Canonical article URLs and the article id derived from them (DESIGN.md "Article id").</summary>
public static class UrlCanonicalizer
{
    // Parameters that only track a click; they never select different content.
    private static readonly string[] TrackingPrefixes = ["utm_", "fbclid", "gclid", "mc_", "zarsrc", "_ga", "dclid", "msclkid", "igshid", "yclid"];

    /// <summary>Lower-cases scheme and host, drops default port, fragment and tracking parameters.</summary>
    public static Uri Canonicalize(Uri url)
    {
        if (!url.IsAbsoluteUri) throw new ArgumentException($"Not an absolute URL: {url}", nameof(url));
        var builder = new UriBuilder(url)
        {
            Scheme = url.Scheme.ToLowerInvariant(),
            Host = url.IdnHost.ToLowerInvariant(),
            Fragment = "",
        };
        if (url.IsDefaultPort) builder.Port = -1;
        builder.Query = FilterQuery(url.Query);
        var path = builder.Path;
        if (string.IsNullOrEmpty(path)) builder.Path = "/";
        return builder.Uri;
    }

    public static string Canonicalize(string url) => Canonicalize(new Uri(url, UriKind.Absolute)).AbsoluteUri;

    private static string FilterQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?") return "";
        var kept = query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !IsTracking(p.Split('=', 2)[0]))
            .ToArray();
        return kept.Length == 0 ? "" : string.Join('&', kept);
    }

    private static bool IsTracking(string name)
    {
        var n = Uri.UnescapeDataString(name).ToLowerInvariant();
        return TrackingPrefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>First 16 lower-case hex chars of SHA-256 of the canonical URL's UTF-8 bytes.</summary>
    public static string ArticleId(Uri canonicalUrl) => ArticleId(canonicalUrl.AbsoluteUri);

    public static string ArticleId(string canonicalUrl)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonicalUrl), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
