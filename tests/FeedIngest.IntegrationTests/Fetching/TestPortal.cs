using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// A fault-injecting portal on 127.0.0.1 (real Kestrel, port 0). Each path is one behaviour (see
/// <see cref="HandleAsync"/>); the server records every request it saw, when it started, and the most requests it
/// had in flight at once, so tests measure politeness, retries and 304s instead of assuming them.
/// </summary>
public sealed partial class TestPortal : IAsyncDisposable
{
    public const int ListingPages = 5;
    public const int ArticlesPerListingPage = 4;
    public const long HugeBodyBytes = 50L * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private readonly ConcurrentDictionary<string, int> _counters = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;
    private long _hugeBytesWritten;

    static TestPortal() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private TestPortal(WebApplication app) => _app = app;

    /// <summary>
    /// windows-1258 has the base letters ă â ê ô ơ ư but writes the five tones as combining marks:
    /// decompose, recompose everything except the tone marks, which stay separate.
    /// </summary>
    public static string Windows1258Form(string text)
    {
        var tones = new HashSet<char> { '\u0300', '\u0301', '\u0303', '\u0309', '\u0323' };
        var result = new StringBuilder();
        foreach (var element in System.Globalization.StringInfo.GetTextElementEnumerator(text.Normalize(NormalizationForm.FormD)).AsEnumerable())
        {
            var marks = element.Where(tones.Contains).ToArray();
            var rest = new string(element.Where(c => !tones.Contains(c)).ToArray()).Normalize(NormalizationForm.FormC);
            result.Append(rest).Append(marks);
        }
        return result.ToString();
    }

