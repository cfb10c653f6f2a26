using FeedIngest.SamplePortal.Content;
using static FeedIngest.SamplePortal.Rendering.PageWriter;

namespace FeedIngest.SamplePortal.Rendering;

/// <summary>
/// The district-government template: table and div heavy, a category banner in capitals, "Ngày đăng … | Lượt xem: …",
/// a print/email bar, a "Tin khác" list with "category date time" lines, side columns and a footer with a visitor counter.
/// </summary>
internal static class GovArticlePage
{
    public static PageWriter Render(SiteChrome site, ArticleData a)
    {
        var w = new PageWriter();
        var canonical = SamplePortalContent.CanonicalOrigin + SiteChrome.ArticlePath(a);
        var description = a.Lead ?? a.Body.FirstOrDefault(b => b.P is not null)?.P ?? a.Title;
        if (description.Length > 160) description = description[..160];

        w.Raw($$"""
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
            <head>
            <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
            <title>{{T(a.Title)}} - {{T(SiteChrome.PortalName)}}</title>
            <meta name="description" content="{{A(description)}}" />
            <meta name="keywords" content="{{A(string.Join(", ", a.Tags))}}" />
            <link rel="canonical" href="{{A(canonical)}}" />
            <link rel="alternate" type="application/rss+xml" title="Tin tức - Sự kiện" href="{{SiteChrome.FeedPath}}" />
            <link href="/static/gov.css" rel="stylesheet" type="text/css" />
            <script type="text/javascript" src="/static/site.js"></script>
            <script type="text/javascript">var articleId = {{a.Id}}; var pageLabel = "Tin khác"; document.write('<' + 'span id="clock"><' + '/span>');</script>
            </head>
            <body class="gov-body">
            <a name="top"></a>
            <table class="wrap" width="1000" cellpadding="0" cellspacing="0" align="center"><tr><td>
            <div id="topbar"><span class="today">{{w.B("Hôm nay:")}} <span id="clock"></span></span> <a href="/">{{w.B("Trang chủ")}}</a> | <a href="/sitemap.xml">{{w.B("Sơ đồ cổng")}}</a> | <a href="{{SiteChrome.FeedPath}}">RSS</a></div>
            <div id="banner"><a href="/"><img src="/static/banner.gif" alt="{{A(SiteChrome.PortalName)}}" width="1000" height="120" /></a>
            <div class="bn-text"><div class="bn-name">{{w.B(SiteChrome.PortalNameCaps)}}</div><div class="bn-owner">{{w.B(SiteChrome.Owner)}}</div></div></div>
            <table id="mainmenu" width="100%" cellpadding="0" cellspacing="0"><tr>
            """);
        foreach (var (text, href) in SiteChrome.GovMenu)
            w.Raw($"""<td class="mm-item"><a href="{href}">{w.B(text)}</a></td>""");
        w.Raw($$"""
            </tr></table>
            <div id="searchbar"><marquee scrollamount="3">{{w.B("Chào mừng Quý vị đến với Cổng thông tin điện tử quận Sông Hồng")}}</marquee>
            <form action="/tim-kiem" method="get"><input type="text" name="keyword" value="" title="Từ khóa" /><input type="submit" value="{{A("Tìm kiếm")}}" /></form></div>
            <table width="100%" cellpadding="0" cellspacing="0"><tr>
            <td id="leftcol" valign="top" width="200">
            <div class="boxleft"><div class="boxleft-title">{{w.B("Chuyên mục")}}</div><ul class="dm">
            """);
        foreach (var section in SiteChrome.GovSections)
            w.Raw($"""<li><a href="{SiteChrome.ListingPath}">{w.B(section)}</a></li>""");
        w.Raw($$"""
            </ul></div>
            <div class="boxleft"><div class="boxleft-title">{{w.B("Hỗ trợ trực tuyến")}}</div><p>{{w.B("Đường dây nóng: 024.3826.1115")}}</p></div>
            </td>
            <td id="centercol" valign="top">
            <div class="duongdan"><a href="/">{{w.B("Trang chủ")}}</a> <img src="/static/arrow.gif" alt="" /> <a href="{{SiteChrome.ListingPath}}">{{w.B("Tin tức")}}</a> <img src="/static/arrow.gif" alt="" /> <span>{{w.B(a.Category)}}</span></div>
            <div class="tieude-cm"><h2>{{w.B(a.Category.ToUpperInvariant())}}</h2></div>
            <div class="chitiet">
            <div class="tieude"><h1>{{T(a.Title)}}</h1></div>
            <div class="ngaydang">{{w.B($"Ngày đăng {VietnameseDates.Date(a.PublishedAt)} | {VietnameseDates.Time(a.PublishedAt)}")}} &nbsp;|&nbsp; {{w.B($"Lượt xem: {a.Views}")}}</div>
            """);
        if (a.Lead is not null)
            w.Raw($"""<div class="tomtat"><b>{T(a.Lead)}</b></div>""").Raw("\n");
        w.Raw("""<div class="noidung" id="noidung">""").Raw("\n");

        var imageIndex = 0;
        foreach (var block in a.Body)
        {
            if (block.P is not null) w.Raw($"""<p style="text-align: justify;">{T(block.P)}</p>""");
            else if (block.H2 is not null) w.Raw($"""<h2 class="sub">{T(block.H2)}</h2>""");
            else if (block.Strong is not null) w.Raw($"""<p style="text-align: justify;"><strong>{T(block.Strong)}</strong></p>""");
            else if (block.Ul is not null) w.Raw("<ul>" + string.Concat(block.Ul.Select(i => $"<li>{T(i)}</li>")) + "</ul>");
            else if (block.Table is not null) WriteDataTable(w, block.Table);
            else if (block.Img is not null) WriteImage(w, block, imageIndex++);
            else if (block.Related is not null) WriteInlineRelated(w, site, a);
            w.Raw("\n");
        }
        if (a.Author is not null)
            w.Raw($"""<p style="text-align: right;"><strong>{w.B(a.Author)}</strong></p>""").Raw("\n");
        if (a.Source is not null)
            w.Raw($"""<p style="text-align: right;"><em>{w.B($"(Nguồn: {a.Source})")}</em></p>""").Raw("\n");
        w.Raw($$"""
            </div>
            <div class="congcu"><a href="javascript:window.print();"><img src="/static/print.gif" alt="" /> {{w.B("In trang")}}</a> | <a href="mailto:?subject={{A(a.Title)}}"><img src="/static/mail.gif" alt="" /> {{w.B("Gửi email")}}</a> | <a href="#top">{{w.B("Về đầu trang")}}</a> | <a href="javascript:history.back();">{{w.B("Quay lại")}}</a></div>
            </div>
            <div class="tinkhac"><div class="tinkhac-title">{{w.B("Tin khác")}}</div><table width="100%" cellpadding="2">
            """);
        foreach (var other in site.Others(a, 0, 6))
            w.Raw($$"""
                <tr><td class="tk-icon"><img src="/static/bullet.gif" alt="" /></td><td><a class="tk-link" href="{{SiteChrome.ArticlePath(other)}}">{{w.B(other.Title)}}</a><br /><span class="tk-date">{{w.B($"{other.Category} {VietnameseDates.Date(other.PublishedAt)} {VietnameseDates.Time(other.PublishedAt)}")}}</span></td></tr>
                """);
        w.Raw($$"""
            </table><div class="xemtiep"><a href="{{SiteChrome.ListingPath}}">{{w.B("Xem tiếp »")}}</a></div></div>
            </td>
            <td id="rightcol" valign="top" width="220">
            <div class="boxright"><div class="boxright-title">{{w.B("Văn bản mới")}}</div><ul>
            """);
        foreach (var doc in SiteChrome.NewDocuments)
            w.Raw($"""<li><a href="/trang/van-ban-phap-luat">{w.B(doc)}</a></li>""");
        w.Raw($$"""
            </ul></div>
            <div class="boxright"><div class="boxright-title">{{w.B("Liên kết website")}}</div><select onchange="window.open(this.value)"><option>{{w.B("--- Chọn liên kết ---")}}</option>
            """);
        foreach (var link in SiteChrome.ExternalLinks)
            w.Raw($"""<option value="https://example.invalid/">{w.B(link)}</option>""");
        w.Raw($$"""
            </select></div>
            <div class="boxright thongke"><div class="boxright-title">{{w.B("Thống kê truy cập")}}</div><p>{{w.B("Đang truy cập: 37")}}</p><p>{{w.B("Tổng lượt truy cập: 1.284.562")}}</p></div>
            </td></tr></table>
            <div id="footer"><p class="ft-name">{{w.B(SiteChrome.PortalNameCaps)}}</p>
            <p>{{w.B(SiteChrome.Responsible)}}</p>
            <p>{{w.B(SiteChrome.Address)}} - {{w.B(SiteChrome.Phone)}}</p>
            <p>{{w.B(SiteChrome.Email)}}</p>
            <p>{{w.B(SiteChrome.ReuseNote)}}</p></div>
            </td></tr></table>
            <script type="text/javascript">PortalSite.countView({{a.Id}});</script>
            </body>
            </html>

            """);
        return w;
    }

