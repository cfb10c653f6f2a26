using System.Net;
using System.ServiceModel.Syndication;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace FeedIngest.Core.Discovery;

/// <summary>One item of a feed: its link and what the feed says of it.</summary>
public sealed record FeedItem(Uri Url, string? Title, DateTimeOffset? PublishedAt);

/// <summary>
/// RSS 2.0 and Atom 1.0 through System.ServiceModel.Syndication, made tolerant: dates the formatter cannot read go
/// through <see cref="TolerantDateParser"/> instead of failing the feed; titles lose CDATA markup and entities; and
/// when Syndication still refuses the document, a plain XML walk over item/entry elements is the fallback.
/// </summary>
public static partial class FeedParser
{
    // Marks "the feed had a date we could not read" inside Syndication, which demands some DateTimeOffset.
    private static readonly DateTimeOffset Unreadable = DateTimeOffset.MinValue;

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <exception cref="FormatException">Neither RSS nor Atom, or not XML at all.</exception>
    public static IReadOnlyList<FeedItem> Parse(string xml, Uri feedUrl)
    {
        xml = XmlText.Repair(xml);
        try
        {
            return ParseWithSyndication(xml, feedUrl);
        }
        catch (Exception ex) when (ex is XmlException or NotSupportedException or InvalidOperationException or FormatException)
        {
            // Syndication is strict (RSS versions, element order); the walk below reads what it rejects.
            return ParseWithXmlWalk(xml, feedUrl);
        }
    }

    private static List<FeedItem> ParseWithSyndication(string xml, Uri feedUrl)
    {
        using var reader = XmlReader.Create(new StringReader(xml), ReaderSettings);
        SyndicationFeedFormatter formatter = new Rss20FeedFormatter { DateTimeParser = ParseDate, UriParser = ParseUri };
        if (!formatter.CanRead(reader))
        {
            formatter = new Atom10FeedFormatter { DateTimeParser = ParseDate, UriParser = ParseUri };
            if (!formatter.CanRead(reader)) throw new XmlException("neither RSS 2.0 nor Atom 1.0");
        }
        formatter.ReadFrom(reader);
        var items = new List<FeedItem>();
        foreach (var item in formatter.Feed.Items)
        {
            var chosen = item.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate") ?? item.Links.FirstOrDefault();
            var link = chosen?.GetAbsoluteUri() ?? chosen?.Uri;
            if (link is null && Uri.TryCreate(item.Id, UriKind.Absolute, out var idUrl) && idUrl.Scheme.StartsWith("http", StringComparison.Ordinal))
                link = idUrl;
            if (link is null) continue;
            if (!link.IsAbsoluteUri) link = new Uri(feedUrl, link);
            var date = item.PublishDate != default && item.PublishDate != Unreadable ? item.PublishDate
                : item.LastUpdatedTime != default && item.LastUpdatedTime != Unreadable ? item.LastUpdatedTime
                : (DateTimeOffset?)null;
            items.Add(new FeedItem(link, CleanTitle(item.Title?.Text), date));
        }
        return items;
    }

    /// <summary>Fallback for documents Syndication rejects: any element named item or entry, read loosely.</summary>
    private static List<FeedItem> ParseWithXmlWalk(string xml, Uri feedUrl)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), ReaderSettings);
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new FormatException($"not a readable feed: {ex.Message}", ex);
        }
        var items = new List<FeedItem>();
        foreach (var element in document.Descendants().Where(e => e.Name.LocalName is "item" or "entry"))
        {
            string? Child(params string[] names) =>
                element.Elements().FirstOrDefault(e => names.Contains(e.Name.LocalName))?.Value;
            var linkElement = element.Elements().FirstOrDefault(e => e.Name.LocalName == "link");
            var href = linkElement?.Attribute("href")?.Value ?? linkElement?.Value ?? Child("guid", "id");
            if (string.IsNullOrWhiteSpace(href) || !Uri.TryCreate(feedUrl, href.Trim(), out var link)) continue;
            var date = TolerantDateParser.Parse(Child("pubDate", "published", "date", "updated"));
            items.Add(new FeedItem(link, CleanTitle(Child("title")), date));
        }
        if (items.Count == 0 && document.Root?.Name.LocalName is not ("rss" or "feed" or "RDF"))
            throw new FormatException($"not RSS or Atom (root element <{document.Root?.Name.LocalName}>)");
        return items;
    }

    /// <summary>Titles sometimes carry HTML (escaped or in CDATA) and double-encoded entities.</summary>
    public static string? CleanTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title)) return null;
        var text = title;
        for (var i = 0; i < 2 && text.Contains('&'); i++) text = WebUtility.HtmlDecode(text);
        text = Tags().Replace(text, " ");
        text = Spaces().Replace(text, " ").Trim();
        return text.Length == 0 ? null : text.Normalize(System.Text.NormalizationForm.FormC);
    }

    private static bool ParseDate(XmlDateTimeData data, out DateTimeOffset value)
    {
        value = TolerantDateParser.Parse(data.DateTimeString) ?? Unreadable;
        return true; // never let one bad date throw away the whole feed
    }

    private static bool ParseUri(XmlUriData data, out Uri? uri)
    {
        var text = data.UriString?.Trim() ?? "";
        // A broken link spoils one item (dropped later by the host filter), not the feed.
        if (!Uri.TryCreate(text, data.UriKind, out uri) && !Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out uri))
            uri = new Uri("about:blank");
        return true;
    }

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        CheckCharacters = false,
        IgnoreComments = true,
    };
}