    public Uri BaseUrl { get; private set; } = null!;
    /// <summary>robots.txt body; null = 404 (no rules).</summary>
    public string? RobotsTxt { get; set; }
    /// <summary>When set, robots.txt answers with this status (e.g. 503) instead of <see cref="RobotsTxt"/>.</summary>
    public int? RobotsStatus { get; set; }
    /// <summary>When set, robots.txt redirects (302) to this URL.</summary>
    public string? RobotsRedirect { get; set; }
    /// <summary>How long /slow-page/* holds each request (for concurrency measurements).</summary>
    public TimeSpan SlowPageDelay { get; set; } = TimeSpan.FromMilliseconds(300);
    /// <summary>How long /slow-first-byte and /slow-body stall.</summary>
    public TimeSpan StallDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Current version of /etag/* and /feed-etag.xml content (changing it changes the ETag).</summary>
    public int ContentVersion { get; set; } = 1;

    public int MaxConcurrentInFlight => Volatile.Read(ref _maxInFlight);
    public long HugeBytesWritten => Interlocked.Read(ref _hugeBytesWritten);
    public IReadOnlyList<SeenRequest> Seen => _seen.ToList();
    public int Count(string pathAndQuery) => _seen.Count(r => r.PathAndQuery == pathAndQuery);
    public int CountPrefix(string pathPrefix) => _seen.Count(r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));
    public int CountStatus(string pathAndQuery, int status) => _seen.Count(r => r.PathAndQuery == pathAndQuery && r.Status == status);

    public Uri Url(string pathAndQuery) => new(BaseUrl, pathAndQuery);

    public static async Task<TestPortal> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var portal = new TestPortal(app);
        app.Run(portal.TrackAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        portal.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return portal;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task TrackAsync(HttpContext context)
    {
        var pathAndQuery = context.Request.Path.Value + context.Request.QueryString.Value;
        var record = new SeenRequest(pathAndQuery, DateTimeOffset.UtcNow, context.Request.Headers.UserAgent.ToString(),
            context.Request.Headers.IfNoneMatch.ToString(), context.Request.Headers.IfModifiedSince.ToString());
        // Recorded on arrival: the client may see the response (or give up) before this handler ends.
        _seen.Enqueue(record);
        // Set before the headers leave, so a test never sees the response before the record knows its status.
        context.Response.OnStarting(() =>
        {
            if (record.Status == 0) record.Status = context.Response.StatusCode;
            return Task.CompletedTask;
        });
        var now = Interlocked.Increment(ref _inFlight);
        UpdateMax(now);
        try
        {
            await HandleAsync(context, pathAndQuery);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (timeout, size cap): that is the behaviour under test.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            if (record.Status == 0) record.Status = context.Response.StatusCode;
        }
    }

    private void UpdateMax(int candidate)
    {
        int max;
        while (candidate > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, candidate, max) != max) { }
    }

    private int Hit(string key) => _counters.AddOrUpdate(key, 1, (_, n) => n + 1);

    private async Task HandleAsync(HttpContext context, string pathAndQuery)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "/";
        var aborted = context.RequestAborted;

        switch (path)
        {
            case "/robots.txt":
                if (RobotsStatus is { } robotsStatus) { response.StatusCode = robotsStatus; return; }
                if (RobotsRedirect is { } robotsRedirect) { response.Redirect(robotsRedirect); return; }
                if (RobotsTxt is null) { response.StatusCode = 404; return; }
                await Text(response, "text/plain; charset=utf-8", RobotsTxt);
                return;

            case "/":
                await Html(response, $"""
                    <html><head><title>Cổng thông tin phường mẫu</title>
                    <link rel="alternate" type="application/rss+xml" title="Tin tức" href="/rss.xml">
                    <link rel="stylesheet" href="/site.css"></head>
                    <body><a href="/tin-tuc">Tin tức</a></body></html>
                    """);
                return;

            case "/rss.xml":
                await Text(response, "application/rss+xml; charset=utf-8", RssFeed());
                return;

            case "/atom.xml":
                await Text(response, "application/atom+xml; charset=utf-8", AtomFeed());
                return;

            case "/feed-etag.xml":
                if (await NotModifiedAsync(context, $"\"feed-v{ContentVersion}\"")) return;
                await Text(response, "application/rss+xml; charset=utf-8", RssFeed());
                return;

            case "/tin-tuc":
            case "/tin-tuc-template":
            {
                var page = int.TryParse(request.Query["page"], out var p) ? p : 1;
                if (page < 1 || page > ListingPages) { response.StatusCode = 404; return; }
                await Html(response, ListingPage(path, page, withNextLink: path == "/tin-tuc"));
                return;
            }

            case "/sitemap-index.xml":
                await Text(response, "application/xml", $"""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                      <sitemap><loc>{Url("/sitemap-old.xml")}</loc><lastmod>2023-01-01</lastmod></sitemap>
                      <sitemap><loc>{Url("/sitemap-news.xml")}</loc><lastmod>2024-11-21T19:41:00+07:00</lastmod></sitemap>
                    </sitemapindex>
                    """);
                return;

            case "/sitemap-news.xml":
                await Text(response, "application/xml; charset=utf-8", $"""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
                      <url><loc>{Url("/tin-tuc/so-do-tin-moi-phuong-dong-nhan-trien-khai-ke-hoach-2025.html")}</loc>
                        <news:news><news:publication><news:name>Phường</news:name><news:language>vi</news:language></news:publication>
                        <news:publication_date>2024-11-21T19:41:00+07:00</news:publication_date>
                        <news:title>Phường Đồng Nhân triển khai kế hoạch 2025</news:title></news:news></url>
                      <url><loc>{Url("/tin-tuc")}</loc></url>
                    </urlset>
                    """);
                return;

            case "/sitemap-news.xml.gz":
            {
                // A gzip file (not Content-Encoding): the client must inflate it itself.
                var xml = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{Url("/tin-tuc/bai-trong-sitemap-nen-gzip-123456.html")}</loc></url></urlset>");
                using var buffer = new MemoryStream();
                await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                    await gzip.WriteAsync(xml, aborted);
                response.ContentType = "application/x-gzip";
                await response.Body.WriteAsync(buffer.ToArray(), aborted);
                return;
            }

            case "/sitemap-old.xml":
                await Text(response, "application/xml", $"""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                      <url><loc>{Url("/tin-tuc/bai-cu-tu-nam-2023-ve-cong-tac-dan-van-123456.html")}</loc><lastmod>2023-01-01</lastmod></url>
                    </urlset>
                    """);
                return;

            case "/429":
                if (Hit(path) == 1)
                {
                    response.StatusCode = 429;
                    response.Headers.RetryAfter = "1";
                    return;
                }
                await Html(response, ArticlePage("Sau khi chờ"));
                return;

            case "/429-long":
                response.StatusCode = 429;
                response.Headers.RetryAfter = "3600";
                return;

            case "/503-retry-date":
                if (Hit(path) == 1)
                {
                    response.StatusCode = 503;
                    response.Headers.RetryAfter = DateTimeOffset.UtcNow.AddSeconds(2).ToString("R");
                    return;
                }
                await Html(response, ArticlePage("Sau ngày giờ hẹn"));
                return;

            case "/503-twice":
                if (Hit(path) <= 2) { response.StatusCode = 503; return; }
                await Html(response, ArticlePage("Lần thứ ba"));
                return;

            case "/503-always":
                response.StatusCode = 503;
                return;

            case "/404":
                response.StatusCode = 404;
                return;

            case "/500":
                response.StatusCode = 500;
                return;

            case "/slow-first-byte":
                await Task.Delay(StallDelay, aborted);
                await Html(response, ArticlePage("Quá chậm"));
                return;

            case "/slow-body":
            {
                response.ContentType = "text/html; charset=utf-8";
                var body = Encoding.UTF8.GetBytes(ArticlePage("Thân chậm"));
                response.ContentLength = body.Length;
                await response.Body.WriteAsync(body.AsMemory(0, 100), aborted);
                await response.Body.FlushAsync(aborted);
                await Task.Delay(StallDelay, aborted);
                await response.Body.WriteAsync(body.AsMemory(100), aborted);
                return;
            }

            case "/truncated":
            {
                response.ContentType = "text/html; charset=utf-8";
                response.ContentLength = 10_000;
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes(new string('x', 500)), aborted);
                await response.Body.FlushAsync(aborted);
                await Task.Delay(100, aborted); // let the headers and the first bytes leave
                context.Abort(); // the connection drops 9 500 bytes short
                return;
            }

            case "/huge":
            {
                // Streamed in chunks with no Content-Length: only a cap enforced while reading can stop it.
                response.ContentType = "text/html; charset=utf-8";
                var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
                for (long sent = 0; sent < HugeBodyBytes; sent += chunk.Length)
                {
                    // After an abort Kestrel completes writes as no-ops, so check the token ourselves.
                    aborted.ThrowIfCancellationRequested();
                    await response.Body.WriteAsync(chunk, aborted);
                    await response.Body.FlushAsync(aborted);
                    Interlocked.Add(ref _hugeBytesWritten, chunk.Length);
                    // Paced (about 10 ms per 256 KB): the whole body takes two seconds or more, so a client that
                    // stops at the cap has dropped the connection long before the server could finish, even on a busy machine.
                    if (sent % (256 * 1024) == 0) await Task.Delay(10, aborted);
                }
                return;
            }

            case "/huge-declared":
                response.ContentType = "text/html";
                response.ContentLength = HugeBodyBytes;
                await response.Body.FlushAsync(aborted);
                await Task.Delay(StallDelay, aborted);
                return;

            case "/pdf":
                await Text(response, "application/pdf", "%PDF-1.4 not an article");
                return;

            case "/redirect-loop/a":
                response.Redirect("/redirect-loop/b");
                return;
            case "/redirect-loop/b":
                response.Redirect("/redirect-loop/a");
                return;

            case "/redirect-foreign":
                response.Redirect("http://foreign.example.invalid/bai-viet.html");
                return;

            case "/redirect-once":
                response.StatusCode = 301;
                response.Headers.Location = "/tin-tuc/bai-dich-sau-chuyen-huong-123456.html";
                return;

            case "/win1258":
            {
                // windows-1258 bytes with the charset only in <meta>, none in the header.
                var html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\">" +
                           "<title>Hà Nội</title></head><body><p>Phường Hàng Bài tổ chức hội nghị.</p></body></html>";
                var bytes = Encoding.GetEncoding(1258).GetBytes(Windows1258Form(html));
                response.ContentType = "text/html";
                await response.Body.WriteAsync(bytes, aborted);
                return;
            }

            case "/gzip-page":
                // Kestrel does not compress; the client asked for gzip/br, so hand-compress to prove decompression.
            {
                var body = Encoding.UTF8.GetBytes(ArticlePage("Nén gzip"));
                using var buffer = new MemoryStream();
                await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                    await gzip.WriteAsync(body, aborted);
                response.ContentType = "text/html; charset=utf-8";
                response.Headers.ContentEncoding = "gzip";
                await response.Body.WriteAsync(buffer.ToArray(), aborted);
                return;
            }
        }

        if (path.StartsWith("/redirect-chain/", StringComparison.Ordinal) && int.TryParse(path["/redirect-chain/".Length..], out var hop))
        {
            // An endless chain: /redirect-chain/1 → /2 → /3 …
            response.Redirect($"/redirect-chain/{hop + 1}");
            return;
        }
        if (path.StartsWith("/etag/", StringComparison.Ordinal))
        {
            if (await NotModifiedAsync(context, $"\"page-v{ContentVersion}\"")) return;
            await Html(response, ArticlePage("Có ETag"));
            return;
        }
        if (path.StartsWith("/slow-page/", StringComparison.Ordinal))
        {
            await Task.Delay(SlowPageDelay, aborted);
            await Html(response, ArticlePage("Trang chậm"));
            return;
        }
        if (path.StartsWith("/tin-tuc/", StringComparison.Ordinal) || path.StartsWith("/private/", StringComparison.Ordinal))
        {
            await Html(response, ArticlePage(path));
            return;
        }
        response.StatusCode = 404;
    }

    private static async Task<bool> NotModifiedAsync(HttpContext context, string etag)
    {
        context.Response.Headers.ETag = etag;
        context.Response.Headers.LastModified = "Thu, 21 Nov 2024 12:41:00 GMT";
        if (context.Request.Headers.IfNoneMatch.ToString() != etag) return false;
        context.Response.StatusCode = 304;
        await Task.CompletedTask;
        return true;
    }

    public string ArticlePath(string listing, int page, int index) => $"/tin-tuc/bai-viet-trang-{page}-so-{index}-ve-hoat-dong-cua-phuong.html";

    private string ListingPage(string listingPath, int page, bool withNextLink)
    {
        var items = string.Concat(Enumerable.Range(1, ArticlesPerListingPage).Select(i =>
            $"""<li><a href="{ArticlePath(listingPath, page, i)}?utm_source=listing#top"><img src="/anh/{page}-{i}.jpg"></a> <a href="{ArticlePath(listingPath, page, i)}">Bài {page}.{i} &amp; tin &quot;mới&quot;</a></li>"""));
        var next = withNextLink && page < ListingPages ? $"""<a class="page-link" href="{listingPath}?page={page + 1}">Trang sau</a>""" : "";
        return $"""
            <html><head><meta charset="utf-8"><title>Tin tức trang {page}</title></head>
            <body><nav><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a> <a href="/tag/ha-noi">Hà Nội</a></nav>
            <ul class="news">{items}</ul><div class="pager">{next}</div></body></html>
            """;
    }

    private string RssFeed() => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Tin tức &amp; sự kiện</title><link>{BaseUrl}</link><description>Phường</description>
          <item><title><![CDATA[UBND phường <b>Hàng Bài</b> họp &amp; triển khai]]></title>
            <link>{Url("/tin-tuc/ubnd-phuong-hang-bai-hop-trien-khai-nhiem-vu-thang-12.html?utm_source=rss&utm_medium=feed")}</link>
            <pubDate>Thu, 21 Nov 2024 19:41:00 +0700</pubDate></item>
          <item><title>Ngày hội &nbsp;đại đoàn kết toàn dân tộc</title>
            <link>{Url("/tin-tuc/ngay-hoi-dai-doan-ket-toan-dan-toc-tai-khu-dan-cu-so-5.html")}</link>
            <pubDate>21/11/2024 08:30</pubDate></item>
          <item><title>Ngày không đọc được</title>
            <link>{Url("/tin-tuc/bai-voi-ngay-dang-khong-hop-le-trong-rss.html")}</link>
            <pubDate>hôm qua lúc 8 giờ</pubDate></item>
          <item><title>Bài của trang khác</title><link>http://foreign.example.invalid/tin-tuc/bai-khac.html</link></item>
        </channel></rss>
        """;

    private string AtomFeed() => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom"><title>Tin</title><id>urn:x</id><updated>2024-11-21T19:41:00+07:00</updated>
          <entry><title type="html">&lt;i&gt;Phường&lt;/i&gt; Đống Đa</title><id>urn:1</id>
            <link rel="alternate" href="{Url("/tin-tuc/phuong-dong-da-ra-quan-ve-sinh-moi-truong-987654")}"/>
            <updated>2024-11-20T10:00:00Z</updated></entry>
        </feed>
        """;

    private static string ArticlePage(string title) =>
        $"<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><article><h1>{title}</h1><p>Nội dung bài viết.</p></article></body></html>";

    private static Task Html(HttpResponse response, string html) => Text(response, "text/html; charset=utf-8", html);

    private static async Task Text(HttpResponse response, string contentType, string text)
    {
        response.ContentType = contentType;
        await response.WriteAsync(text.Trim(), Encoding.UTF8);
    }

    public sealed class SeenRequest(string pathAndQuery, DateTimeOffset startedAt, string userAgent, string ifNoneMatch, string ifModifiedSince)
    {
        public string PathAndQuery { get; } = pathAndQuery;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public string UserAgent { get; } = userAgent;
        public string IfNoneMatch { get; } = ifNoneMatch;
        public string IfModifiedSince { get; } = ifModifiedSince;
        public int Status { get; set; }
    }
}

internal static class TextElementEnumeratorExtensions
{
    public static IEnumerable<string> AsEnumerable(this System.Globalization.TextElementEnumerator enumerator)
    {
        while (enumerator.MoveNext()) yield return enumerator.GetTextElement();
    }
}
