using System.Xml;
using System.Xml.Linq;

namespace FeedIngest.Core.Discovery;

/// <summary>A sitemap is either an index of further sitemaps or a set of URLs (with news titles/dates when given).</summary>
public sealed record Sitemap(IReadOnlyList<SitemapChild> Children, IReadOnlyList<FeedItem> Urls);

public sealed record SitemapChild(Uri Url, DateTimeOffset? LastModified);

/// <summary>sitemaps.org urlset / sitemapindex, plus Google News' news:publication_date and news:title.</summary>
public static class SitemapParser
{
    /// <exception cref="FormatException">Not XML, or neither urlset nor sitemapindex.</exception>
    public static Sitemap Parse(string xml, Uri sitemapUrl)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(XmlText.Repair(xml)),
                new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, CheckCharacters = false });
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new FormatException($"not a readable sitemap: {ex.Message}", ex);
        }
        var root = document.Root ?? throw new FormatException("empty sitemap");
        static string? Child(XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name)?.Value.Trim();

        switch (root.Name.LocalName)
        {
            case "sitemapindex":
                var children = root.Elements().Where(e => e.Name.LocalName == "sitemap")
                    .Select(e => (Loc: Child(e, "loc"), LastMod: TolerantDateParser.Parse(Child(e, "lastmod"))))
                    .Where(c => c.Loc is not null && Uri.TryCreate(sitemapUrl, c.Loc, out _))
                    .Select(c => new SitemapChild(new Uri(sitemapUrl, c.Loc!), c.LastMod))
                    .ToList();
                return new Sitemap(children, []);
            case "urlset":
                var urls = new List<FeedItem>();
                foreach (var entry in root.Elements().Where(e => e.Name.LocalName == "url"))
                {
                    var loc = Child(entry, "loc");
                    if (loc is null || !Uri.TryCreate(sitemapUrl, loc, out var url)) continue;
                    var news = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "news");
                    var title = news is null ? null : FeedParser.CleanTitle(Child(news, "title"));
                    // Only a news publication date is a publish date; <lastmod> is when the page last changed.
                    var published = news is null ? null : TolerantDateParser.Parse(Child(news, "publication_date"));
                    urls.Add(new FeedItem(url, title, published));
                }
                return new Sitemap([], urls);
            default:
                throw new FormatException($"not a sitemap (root element <{root.Name.LocalName}>)");
        }
    }
}
