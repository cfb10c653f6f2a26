using System.Globalization;
using System.Security;
using System.Text;
using FeedIngest.SamplePortal.Content;
using static FeedIngest.SamplePortal.Rendering.PageWriter;

namespace FeedIngest.SamplePortal.Rendering;

/// <summary>The home page, the paged category listing, the small static pages behind the menus, RSS, sitemap and robots.txt.</summary>
internal static class SitePages
{
    public const int PageSize = 4;
    public const int FeedSize = 6;

    /// <summary>The static pages the menus link to: slug → title.</summary>
    public static readonly IReadOnlyDictionary<string, string> InfoPages = new Dictionary<string, string>
    {
        ["gioi-thieu"] = "Giới thiệu chung về quận Sông Hồng",
        ["van-ban-phap-luat"] = "Văn bản pháp luật",
        ["thu-tuc-hanh-chinh"] = "Thủ tục hành chính",
        ["lich-cong-tac"] = "Lịch công tác của Thường trực Quận ủy, UBND quận",
        ["hoi-dap"] = "Hỏi đáp trực tuyến",
        ["lien-he"] = "Thông tin liên hệ",
    };

    public static int PageCount(SiteChrome site) => (site.NewestFirst.Count + PageSize - 1) / PageSize;

    public static string ListingUrl(int page) => page == 1 ? SiteChrome.ListingPath : $"{SiteChrome.ListingPath}?page={page}";

    public static string Home(SiteChrome site)
    {
        var sb = new StringBuilder();
        Head(sb, SiteChrome.PortalName, "/", null, null);
        var latest = site.NewestFirst.Take(7).ToList();
        var top = latest[0];
        sb.Append($$"""
            <section class="hot"><a href="{{SiteChrome.ArticlePath(top)}}"><h2>{{T(top.Title)}}</h2></a>
            <p class="hot__sapo">{{T(top.Lead ?? "")}}</p></section>
            <section class="latest"><h3>Tin mới nhất</h3><ul>
            """);
        foreach (var a in latest.Skip(1))
            sb.Append($$"""<li><a href="{{SiteChrome.ArticlePath(a)}}">{{T(a.Title)}}</a> <span class="d">({{VietnameseDates.Date(a.PublishedAt)}})</span></li>""").Append('\n');
        sb.Append($$"""
            </ul><p class="more"><a href="{{SiteChrome.ListingPath}}">Xem tất cả tin tức »</a></p></section>
            """);
        Foot(sb);
        return sb.ToString();
    }

    /// <summary>One page of the listing, or null when the page number is out of range.</summary>
    public static string? Listing(SiteChrome site, int page)
    {
        var pages = PageCount(site);
        if (page < 1 || page > pages) return null;
        var sb = new StringBuilder();
        Head(sb, page == 1 ? "Tin tức - Sự kiện" : $"Tin tức - Sự kiện - Trang {page}", ListingUrl(page),
            page > 1 ? ListingUrl(page - 1) : null, page < pages ? ListingUrl(page + 1) : null);
        sb.Append("""<div class="duongdan"><a href="/">Trang chủ</a> » <span>Tin tức - Sự kiện</span></div>""").Append('\n');
        sb.Append("""<div class="tieude-cm"><h1>TIN TỨC - SỰ KIỆN</h1></div>""").Append('\n');
        sb.Append("""<div class="list-news">""").Append('\n');
        foreach (var a in site.NewestFirst.Skip((page - 1) * PageSize).Take(PageSize))
        {
            var thumb = a.Body.FirstOrDefault(b => b.Img is not null)?.Img ?? "/static/no-image.gif";
            var sapo = a.Lead ?? a.Body.First(b => b.P is not null).P!;
            if (sapo.Length > 220) sapo = sapo[..sapo.LastIndexOf(' ', 220)] + "…";
            sb.Append($$"""
                <div class="item-news"><a class="thumb" href="{{SiteChrome.ArticlePath(a)}}"><img src="{{A(thumb)}}" alt="{{A(a.Title)}}" width="180"></a>
                <h3 class="item-title"><a href="{{SiteChrome.ArticlePath(a)}}">{{T(a.Title)}}</a></h3>
                <div class="item-date">{{VietnameseDates.Date(a.PublishedAt)}} {{VietnameseDates.Time(a.PublishedAt)}}</div>
                <p class="item-sapo">{{T(sapo)}}</p></div>

                """);
        }
        sb.Append("</div>\n<div class=\"paging\">");
        if (page > 1) sb.Append($$"""<a rel="prev" href="{{ListingUrl(page - 1)}}">« Trang trước</a> """);
        for (var p = 1; p <= pages; p++)
            sb.Append(p == page ? $"""<span class="current">{p}</span> """ : $"""<a href="{ListingUrl(p)}">{p}</a> """);
        if (page < pages) sb.Append($$"""<a rel="next" class="next" href="{{ListingUrl(page + 1)}}">Trang sau »</a>""");
        sb.Append("</div>\n");
        Foot(sb);
        return sb.ToString();
    }

