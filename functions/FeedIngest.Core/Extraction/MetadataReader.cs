using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace FeedIngest.Core.Extraction;

/// <summary>What the page says about itself before any cleanup: JSON-LD, meta tags, title, date, breadcrumb.</summary>
internal sealed class PageMetadata
{
    public string? Title;
    public string? Headline;
    public DateTimeOffset? PublishedAt;
    public string? Author;
    public string? Category;
    public string? CanonicalUrl;
    public string? Language;
    public string? Description;
    /// <summary>The element holding the title (h1), so the date search can start beside it.</summary>
    public IElement? TitleElement;
}

internal static partial class MetadataReader
{
    private static readonly string[] DateMetaKeys =
    [
        "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate", "publish-date",
        "published_time", "article.published", "dc.date.issued", "dcterms.created", "dc.date", "sailthru.date",
        "parsely-pub-date", "date", "created", "og:published_time",
    ];

    private static readonly string[] AuthorMetaKeys = ["author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author"];

    /// <param name="all">Every element of the untouched document in document order (<see cref="NodeRules.ElementsInOrder(IElement)"/>
    /// of its root): one walk serves every lookup below (each QuerySelector would be a walk of its own).</param>
    public static PageMetadata Read(IHtmlDocument document, List<IElement> all, Uri? pageUrl, Sources.ExtractionOverrides? overrides)
    {
        var attrs = ReadAttributes(all);
        var meta = Read(document, all, attrs, pageUrl, overrides);
        // The table is the thread's own: drop its strings until the next page.
        Array.Clear(attrs, 0, all.Count);
        return meta;
    }

    private static PageMetadata Read(IHtmlDocument document, List<IElement> all, ElementAttributes[] attrs, Uri? pageUrl, Sources.ExtractionOverrides? overrides)
    {
        var meta = new PageMetadata();
        var metas = ReadMetaTags(all);
        var ld = ReadJsonLd(all);

        // Title: h1 that agrees with og:title / headline / <title>; else those, minus the site suffix.
        var reference = Get(metas, "og:title") ?? ld.Headline ?? Get(metas, "twitter:title");
        // Document.Title goes through AngleSharp's locked builder pool; the first <title> element's collapsed text is the same.
        var docTitle = all.FirstOrDefault(e => e is IHtmlTitleElement) is { } titleTag ? NodeRules.CollapsedText(titleTag) : "";
        IElement? titleElement = null;
        if (overrides?.TitleSelector is { Length: > 0 } ts && TryQuery(document, ts) is { } te)
        {
            titleElement = te;
            meta.Title = NodeRules.CollapsedText(te);
        }
        else
        {
            var h1s = all.Where(e => e.LocalName == "h1").ToList();
            // Compare without the site suffix, and demand most of the length: a logo <h1> holding the site name is
            // contained in "<title> - <site name>" but is not the title.
            var compare = StripSiteSuffix(NodeRules.Collapse(reference ?? docTitle));
            foreach (var h in h1s)
            {
                var t = NodeRules.CollapsedText(h);
                if (t.Length < 4 || compare.Length == 0) continue;
                var agrees = string.Equals(t, compare, StringComparison.OrdinalIgnoreCase)
                             || (compare.Contains(t, StringComparison.OrdinalIgnoreCase) && t.Length >= compare.Length * 0.6)
                             || (t.Contains(compare, StringComparison.OrdinalIgnoreCase) && compare.Length >= t.Length * 0.6);
                if (agrees)
                {
                    titleElement = h; meta.Title = t; break;
                }
            }
            if (meta.Title is null)
            {
                if (reference is not null) meta.Title = NodeRules.Collapse(reference);
                else if (compare.Length > 0 && docTitle.Length > 0) meta.Title = compare;
                else if (h1s.Count == 1 && NodeRules.CollapsedText(h1s[0]) is { Length: >= 4 } only) { titleElement = h1s[0]; meta.Title = only; }
                else if (docTitle.Length > 0) meta.Title = StripSiteSuffix(docTitle);
            }
            if (titleElement is null && meta.Title is not null)
                titleElement = FindTitleElement(all, attrs, meta.Title);
        }
        meta.TitleElement = titleElement;
        meta.Headline = ld.Headline;

        // Published date: override → JSON-LD → meta → <time datetime> → visible text near the title → anywhere.
        if (overrides?.DateSelector is { Length: > 0 } ds && TryQuery(document, ds) is { } de)
            meta.PublishedAt = DateParsing.ParseMachine(de.GetAttribute("datetime") ?? de.GetAttribute("content")) ?? DateParsing.ParseVisible(NodeRules.TextOf(de));
        meta.PublishedAt ??= DateParsing.ParseMachine(ld.DatePublished);
        if (meta.PublishedAt is null)
            foreach (var key in DateMetaKeys)
                if (Get(metas, key) is { } v && DateParsing.ParseMachine(v) is { } d) { meta.PublishedAt = d; break; }
        meta.PublishedAt ??= ItempropDate(all, attrs);
        meta.PublishedAt ??= TimeElementDate(all);
        meta.PublishedAt ??= VisibleDate(all, titleElement);

        // Author: JSON-LD → meta → a byline element → (later, by the extractor) the body signature. A name that is the
        // site's own (og:site_name, the <title> suffix, "Cổng thông tin …", "UBND …") is no author: the next source wins.
        var siteNames = SiteNames(metas, docTitle);
        if (ld.Author is { } ldAuthor && !IsSiteName(ldAuthor, siteNames)) meta.Author = ldAuthor;
        if (meta.Author is null)
            foreach (var key in AuthorMetaKeys)
                if (Get(metas, key) is { } a && !a.StartsWith("http", StringComparison.OrdinalIgnoreCase) && a.Length <= 80)
                {
                    var name = NodeRules.Collapse(a.StartsWith("By ", StringComparison.OrdinalIgnoreCase) ? a[3..] : a);
                    if (IsSiteName(name, siteNames)) continue;
                    meta.Author = name;
                    break;
                }

        meta.Author ??= BylineElement(all, attrs, siteNames);

        meta.Category = Get(metas, "article:section") ?? ld.Section ?? BreadcrumbCategory(all, attrs, meta.Title);
        meta.CanonicalUrl = Resolve(pageUrl, all.FirstOrDefault(e => e.LocalName == "link" && string.Equals(e.GetAttribute("rel"), "canonical", StringComparison.OrdinalIgnoreCase))?.GetAttribute("href") ?? Get(metas, "og:url"));
        meta.Language = document.DocumentElement.GetAttribute("lang") ?? Get(metas, "content-language") ?? ld.Language ?? Get(metas, "og:locale");
        if (meta.Language is { } lang) meta.Language = lang.Trim().Replace('_', '-');
        meta.Description = Get(metas, "description") ?? Get(metas, "og:description");
        return meta;
    }

