using System.Security.Cryptography;
using System.Text;

namespace FeedIngest.Core.Discovery;

/// <summary>Canonical article URLs and the article id derived from them (DESIGN.md "Article id").</summary>
public static class UrlCanonicalizer
{
    // Parameters that only track a click; they never select different content.
    private static readonly string[] TrackingPrefixes = ["utm_", "fbclid", "gclid", "mc_", "zarsrc", "_ga", "dclid", "msclkid", "igshid", "yclid"];

    /// <summary>
    /// Lower-cases scheme and host, drops default port, fragment and tracking parameters, and writes percent-encoding
    /// one way (unreserved characters unescaped, other escapes in upper-case hex). The path is otherwise kept as
    /// the site wrote it: a trailing slash is part of the site's URL and is neither added nor removed.
    /// </summary>
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
        builder.Query = NormalizeEscapes(FilterQuery(url.Query));
        var path = NormalizeEscapes(url.AbsolutePath);
        builder.Path = string.IsNullOrEmpty(path) ? "/" : path;
        return builder.Uri;
    }

    // RFC 3986 §6.2.2: %41 and A are the same URL; %c3%a0 and %C3%A0 too.
    private static string NormalizeEscapes(string text)
    {
        if (!text.Contains('%')) return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                var value = (char)Convert.ToInt32(text.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(value) || value is '-' or '.' or '_' or '~') result.Append(value);
                else result.Append('%').Append(char.ToUpperInvariant(text[i + 1])).Append(char.ToUpperInvariant(text[i + 2]));
                i += 2;
            }
            else result.Append(text[i]);
        }
        return result.ToString();
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