    public static string? Info(string slug)
    {
        if (!InfoPages.TryGetValue(slug, out var title)) return null;
        var sb = new StringBuilder();
        Head(sb, title, "/trang/" + slug, null, null);
        sb.Append($"""<h1>{T(title)}</h1><p>Nội dung đang được cập nhật.</p>""").Append('\n');
        Foot(sb);
        return sb.ToString();
    }

    private static void Head(StringBuilder sb, string title, string path, string? prev, string? next)
    {
        sb.Append($$"""
            <!DOCTYPE html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <title>{{T(title)}}</title>
            <link rel="canonical" href="{{A(SamplePortalContent.CanonicalOrigin + path)}}">
            {{(prev is null ? "" : $"<link rel=\"prev\" href=\"{A(prev)}\">")}}{{(next is null ? "" : $"<link rel=\"next\" href=\"{A(next)}\">")}}
            <link rel="alternate" type="application/rss+xml" title="Tin tức - Sự kiện" href="{{SiteChrome.FeedPath}}">
            <link rel="stylesheet" href="/static/gov.css">
            <script src="/static/site.js"></script>
            </head>
            <body>
            <div id="banner"><div class="bn-name">{{T(SiteChrome.PortalNameCaps)}}</div><div class="bn-owner">{{T(SiteChrome.Owner)}}</div></div>
            <ul id="menu">
            """);
        foreach (var (text, href) in SiteChrome.GovMenu)
            sb.Append($"""<li><a href="{href}">{T(text)}</a></li>""");
        sb.Append("</ul>\n<div id=\"content\">\n");
    }

    private static void Foot(StringBuilder sb) => sb.Append($$"""
        </div>
        <div id="footer"><p>{{T(SiteChrome.PortalNameCaps)}}</p><p>{{T(SiteChrome.Address)}} - {{T(SiteChrome.Phone)}}</p><p>{{T(SiteChrome.ReuseNote)}}</p></div>
        </body>
        </html>

        """);

    /// <summary>RSS 2.0 with the newest articles only, links on the host that was asked.</summary>
    public static string Rss(SiteChrome site, string origin)
    {
        var sb = new StringBuilder();
        var items = site.NewestFirst.Take(FeedSize).ToList();
        sb.Append($$"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel>
            <title><![CDATA[Tin tức - Sự kiện - {{SiteChrome.PortalName}}]]></title>
            <link>{{origin}}{{SiteChrome.ListingPath}}</link>
            <description><![CDATA[Tin tức - Sự kiện của {{SiteChrome.PortalName}}]]></description>
            <language>vi-VN</language>
            <atom:link href="{{origin}}{{SiteChrome.FeedPath}}" rel="self" type="application/rss+xml" />
            <lastBuildDate>{{VietnameseDates.Rfc822(items[0].PublishedAt)}}</lastBuildDate>

            """);
        foreach (var a in items)
        {
            var link = origin + SiteChrome.ArticlePath(a);
            var image = a.Body.FirstOrDefault(b => b.Img is not null)?.Img;
            var description = (image is null ? "" : $"<a href=\"{link}\"><img src=\"{origin}{image}\" width=\"130\" /></a>") + (a.Lead ?? "");
            sb.Append($$"""
                <item>
                <title><![CDATA[{{a.Title}}]]></title>
                <link>{{SecurityElement.Escape(link)}}</link>
                <guid isPermaLink="true">{{SecurityElement.Escape(link)}}</guid>
                <description><![CDATA[{{description}}]]></description>
                <category><![CDATA[{{a.Category}}]]></category>
                <pubDate>{{VietnameseDates.Rfc822(a.PublishedAt)}}</pubDate>
                </item>

                """);
        }
        sb.Append("</channel>\n</rss>\n");
        return sb.ToString();
    }

    public static string Sitemap(SiteChrome site, string origin)
    {
        var sb = new StringBuilder("""<?xml version="1.0" encoding="UTF-8"?>""" + "\n" + """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">""" + "\n");
        var newest = site.NewestFirst[0].PublishedAt;
        void Url(string path, DateTimeOffset lastmod, string freq) =>
            sb.Append($"<url><loc>{SecurityElement.Escape(origin + path)}</loc><lastmod>{VietnameseDates.Iso(lastmod)}</lastmod><changefreq>{freq}</changefreq></url>\n");
        Url("/", newest, "hourly");
        for (var p = 1; p <= PageCount(site); p++) Url(ListingUrl(p), newest, "daily");
        foreach (var a in site.NewestFirst) Url(SiteChrome.ArticlePath(a), a.PublishedAt, "monthly");
        sb.Append("</urlset>\n");
        return sb.ToString();
    }

    public static string Robots(string origin) =>
        string.Create(CultureInfo.InvariantCulture, $"User-agent: *\nAllow: /\nDisallow: /tim-kiem\n\nSitemap: {origin}/sitemap.xml\n");
}