    /// <summary>Where the title is printed when it is not an h1: an h2/h3, or an element classed as a title.</summary>
    private static IElement? FindTitleElement(List<IElement> all, ElementAttributes[] attrs, string title)
    {
        foreach (var tag in new[] { "h2", "h3" })
            if (all.FirstOrDefault(h => h.LocalName == tag && NodeRules.CollapsedText(h) == title) is { } h) return h;
        for (var i = 0; i < all.Count; i++)
        {
            var e = all[i];
            var hints = attrs[i].ClassAndId;
            if (hints.Length == 0 || !TitleHint.IsMatch(hints)) continue;
            if (NodeRules.TextLengthOf(e) < title.Length * 2 && NodeRules.CollapsedText(e) == title) return e;
        }
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("title|tieu-de|tieude|tieu_de|headline|heading", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TitleHint { get; }

    // Page chrome that prints today's date ("Thứ Tư, 25/11/2026") above every article.
    [System.Text.RegularExpressions.GeneratedRegex(@"header|top-?bar|topbar|banner|menu|nav|footer|sidebar|widget|weather|thoi-tiet|today|clock", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ChromeHint { get; }

    private static bool InPageChrome(IElement e)
    {
        var depth = 0;
        for (var x = e; x is not null && depth < 16; x = x.ParentElement, depth++)
        {
            if (x.LocalName is "header" or "nav" or "footer" or "aside") return true;
            var hints = NodeRules.ClassAndId(x);
            if (hints.Length > 0 && ChromeHint.IsMatch(hints)) return true;
        }
        return false;
    }

    internal static string? Resolve(Uri? baseUrl, string? href)
    {
        if (string.IsNullOrWhiteSpace(href)) return null;
        href = href.Trim();
        if (Uri.TryCreate(href, UriKind.Absolute, out var abs) && (abs.Scheme == Uri.UriSchemeHttp || abs.Scheme == Uri.UriSchemeHttps)) return abs.ToString();
        if (baseUrl is not null && Uri.TryCreate(baseUrl, href, out var rel)) return rel.ToString();
        return href;
    }

    private static IElement? TryQuery(IDocument document, string selector)
    {
        try { return document.QuerySelector(selector); }
        catch (Exception) { return null; } // a bad selector in sources.json must not fail the page
    }

    private static readonly string[] SiteSeparators = [" | ", " - ", " – ", " — ", " :: ", " » "];

    internal static string StripSiteSuffix(string title)
    {
        foreach (var sep in SiteSeparators)
        {
            var i = title.LastIndexOf(sep, StringComparison.Ordinal);
            if (i <= 0) continue;
            var head = title.AsSpan(0, i).Trim();
            if (WordsBetweenSpaces(head) >= 3) return head.ToString();
        }
        return title;
    }

    /// <summary>The number of non-empty pieces between ' ' characters (Split(' ', RemoveEmptyEntries).Length, without the split).</summary>
    private static int WordsBetweenSpaces(ReadOnlySpan<char> text)
    {
        var words = 0;
        var inWord = false;
        foreach (var ch in text)
        {
            if (ch == ' ') inWord = false;
            else if (!inWord) { inWord = true; words++; }
        }
        return words;
    }

    /// <summary>The attributes the rules below read, from one scan of each element's attribute list (GetAttribute
    /// lower-cases its argument and searches the list on every call; the byline, date and breadcrumb rules each read
    /// several attributes of every element).</summary>
    private readonly record struct ElementAttributes(string ClassAndId, string? ItemProp, string? Rel, string? ItemType, string? AriaLabel);

    [ThreadStatic] private static ElementAttributes[]? t_attributes;

    /// <returns>The thread's own table, reused by the next page: entries past <c>all.Count</c> are stale.</returns>
    private static ElementAttributes[] ReadAttributes(List<IElement> all)
    {
        var result = t_attributes is { } table && table.Length >= all.Count ? table
            : all.Count > 4096 ? new ElementAttributes[all.Count] // not kept: a huge page's table
            : t_attributes = new ElementAttributes[Math.Max(all.Count, 256)];
        for (var i = 0; i < all.Count; i++)
        {
            var list = all[i].Attributes;
            if (list.Length == 0) { result[i] = new ElementAttributes("", null, null, null, null); continue; }
            string? cls = null, id = null, itemProp = null, rel = null, itemType = null, ariaLabel = null;
            for (var a = 0; a < list.Length; a++)
            {
                var attr = list[a];
                if (attr is null) continue;
                switch (attr.Name)
                {
                    case "class": cls ??= attr.Value; break;
                    case "id": id ??= attr.Value; break;
                    case "itemprop": itemProp ??= attr.Value; break;
                    case "rel": rel ??= attr.Value; break;
                    case "itemtype": itemType ??= attr.Value; break;
                    case "aria-label": ariaLabel ??= attr.Value; break;
                }
            }
            result[i] = new ElementAttributes(NodeRules.ClassAndId(cls, id), itemProp, rel, itemType, ariaLabel);
        }
        return result;
    }

    private static string? Get(Dictionary<string, string> metas, string key) => metas.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    private static Dictionary<string, string> ReadMetaTags(List<IElement> all)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in all)
        {
            if (m.LocalName != "meta") continue;
            var key = m.GetAttribute("property") ?? m.GetAttribute("name") ?? m.GetAttribute("itemprop") ?? m.GetAttribute("http-equiv");
            var content = m.GetAttribute("content");
            if (key is null || content is null) continue;
            d.TryAdd(key.Trim(), content.Trim());
        }
        return d;
    }

    private sealed record LinkedData(string? Headline, string? DatePublished, string? Author, string? Section, string? Language);

    private static LinkedData ReadJsonLd(List<IElement> all)
    {
        foreach (var script in all)
        {
            if (script.LocalName != "script") continue;
            if (!string.Equals(script.GetAttribute("type"), "application/ld+json", StringComparison.OrdinalIgnoreCase)) continue;
            try
            {
                using var json = JsonDocument.Parse(NodeRules.TextOf(script), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
                if (FindArticle(json.RootElement, 0) is { } article)
                    return new LinkedData(Str(article, "headline"), Str(article, "datePublished") ?? Str(article, "dateCreated"),
                        AuthorName(article), Str(article, "articleSection"), Str(article, "inLanguage"));
            }
            catch (JsonException) { /* broken JSON-LD is common; the meta tags still count */ }
        }
        return new LinkedData(null, null, null, null, null);
    }

    private static JsonElement? FindArticle(JsonElement e, int depth)
    {
        if (depth > 6) return null;
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
                if (FindArticle(item, depth + 1) is { } found) return found;
            return null;
        }
        if (e.ValueKind != JsonValueKind.Object) return null;
        if (e.TryGetProperty("@type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.ToString()) : [type.ToString()];
            if (types.Any(t => t.EndsWith("Article", StringComparison.Ordinal) || t is "BlogPosting" or "ReportageNews" or "LiveBlogPosting" or "AnalysisNewsArticle"))
                return e;
        }
        if (e.TryGetProperty("@graph", out var graph)) return FindArticle(graph, depth + 1);
        if (e.TryGetProperty("mainEntity", out var main)) return FindArticle(main, depth + 1);
        return null;
    }

    private static string? Str(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        var s = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Array => v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null).FirstOrDefault(x => x is not null),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(s) ? null : NodeRules.Collapse(s);
    }

    private static string? AuthorName(JsonElement article)
    {
        if (!article.TryGetProperty("author", out var a)) return null;
        var names = new List<string>();
        void Add(JsonElement x)
        {
            if (x.ValueKind == JsonValueKind.String && x.GetString() is { Length: > 0 } s) names.Add(s);
            else if (x.ValueKind == JsonValueKind.Object && x.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } ns) names.Add(ns);
        }
        if (a.ValueKind == JsonValueKind.Array) foreach (var x in a.EnumerateArray()) Add(x);
        else Add(a);
        var joined = string.Join(", ", names.Select(NodeRules.Collapse).Where(n => n.Length > 0 && !n.StartsWith("http", StringComparison.OrdinalIgnoreCase)).Distinct());
        return joined.Length is > 0 and <= 120 ? joined : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:tác giả|bài(?: và ảnh)?|bài, ảnh|người viết|phóng viên|written by|by)\s*[:\-]?\s*", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BylinePrefix { get; }

    private static List<string> SiteNames(Dictionary<string, string> metas, string docTitle)
    {
        var names = new List<string>(3);
        if (Get(metas, "og:site_name") is { } site) names.Add(NodeRules.Collapse(site));
        if (Get(metas, "application-name") is { } app) names.Add(NodeRules.Collapse(app));
        var stripped = StripSiteSuffix(docTitle);
        if (stripped.Length < docTitle.Length)
            names.Add(docTitle[stripped.Length..].Trim().TrimStart('|', '-', '–', '—', ':', '»').Trim());
        return names;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:cổng (?:thông tin|ttđt|giao tiếp)|trang thông tin|ubnd|ủy ban nhân dân|uỷ ban nhân dân|báo điện tử|tạp chí|ban biên tập|website)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex OrganisationName { get; }

    internal static bool IsSiteName(string name, List<string> siteNames)
    {
        foreach (var site in siteNames)
            if (site.Length > 0 && string.Equals(name, site, StringComparison.OrdinalIgnoreCase)) return true;
        return OrganisationName.IsMatch(name);
    }

    /// <summary>A byline element ("author", "byline", "tac-gia" classes, rel=author) holding just a name.</summary>
    private static string? BylineElement(List<IElement> all, ElementAttributes[] attrs, List<string> siteNames)
    {
        for (var i = 0; i < all.Count; i++)
        {
            var e = all[i];
            var hints = attrs[i].ClassAndId;
            var isByline = (hints.Length > 0 && BoilerplateVocabulary.AuthorClass.IsMatch(hints) && !hints.Contains("box", StringComparison.OrdinalIgnoreCase))
                           || string.Equals(attrs[i].Rel, "author", StringComparison.OrdinalIgnoreCase)
                           || string.Equals(attrs[i].ItemProp, "author", StringComparison.OrdinalIgnoreCase);
            if (!isByline || e.LocalName is "img" or "meta" or "link" || NodeRules.HasAncestorTag(e, "li", 6)) continue;
            if (NodeRules.TextLengthOf(e) > 200) continue;
            var text = NodeRules.TextOf(e);
            var name = BylinePrefix.Replace(NodeRules.Collapse(text), "").Trim().Trim('(', ')', '.', ' ');
            if (name.Length is >= 2 and <= 60 && BlockRules.LooksLikeName(name) && !IsSiteName(name, siteNames)) return name;
        }
        return null;
    }

    private static DateTimeOffset? ItempropDate(List<IElement> all, ElementAttributes[] attrs)
    {
        for (var i = 0; i < all.Count; i++)
            if (string.Equals(attrs[i].ItemProp, "datePublished", StringComparison.OrdinalIgnoreCase) && all[i] is var e && DateParsing.ParseMachine(e.GetAttribute("content") ?? e.GetAttribute("datetime") ?? NodeRules.TextOf(e)) is { } d) return d;
        return null;
    }

    private static DateTimeOffset? TimeElementDate(List<IElement> all)
    {
        DateTimeOffset? first = null;
        foreach (var t in all)
        {
            if (t.LocalName != "time") continue;
            if (NodeRules.HasAncestorTag(t, "li") || NodeRules.HasAncestorTag(t, "a", 3)) continue;
            var d = DateParsing.ParseMachine(t.GetAttribute("datetime")) ?? DateParsing.ParseVisible(NodeRules.TextOf(t));
            if (d is null) continue;
            if (t.HasAttribute("pubdate")) return d;
            first ??= d;
        }
        return first;
    }

    private static readonly HashSet<string> InlineTags = new(StringComparer.Ordinal) { "span", "a", "b", "i", "em", "strong", "time", "font", "small", "label", "abbr", "u" };

    /// <summary>
    /// A visible date: first in the text that follows the title (where portals print "Ngày đăng …"), then anywhere outside
    /// lists and links, since the items of related lists carry dates of other articles and headers carry today's date.
    /// </summary>
    private static DateTimeOffset? VisibleDate(List<IElement> walker, IElement? titleElement)
    {
        var start = titleElement is null ? -1 : walker.IndexOf(titleElement);
        if (start >= 0)
        {
            var limit = Math.Min(walker.Count, start + 60);
            for (var i = start + 1; i < limit; i++)
                if (DateOf(walker[i]) is { } d) return d;
        }
        foreach (var e in walker)
            if (DateOf(e) is { } d && !InPageChrome(e)) return d;
        return null;
    }

    private static DateTimeOffset? DateOf(IElement e)
    {
        if (e.LocalName is "li" or "a" or "script" or "style" or "option" or "header" or "nav" or "footer" or "title" or "head") return null;
        var nodes = e.ChildNodes;
        for (var i = 0; i < nodes.Length; i++)
        {
            var child = nodes[i];
            if (child.NodeType != NodeType.Text) continue;
            var t = child.TextContent;
            if (t.Length < 8 || t.AsSpan().IndexOfAnyInRange('0', '9') < 0) continue;
            if (NodeRules.HasAncestorTag(e, "li", 6) || NodeRules.HasAncestorTag(e, "a", 3)) return null;
            var context = e;
            while (InlineTags.Contains(context.LocalName) && context.ParentElement is { } p) context = p;
            var text = NodeRules.TextLengthOf(context) > 200 ? t : NodeRules.TextOf(context);
            if (DateParsing.ParseVisible(text) is { } d) return d;
        }
        return null;
    }

    private static string? BreadcrumbCategory(List<IElement> all, ElementAttributes[] attrs, string? title)
    {
        IElement? crumb = null;
        for (var i = 0; i < all.Count; i++)
        {
            if (attrs[i].ClassAndId.Contains("breadcrumb", StringComparison.OrdinalIgnoreCase)
                || (attrs[i].ItemType?.Contains("BreadcrumbList", StringComparison.Ordinal) ?? false)
                || (attrs[i].AriaLabel?.Contains("readcrumb", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                crumb = all[i];
                break;
            }
        }
        if (crumb is null) return null;
        var items = NodeRules.Descendants(crumb)
            .Where(a => a.LocalName is "a" or "li" || (a.LocalName == "span" && a.GetAttribute("itemprop") == "name"))
            .Select(NodeRules.CollapsedText)
            .Where(t => t.Length is > 1 and < 80 && t != title && !IsHomeLabel(t))
            .ToList();
        return items.Count > 0 ? items[^1] : null;
    }

    private static bool IsHomeLabel(string t) =>
        t.Equals("Trang chủ", StringComparison.OrdinalIgnoreCase) || t.Equals("Home", StringComparison.OrdinalIgnoreCase) || t.Equals("Trang nhất", StringComparison.OrdinalIgnoreCase) || t is "»" or ">" or "/";
}
