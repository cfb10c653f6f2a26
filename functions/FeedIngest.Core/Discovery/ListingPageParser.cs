using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace FeedIngest.Core.Discovery;

/// <summary>What one listing page offers: article links (with their anchor text) and the next page, if any.</summary>
public sealed record ListingPage(IReadOnlyList<FeedItem> Articles, Uri? NextPage);

/// <summary>
/// Reads a listing (category) page: article links from the source's selector or, without one, every anchor that
/// passes <see cref="ArticleUrlRules"/>; the next page from the selector, rel="next", or the usual pager labels.
/// </summary>
public static class ListingPageParser
{
    // Pager labels on Vietnamese portals, compared after trimming and lower-casing.
    private static readonly string[] NextLabels = ["trang sau", "trang tiếp", "tiếp", "tiếp theo", "sau", "next", "›", "»", ">", ">>", "xem tiếp"];

    public static ListingPage Parse(string html, Uri pageUrl, ArticleUrlRules rules, string? articleLinkSelector, string? nextPageSelector)
    {
        // A parser per call: AngleSharp parsers are not thread-safe and discovery runs concurrently.
        var document = new HtmlParser().ParseDocument(html);
        var baseUrl = BaseUrl(document, pageUrl);

        IEnumerable<IElement> anchors = articleLinkSelector is null
            ? document.QuerySelectorAll("a[href]")
            : document.QuerySelectorAll(articleLinkSelector)
                .SelectMany<IElement, IElement>(e => e is IHtmlAnchorElement ? [e] : e.QuerySelectorAll("a[href]"));

        var byUrl = new Dictionary<string, FeedItem>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var anchor in anchors)
        {
            var href = anchor.GetAttribute("href");
            if (!TryResolve(baseUrl, href, out var url)) continue;
            var canonical = UrlCanonicalizer.Canonicalize(url);
            if (!rules.IsArticle(canonical)) continue;
            var title = FeedParser.CleanTitle(anchor.GetAttribute("title")) ?? FeedParser.CleanTitle(anchor.TextContent);
            var key = canonical.AbsoluteUri;
            // Image link and headline link often point to the same article: keep the longer text.
            if (byUrl.TryGetValue(key, out var seen))
            {
                if ((title?.Length ?? 0) > (seen.Title?.Length ?? 0)) byUrl[key] = seen with { Title = title };
                continue;
            }
            byUrl[key] = new FeedItem(canonical, title, null);
            order.Add(key);
        }

        return new ListingPage(order.Select(k => byUrl[k]).ToList(), FindNext(document, baseUrl, pageUrl, nextPageSelector));
    }

    private static Uri? FindNext(IDocument document, Uri baseUrl, Uri pageUrl, string? selector)
    {
        IEnumerable<IElement> candidates = selector is not null
            ? document.QuerySelectorAll(selector)
            : document.QuerySelectorAll("link[rel~=next][href], a[rel~=next][href]")
                .Concat(document.QuerySelectorAll("a[href]").Where(IsNextAnchor));
        foreach (var element in candidates)
        {
            var href = element.GetAttribute("href") ?? element.QuerySelector("a[href]")?.GetAttribute("href");
            if (TryResolve(baseUrl, href, out var next) && next.Host.Equals(pageUrl.Host, StringComparison.OrdinalIgnoreCase)
                && UrlCanonicalizer.Canonicalize(next) != UrlCanonicalizer.Canonicalize(pageUrl))
                return next;
        }
        return null;
    }

    private static bool IsNextAnchor(IElement anchor)
    {
        var label = (anchor.TextContent ?? "").Trim().ToLowerInvariant();
        if (NextLabels.Contains(label)) return true;
        var aria = anchor.GetAttribute("aria-label")?.Trim().ToLowerInvariant();
        if (aria is not null && (aria.Contains("next") || aria.Contains("trang sau") || aria.Contains("tiếp"))) return true;
        var classes = anchor.ClassList;
        return classes.Any(c => c.Equals("next", StringComparison.OrdinalIgnoreCase) || c.EndsWith("-next", StringComparison.OrdinalIgnoreCase))
               || anchor.ParentElement?.ClassList.Any(c => c.Equals("next", StringComparison.OrdinalIgnoreCase)) == true;
    }

    private static Uri BaseUrl(IDocument document, Uri pageUrl)
    {
        var href = document.QuerySelector("base[href]")?.GetAttribute("href");
        return TryResolve(pageUrl, href, out var b) ? b : pageUrl;
    }

    internal static bool TryResolve(Uri baseUrl, string? href, out Uri url)
    {
        url = null!;
        if (string.IsNullOrWhiteSpace(href)) return false;
        href = href.Trim();
        if (href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase)
            || href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) || href.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
            return false;
        if (!Uri.TryCreate(baseUrl, href, out var resolved) || resolved.Scheme is not ("http" or "https")) return false;
        url = resolved;
        return true;
    }

    /// <summary>Feed URLs a home page announces with &lt;link rel="alternate" type="application/rss+xml|atom+xml"&gt;.</summary>
    public static IReadOnlyList<Uri> FeedLinks(string html, Uri pageUrl)
    {
        var document = new HtmlParser().ParseDocument(html);
        var baseUrl = BaseUrl(document, pageUrl);
        return document.QuerySelectorAll("link[rel~=alternate][href]")
            .Where(l => (l.GetAttribute("type") ?? "").Trim().ToLowerInvariant() is "application/rss+xml" or "application/atom+xml" or "application/rdf+xml")
            .Select(l => TryResolve(baseUrl, l.GetAttribute("href"), out var u) ? u : null)
            .OfType<Uri>()
            .DistinctBy(u => u.AbsoluteUri)
            .ToList();
    }
}
