using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using FeedIngest.Core.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FeedIngest.SamplePortal;

/// <summary>
/// A generated portal for load benchmarks: <see cref="ArticleCount"/> distinct articles spread over
/// <see cref="HostCount"/> hosts, each host a loopback address of its own (127.0.0.1, 127.0.0.2, … — all of 127/8 is
/// loopback on Linux, and the fetcher's per-host politeness keys hosts by name), on one port. Each host serves
/// robots.txt, a sitemap of its articles and the article pages, which are written on request from the article
/// number (so the portal grows to any size without memory), with ETags for 304s.
/// </summary>
public sealed class GeneratedPortal : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _articleRequests;
    private int _requests;

    private GeneratedPortal(WebApplication app, int articles, int hosts, int port)
    {
        _app = app;
        ArticleCount = articles;
        HostCount = hosts;
        Port = port;
    }

    public int ArticleCount { get; }
    public int HostCount { get; }
    public int Port { get; }

    /// <summary>Article pages answered (200 or 304) since start or <see cref="ResetCounters"/>.</summary>
    public int ArticleRequests => Volatile.Read(ref _articleRequests);
    public int Requests => Volatile.Read(ref _requests);

    public void ResetCounters()
    {
        Interlocked.Exchange(ref _articleRequests, 0);
        Interlocked.Exchange(ref _requests, 0);
    }

    /// <summary>http://127.0.0.{host + 1}:{port}/ for host 0 … HostCount − 1.</summary>
    public Uri BaseUrl(int host) => new($"http://127.0.0.{(host + 1).ToString(CultureInfo.InvariantCulture)}:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public Uri SitemapUrl(int host) => new(BaseUrl(host), "sitemap.xml");

    /// <summary>Article n (0-based) lives on host n % HostCount.</summary>
    public Uri ArticleUrl(int n) => new(BaseUrl(n % HostCount), ArticlePath(n));

    public static async Task<GeneratedPortal> StartAsync(int articles, int hosts, CancellationToken cancellationToken = default)
    {
        if (articles < 1) throw new ArgumentOutOfRangeException(nameof(articles), "at least one article");
        if (hosts is < 1 or > 250) throw new ArgumentOutOfRangeException(nameof(hosts), "between 1 and 250 hosts");
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(GeneratedPortal).Assembly.GetName().Name });
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(k =>
        {
            for (var h = 0; h < hosts; h++) k.Listen(IPAddress.Parse($"127.0.0.{h + 1}"), port);
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var portal = new GeneratedPortal(app, articles, hosts, port);
        app.Run(portal.AnswerAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return portal;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The page of article <paramref name="n"/>, as served (for measuring extraction on the same pages).</summary>
    public static string ArticlePage(int n) => GeneratedArticles.Page(n);

    private static string ArticlePath(int n) => $"/tin-tuc/bai-viet-{n.ToString("D6", CultureInfo.InvariantCulture)}.html";

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var path = context.Request.Path.Value ?? "/";
        var host = HostIndex(context);
        if (host < 0) { context.Response.StatusCode = StatusCodes.Status404NotFound; return; }
        string? body = null;
        var type = "text/html; charset=utf-8";
        if (path == "/robots.txt")
        {
            type = "text/plain; charset=utf-8";
            body = $"User-agent: *\nAllow: /\nSitemap: {SitemapUrl(host)}\n";
        }
        else if (path == "/sitemap.xml")
        {
            type = "application/xml; charset=utf-8";
            body = Sitemap(host);
        }
        else if (path.StartsWith("/tin-tuc/bai-viet-", StringComparison.Ordinal) && path.EndsWith(".html", StringComparison.Ordinal)
            && int.TryParse(path["/tin-tuc/bai-viet-".Length..^".html".Length], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n < ArticleCount && n % HostCount == host)
        {
            Interlocked.Increment(ref _articleRequests);
            body = GeneratedArticles.Page(n);
        }
        if (body is null) { context.Response.StatusCode = StatusCodes.Status404NotFound; return; }

        var bytes = Encoding.UTF8.GetBytes(body);
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = type;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private int HostIndex(HttpContext context)
    {
        var address = context.Connection.LocalIpAddress;
        if (address is null || address.AddressFamily != AddressFamily.InterNetwork) return -1;
        var last = address.GetAddressBytes()[3] - 1;
        return last >= 0 && last < HostCount ? last : -1;
    }

    private string Sitemap(int host)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for (var n = host; n < ArticleCount; n += HostCount)
            sb.Append("<url><loc>").Append(SecurityElement.Escape(ArticleUrl(n).AbsoluteUri)).Append("</loc><lastmod>")
                .Append(GeneratedArticles.PublishedAt(n).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).Append("</lastmod></url>\n");
        return sb.Append("</urlset>\n").ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Article n of the generated portal: a title, a date line, 8–12 paragraphs of Vietnamese words drawn by a generator
/// seeded with n (so every article's text is its own — no two are near-duplicates), inside the chrome a district
/// portal repeats on every page (menu, "tin mới" box, footer): about 20 KB of HTML.
/// </summary>
internal static class GeneratedArticles
{
    private static readonly string[] Words = ("ủy ban nhân dân phường quận huyện thành phố hà nội tổ chức hội nghị triển khai kế hoạch năm " +
        "người dân doanh nghiệp cán bộ công chức chính quyền địa phương đô thị hạ tầng giao thông môi trường vệ sinh an toàn thực phẩm " +
        "giáo dục y tế văn hóa thể thao du lịch kinh tế xã hội chương trình dự án đầu tư xây dựng cải tạo chỉnh trang tuyến phố " +
        "trường học bệnh viện trạm y tế khu dân cư tổ dân phố mặt trận tổ quốc đoàn thanh niên hội phụ nữ cựu chiến binh nông dân " +
        "tuyên truyền vận động kiểm tra giám sát đánh giá kết quả thực hiện nhiệm vụ trọng tâm giải pháp hiệu quả chất lượng " +
        "phát triển bền vững chuyển đổi số dịch vụ công trực tuyến hồ sơ thủ tục hành chính cải cách tiếp nhận giải quyết").Split(' ');

    private static readonly string Chrome = BuildChrome();

    public static DateTimeOffset PublishedAt(int n) =>
        new DateTimeOffset(2026, 6, 1, 8, 0, 0, VietnamTime.Offset).AddMinutes(-37.0 * n);

    public static string Page(int n)
    {
        var random = new Random(n * 7919 + 17);
        var title = Sentence(random, 8, 14).TrimEnd('.') + $" (bài {n.ToString(CultureInfo.InvariantCulture)})";
        var published = PublishedAt(n);
        var sb = new StringBuilder(24 * 1024);
        sb.Append("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>").Append(title).Append(" - Cổng thông tin điện tử</title></head><body>\n");
        sb.Append(Chrome);
        sb.Append("<main><article class=\"news-detail\"><h1>").Append(title).Append("</h1>\n<div class=\"date\">Ngày đăng ")
            .Append(published.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture)).Append("</div>\n<div class=\"content\">\n");
        var paragraphs = random.Next(8, 13);
        for (var p = 0; p < paragraphs; p++)
        {
            sb.Append("<p>");
            var sentences = random.Next(3, 6);
            for (var s = 0; s < sentences; s++) sb.Append(Sentence(random, 10, 22)).Append(' ');
            sb.Append("</p>\n");
        }
        sb.Append("</div></article></main>\n").Append(Chrome).Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Sentence(Random random, int min, int max)
    {
        var count = random.Next(min, max + 1);
        var words = new string[count];
        for (var i = 0; i < count; i++) words[i] = Words[random.Next(Words.Length)];
        words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(' ', words) + ".";
    }

    private static string BuildChrome()
    {
        var sb = new StringBuilder();
        sb.Append("<nav class=\"menu\"><ul>");
        foreach (var item in new[] { "Trang chủ", "Giới thiệu", "Tin tức - Sự kiện", "Văn bản", "Thủ tục hành chính", "Dịch vụ công", "Liên hệ" })
            sb.Append("<li><a href=\"/\">").Append(item).Append("</a></li>");
        sb.Append("</ul></nav>\n<aside class=\"tin-moi\"><h3>Tin mới</h3><ul>");
        for (var i = 0; i < 25; i++)
            sb.Append("<li><a href=\"/\">").Append(Sentence(new Random(1_000_000 + i), 8, 12)).Append("</a></li>");
        sb.Append("</ul></aside>\n<footer>Cổng thông tin điện tử phường — Địa chỉ: số 1 phố Hàng Bài, Hà Nội — Điện thoại: 024 3825 0000</footer>\n");
        return sb.ToString();
    }
}
