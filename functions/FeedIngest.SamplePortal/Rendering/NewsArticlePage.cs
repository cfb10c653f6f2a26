using System.Text.Json;
using FeedIngest.SamplePortal.Content;
using static FeedIngest.SamplePortal.Rendering.PageWriter;

namespace FeedIngest.SamplePortal.Rendering;

/// <summary>
/// The news-site template: og:/article: metas and JSON-LD, breadcrumbs, "Thứ Hai, 27/01/2021 - 10:15", a share bar,
/// figure/figcaption images (some lazy), tags, "Tin liên quan", "Có thể bạn quan tâm", "Nên xem", "Đọc nhiều", a comment box.
/// </summary>
internal static class NewsArticlePage
{
    private const string LazyPlaceholder = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

    public static PageWriter Render(SiteChrome site, ArticleData a)
    {
        var w = new PageWriter();
        var canonical = SamplePortalContent.CanonicalOrigin + SiteChrome.ArticlePath(a);
        var description = a.Lead ?? a.Body.FirstOrDefault(b => b.P is not null)?.P ?? a.Title;
        var firstImage = a.Body.FirstOrDefault(b => b.Img is not null)?.Img;
        var jsonLd = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "NewsArticle",
            ["headline"] = a.Title,
            ["datePublished"] = VietnameseDates.Iso(a.PublishedAt),
            ["articleSection"] = a.Category,
            ["author"] = a.Author is null ? null : new Dictionary<string, string> { ["@type"] = "Person", ["name"] = a.Author },
            ["publisher"] = new Dictionary<string, string> { ["@type"] = "Organization", ["name"] = SiteChrome.NewsSiteName },
        }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        w.Raw($$"""
            <!doctype html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{T(a.Title)}} | {{T(SiteChrome.NewsSiteName)}}</title>
            <meta name="description" content="{{A(description)}}">
            <link rel="canonical" href="{{A(canonical)}}">
            <meta property="og:site_name" content="{{A(SiteChrome.NewsSiteName)}}">
            <meta property="og:type" content="article">
            <meta property="og:title" content="{{A(a.Title)}}">
            <meta property="og:description" content="{{A(description)}}">
            <meta property="og:url" content="{{A(canonical)}}">
            {{(firstImage is null ? "" : $"<meta property=\"og:image\" content=\"{A(SamplePortalContent.CanonicalOrigin + firstImage)}\">")}}
            <meta property="article:published_time" content="{{VietnameseDates.Iso(a.PublishedAt)}}">
            <meta property="article:section" content="{{A(a.Category)}}">
            {{string.Concat(a.Tags.Select(t => $"<meta property=\"article:tag\" content=\"{A(t)}\">"))}}
            {{(a.Author is null ? "" : $"<meta name=\"author\" content=\"{A(a.Author)}\">")}}
            <link rel="alternate" type="application/rss+xml" href="{{SiteChrome.FeedPath}}">
            <link rel="stylesheet" href="/static/news.css">
            <script type="application/ld+json">{{jsonLd.Replace("</", "<\\/")}}</script>
            <script defer src="/static/site.js"></script>
            </head>
            <body class="page-detail">
            <header class="hdr">
            <div class="hdr__top"><a class="hdr__logo" href="/">{{w.B(SiteChrome.NewsSiteName)}}</a><span class="hdr__slogan">{{w.B("Thông tin chính thống của quận Sông Hồng")}}</span>
            <form class="hdr__search" action="/tim-kiem"><input type="search" name="q" placeholder="{{A("Nhập từ khóa…")}}"><button type="submit">{{w.B("Tìm")}}</button></form></div>
            <nav class="hdr__nav"><ul><li class="home"><a href="/" aria-label="Trang chủ">⌂</a></li>
            """);
        foreach (var (text, href) in SiteChrome.NewsMenu)
            w.Raw($"""<li><a href="{href}">{w.B(text)}</a></li>""");
        w.Raw($$"""
            </ul></nav>
            </header>
            <div class="layout">
            <main class="layout__main">
            <ol class="crumbs" itemscope itemtype="https://schema.org/BreadcrumbList"><li><a href="/">{{w.B("Trang chủ")}}</a></li><li><a href="{{SiteChrome.ListingPath}}">{{w.B("Tin tức")}}</a></li><li><a href="{{SiteChrome.ListingPath}}">{{w.B(a.Category)}}</a></li></ol>
            <article class="story">
            <h1 class="story__title">{{T(a.Title)}}</h1>
            <div class="story__meta"><span class="story__time">{{w.B(VietnameseDates.NewsDateLine(a.PublishedAt))}}</span> <span class="story__views">{{w.B(a.Views.ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Replace(',', '.') + " lượt xem")}}</span>
            <div class="sharebar"><span>{{w.B("Chia sẻ:")}}</span> <a class="sh-fb" href="#">Facebook</a> <a class="sh-zalo" href="#">Zalo</a> <a class="sh-copy" href="#">{{w.B("Sao chép liên kết")}}</a> <a class="sh-print" href="javascript:window.print()">{{w.B("In bài")}}</a> <span class="fontsize">{{w.B("Cỡ chữ")}} <a href="#">A-</a> <a href="#">A+</a></span></div></div>
            """);
        if (a.Lead is not null)
            w.Raw($"""<h2 class="story__sapo">{T(a.Lead)}</h2>""").Raw("\n");
        w.Raw("""<div class="story__body" itemprop="articleBody">""").Raw("\n");
        foreach (var block in a.Body)
        {
            if (block.P is not null) w.Raw($"<p>{T(block.P)}</p>");
            else if (block.H2 is not null) w.Raw($"<h2>{T(block.H2)}</h2>");
            else if (block.Strong is not null) w.Raw($"<p><strong>{T(block.Strong)}</strong></p>");
            else if (block.Ul is not null) w.Raw("<ul class=\"list\">" + string.Concat(block.Ul.Select(i => $"<li>{T(i)}</li>")) + "</ul>");
            else if (block.Table is not null) WriteDataTable(w, block.Table);
            else if (block.Img is not null) WriteFigure(w, block);
            else if (block.Related is not null) WriteRelatedBox(w, site, a);
            w.Raw("\n");
        }
        w.Raw("</div>\n");
        if (a.Author is not null)
            w.Raw($"""<p class="story__author">{w.B(a.Author)}</p>""").Raw("\n");
        if (a.Source is not null)
            w.Raw($"""<p class="story__source">{w.B($"(Nguồn: {a.Source})")}</p>""").Raw("\n");
        w.Raw($"""<p class="gnews"><a href="#">{w.B("Theo dõi Bản tin Sông Hồng trên Google News")}</a></p>""").Raw("\n");
        if (a.Tags.Count > 0)
        {
            w.Raw($"""<div class="story__tags"><span>{w.B("Từ khóa:")}</span> """);
            foreach (var tag in a.Tags)
                w.Raw($"""<a href="/tim-kiem?q={Uri.EscapeDataString(tag)}">{w.B(tag)}</a> """);
            w.Raw("</div>\n");
        }
        w.Raw("</article>\n");

