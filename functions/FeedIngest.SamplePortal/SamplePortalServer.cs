using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using FeedIngest.SamplePortal.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace FeedIngest.SamplePortal;

/// <summary>
/// Serves the bundled district portal on 127.0.0.1 with Kestrel: home, paged listing, RSS, sitemap, robots.txt and
/// article pages, with ETag/Last-Modified validators and 304 answers like real portals give.
/// </summary>
public sealed class SamplePortalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _requestsByPath = new(StringComparer.Ordinal);
    private int _requestCount;
    private int _inFlight;
    private int _maxInFlight;
    private int _stopped;

    private readonly bool _withDocuments;

    private SamplePortalServer(WebApplication app, bool withDocuments)
    {
        _app = app;
        _withDocuments = withDocuments;
    }

    /// <summary>Whether the documents section (<see cref="SampleDocumentsSite"/>) is served.</summary>
    public bool WithDocuments => _withDocuments;

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests answered since start or the last <see cref="ResetCounters"/>, whatever their status.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Most requests this portal was answering at the same moment since start or <see cref="ResetCounters"/>: what a politeness limit must bound.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    /// <summary>Added before every answer, so concurrent requests overlap long enough to be seen (0 by default).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>A snapshot of requests per path; the key is the path plus the query string when there is one ("/tin-tuc?page=2").</summary>
    public IReadOnlyDictionary<string, int> RequestsByPath => new Dictionary<string, int>(_requestsByPath, StringComparer.Ordinal);

    /// <summary>Starts the portal on 127.0.0.1 only; port 0 picks a free port.</summary>
    public static Task<SamplePortalServer> StartAsync(int port = 0, CancellationToken cancellationToken = default) =>
        StartAsync(port, withDocuments: false, cancellationToken);

    /// <summary>Starts the portal; <paramref name="withDocuments"/> adds the documents section (attachments, syndicated copies).</summary>
    public static async Task<SamplePortalServer> StartAsync(int port, bool withDocuments, CancellationToken cancellationToken = default)
    {
        _ = SamplePortalContent.Rendered; // render (and validate) the content before accepting requests

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SamplePortalServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The portal must not pick up Kestrel endpoints or appsettings of whatever process hosts it. (An ASPNETCORE_URLS
        // in the environment only earns a Kestrel warning: the explicit Listen below wins.)
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        // A failed start (port in use) is thrown to the caller; the host's own error log would only repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);

        var app = builder.Build();
        var server = new SamplePortalServer(app, withDocuments);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var actualPort = new Uri(address).Port;
        server.BaseUrl = new Uri($"http://127.0.0.1:{actualPort.ToString(CultureInfo.InvariantCulture)}/");
        return server;
    }

    public void ResetCounters()
    {
        Interlocked.Exchange(ref _requestCount, 0);
        Interlocked.Exchange(ref _maxInFlight, Volatile.Read(ref _inFlight));
        _requestsByPath.Clear();
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task HandleAsync(HttpContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            for (var max = Volatile.Read(ref _maxInFlight); inFlight > max; max = Volatile.Read(ref _maxInFlight))
                if (Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) == max) break;
            if (ResponseDelay > TimeSpan.Zero) await Task.Delay(ResponseDelay, context.RequestAborted).ConfigureAwait(false);
            await AnswerAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        Interlocked.Increment(ref _requestCount);
        _requestsByPath.AddOrUpdate(request.Path.Value + request.QueryString.Value, 1, (_, n) => n + 1);

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        var reply = _withDocuments && (request.Path.Value ?? "").StartsWith("/van-ban", StringComparison.Ordinal)
            ? SampleDocumentsSite.Route(request.Path.Value!)
            : Route(request);
        if (reply is null)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, "text/html; charset=utf-8", NotFoundPage, null).ConfigureAwait(false);
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, reply.Value.ContentType, reply.Value.Body, reply.Value.LastModified).ConfigureAwait(false);
    }

    private static (string ContentType, byte[] Body, DateTimeOffset? LastModified)? Route(HttpRequest request)
    {
        var portal = SamplePortalContent.Rendered;
        var site = portal.Site;
        var path = request.Path.Value ?? "/";
        var newest = site.NewestFirst[0].PublishedAt;
        const string Html = "text/html; charset=utf-8";
        // Feeds, sitemap and robots carry absolute links, so they name the host that was asked (127.0.0.1:PORT).
        var origin = $"{request.Scheme}://{request.Host.Value}";

        switch (path)
        {
            case "/" or "/index.html":
                return (Html, Utf8(SitePages.Home(site)), newest);
            case SiteChrome.ListingPath:
                var pageText = request.Query["page"].ToString();
                var page = pageText.Length == 0 ? 1 : int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
                var listing = SitePages.Listing(site, page);
                return listing is null ? null : (Html, Utf8(listing), newest);
            case SiteChrome.FeedPath:
                return ("application/rss+xml; charset=utf-8", Utf8(SitePages.Rss(site, origin)), newest);
            case "/sitemap.xml":
                return ("application/xml; charset=utf-8", Utf8(SitePages.Sitemap(site, origin)), newest);
            case "/robots.txt":
                return ("text/plain; charset=utf-8", Utf8(SitePages.Robots(origin)), null);
        }

        if (portal.ArticlePages.TryGetValue(path, out var articleHtml))
            return (Html, Utf8(articleHtml), portal.Articles.First(a => a.Path == path).PublishedAt);
        if (path.StartsWith("/trang/", StringComparison.Ordinal) && SitePages.Info(path["/trang/".Length..]) is { } info)
            return (Html, Utf8(info), null);
        if (path.StartsWith("/static/", StringComparison.Ordinal))
            return StaticAsset(path);
        if (portal.Articles.Any(a => a.Images.Any(i => i.Src == path)))
            return ("image/gif", PlaceholderGif, null);
        return null;
    }

    private static (string, byte[], DateTimeOffset?)? StaticAsset(string path)
    {
        if (path.EndsWith(".gif", StringComparison.Ordinal)) return ("image/gif", PlaceholderGif, null);
        using var stream = SamplePortalContent.OpenResource("Site" + path);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var type = path.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8"
            : path.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8"
            : "application/octet-stream";
        return (type, buffer.ToArray(), null);
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body, DateTimeOffset? lastModified)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        if (status == StatusCodes.Status200OK)
        {
            var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..20] + "\"");
            var typed = response.GetTypedHeaders();
            typed.ETag = etag;
            typed.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromMinutes(5) };
            if (lastModified is { } modified) typed.LastModified = modified;
            if (IsNotModified(context.Request, etag, lastModified))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
        }
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    private static bool IsNotModified(HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset? lastModified)
    {
        var headers = request.GetTypedHeaders();
        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch is { Count: > 0 })
            return ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
        return lastModified is { } modified && headers.IfModifiedSince is { } since
            && modified.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly byte[] NotFoundPage = Utf8("""
        <!DOCTYPE html>
        <html lang="vi"><head><meta charset="utf-8"><title>Không tìm thấy trang</title></head>
        <body><h1>404 - Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại hoặc đã bị gỡ bỏ. <a href="/">Về trang chủ</a></p></body></html>

        """);

    // A 1×1 transparent GIF stands in for every photo: the harvest never needs the pixels.
    private static readonly byte[] PlaceholderGif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
}