    private static void WriteDataTable(PageWriter w, List<List<string>> rows)
    {
        w.Raw("""<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="4" style="width:100%;border-collapse:collapse;"><tbody>""");
        for (var r = 0; r < rows.Count; r++)
            w.Raw("<tr>" + string.Concat(rows[r].Select(c => r == 0 ? $"<td><p align=\"center\"><b>{T(c)}</b></p></td>" : $"<td><p>{T(c)}</p></td>")) + "</tr>");
        w.Raw("</tbody></table>");
    }

    // Two caption styles real government CMSes produce: a one-column caption table, and p.Image paragraphs.
    private static void WriteImage(PageWriter w, BodyBlock block, int index)
    {
        var caption = block.Caption ?? "";
        if (index % 2 == 0)
            w.Raw($$"""<table class="tbl-image" align="center" border="0" cellpadding="3" cellspacing="0" width="90%"><tbody><tr><td><img src="{{A(block.Img!)}}" alt="" width="100%" /></td></tr><tr><td class="image-note" style="text-align: center;"><em>{{w.B(caption)}}</em></td></tr></tbody></table>""");
        else
            w.Raw($$"""<p style="text-align: center;"><img src="{{A(block.Img!)}}" alt="{{A(caption)}}" style="width: 600px;" /></p><p class="Image" style="text-align: center;"><em>{{w.B(caption)}}</em></p>""");
    }

    private static void WriteInlineRelated(PageWriter w, SiteChrome site, ArticleData a)
    {
        var other = site.EarlierRelated(a, 2, 1)[0];
        w.Raw($$"""<p><strong><em>{{w.B("Xem thêm:")}}</em></strong> <a href="{{SiteChrome.ArticlePath(other)}}"><em>{{w.B(other.Title)}}</em></a></p>""");
    }
}