        WriteList(w, site, "box-lienquan", "Tin liên quan", site.Others(a, 0, 3), withDate: false);
        w.Raw($$"""
            <section class="comments"><h3>{{w.B("Bình luận")}}</h3><form action="#" method="post"><textarea name="c" placeholder="{{A("Ý kiến của bạn…")}}"></textarea><input name="n" placeholder="{{A("Họ và tên")}}"><button type="submit">{{w.B("Gửi bình luận")}}</button></form><p class="comments__empty">{{w.B("Chưa có bình luận nào cho bài viết này.")}}</p></section>
            """);
        WriteList(w, site, "box-quantam", "Có thể bạn quan tâm", site.Others(a, 3, 3), withDate: true);
        w.Raw("</main>\n<aside class=\"layout__side\">\n");
        WriteList(w, site, "box-docnhieu", "Đọc nhiều", site.MostRead(5).Where(x => x.Id != a.Id), withDate: false);
        WriteList(w, site, "box-nenxem", "Nên xem", site.Others(a, 6, 4), withDate: false);
        w.Raw($$"""
            </aside>
            </div>
            <footer class="ftr">
            <div class="ftr__brand">{{w.B(SiteChrome.NewsSiteName)}}</div>
            <p>{{w.B("Cơ quan chủ quản: Ủy ban nhân dân quận Sông Hồng")}}</p>
            <p>{{w.B(SiteChrome.License)}}</p>
            <p>{{w.B(SiteChrome.Address)}}</p>
            <p>{{w.B("© Bản quyền thuộc Bản tin Sông Hồng. Không sao chép khi chưa được sự đồng ý.")}}</p>
            </footer>
            <script>window.dataLayer=window.dataLayer||[];dataLayer.push({"articleId":{{a.Id}},"section":"{{A(a.Category)}}"});</script>
            </body>
            </html>

            """);
        return w;
    }

    private static void WriteList(PageWriter w, SiteChrome site, string cssClass, string heading, IEnumerable<ArticleData> items, bool withDate)
    {
        w.Raw($"""<section class="{cssClass}"><h3 class="box-title">{w.B(heading)}</h3><ul>""");
        foreach (var item in items)
        {
            w.Raw($"""<li><a href="{SiteChrome.ArticlePath(item)}">{w.B(item.Title)}</a>""");
            if (withDate) w.Raw($"""<time>{w.B(VietnameseDates.Date(item.PublishedAt))}</time>""");
            w.Raw("</li>");
        }
        w.Raw("</ul></section>\n");
    }

    private static void WriteDataTable(PageWriter w, List<List<string>> rows)
    {
        w.Raw("""<div class="table-wrap"><table class="data"><thead><tr>""" + string.Concat(rows[0].Select(c => $"<th>{T(c)}</th>")) + "</tr></thead><tbody>");
        foreach (var row in rows.Skip(1))
            w.Raw("<tr>" + string.Concat(row.Select(c => $"<td>{T(c)}</td>")) + "</tr>");
        w.Raw("</tbody></table></div>");
    }

    private static void WriteFigure(PageWriter w, BodyBlock block)
    {
        var caption = block.Caption ?? "";
        var img = block.Lazy
            ? $"""<img class="lazy" src="{LazyPlaceholder}" data-src="{A(block.Img!)}" alt="{A(caption)}" width="800" height="533">"""
            : $"""<img src="{A(block.Img!)}" alt="{A(caption)}" width="800" height="533">""";
        w.Raw($"""<figure class="story__figure">{img}<figcaption>{w.B(caption)}</figcaption></figure>""");
    }

    private static void WriteRelatedBox(PageWriter w, SiteChrome site, ArticleData a)
    {
        w.Raw($"""<div class="inline-related"><strong>{w.B("Tin liên quan")}</strong><ul>""");
        foreach (var other in site.EarlierRelated(a, 1, 2))
            w.Raw($"""<li><a href="{SiteChrome.ArticlePath(other)}">{w.B(other.Title)}</a></li>""");
        w.Raw("</ul></div>");
    }
}
