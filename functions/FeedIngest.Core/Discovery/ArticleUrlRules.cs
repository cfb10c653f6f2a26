using System.Text.RegularExpressions;
using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Discovery;

/// <summary>
/// Which discovered URLs are this source's articles: on one of its hosts, and with an article-like path (the
/// source's <see cref="SourceDefinition.ArticleUrlPattern"/> when given, else the heuristics below, which fit the
/// Vietnamese portals: long diacritic-free slugs, numeric ids, .html/.htm/.aspx pages).
/// </summary>
public sealed partial class ArticleUrlRules
{
    // Files that are never article pages.
    private static readonly string[] AssetExtensions =
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt",
        ".pptx", ".zip", ".rar", ".7z", ".mp3", ".mp4", ".avi", ".wmv", ".css", ".js", ".json", ".xml", ".rss", ".txt",
    ];

    private static readonly string[] PageExtensions = [".html", ".htm", ".shtml", ".aspx", ".asp", ".php", ".jsp", ".chn", ".vgp"];

    // Path segments that mark navigation, not articles (Vietnamese and English).
    private static readonly string[] NonArticleSegments =
    [
        "tag", "tags", "search", "tim-kiem", "timkiem", "login", "dang-nhap", "dang-ky", "lien-he", "contact", "rss", "feed",
        "feeds", "sitemap", "so-do-site", "so-do-cong", "author", "tac-gia", "print", "in-bai", "share", "video-clip", "hoi-dap",
    ];

    // Query parameters that carry an article id on older ASP.NET/PHP portals.
    private static readonly string[] IdParameters = ["id", "newsid", "itemid", "articleid", "nid", "postid", "p", "cid_news"];

    [GeneratedRegex(@"\d{4,}")]
    private static partial Regex LongNumber();

    private readonly HashSet<string> _hosts;
    private readonly Regex? _pattern;

    public ArticleUrlRules(SourceDefinition source)
    {
        _hosts = new HashSet<string>(source.AllHosts(), StringComparer.OrdinalIgnoreCase);
        _pattern = string.IsNullOrWhiteSpace(source.ArticleUrlPattern)
            ? null
            : new Regex(source.ArticleUrlPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public bool IsOwnHost(Uri url) => url.IsAbsoluteUri && _hosts.Contains(url.Host);

    public bool IsArticle(Uri url) =>
        url.IsAbsoluteUri && url.Scheme is "http" or "https" && IsOwnHost(url) && (_pattern?.IsMatch(url.PathAndQuery) ?? LooksLikeArticle(url));

    /// <summary>
    /// Feed items are articles by the feed's word; only the source's pattern (when given) or the obvious
    /// non-articles (home page, files, tag/search pages) are refused.
    /// </summary>
    public bool IsFeedArticle(Uri url)
    {
        if (_pattern is not null) return _pattern.IsMatch(url.PathAndQuery);
        var path = Uri.UnescapeDataString(url.AbsolutePath).TrimEnd('/');
        if (path.Length == 0) return false;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return !segments.Any(s => NonArticleSegments.Contains(s.ToLowerInvariant()))
               && !AssetExtensions.Contains(Path.GetExtension(segments[^1]).ToLowerInvariant());
    }

    /// <summary>The built-in heuristics; public so tests and `feedingest sources` can explain a decision.</summary>
    public static bool LooksLikeArticle(Uri url)
    {
        var path = Uri.UnescapeDataString(url.AbsolutePath).TrimEnd('/');
        if (path.Length == 0) return false;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) return false;
        if (segments.Any(s => NonArticleSegments.Contains(s.ToLowerInvariant()))) return false;

        var last = segments[^1].ToLowerInvariant();
        var extension = Path.GetExtension(last);
        if (AssetExtensions.Contains(extension)) return false;

        if (HasIdParameter(url.Query)) return true;
        var slug = PageExtensions.Contains(extension) ? last[..^extension.Length] : last;
        if (LongNumber().IsMatch(slug)) return true;
        var words = slug.Split(['-', '_'], StringSplitOptions.RemoveEmptyEntries).Length;
        if (PageExtensions.Contains(extension) && words >= 3) return true;
        // Category slugs are short ("tin-tuc-su-kien", "chi-dao-dieu-hanh"); headlines run to six words and more.
        return words >= 6;
    }

    private static bool HasIdParameter(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && IdParameters.Contains(kv[0].ToLowerInvariant()) && kv[1].Length > 0 && kv[1].All(char.IsAsciiDigit))
                return true;
        }
        return false;
    }
}
