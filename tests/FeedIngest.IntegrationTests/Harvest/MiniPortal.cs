using System.Collections.Concurrent;
using System.Net;
using FeedIngest.Cli;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>
/// A tiny portal on 127.0.0.1 whose pages a test sets and changes: path → (status, content type, body).
/// Answers If-None-Match with 304 from a content hash, and records every request with its status.
/// </summary>
public sealed class MiniPortal : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (int Status, string ContentType, string Body)> _pages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ContentType, byte[] Body)> _files = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Path, int Status)> Requests { get; } = new();
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>An injectable delay per request path (a slow portal, to interrupt a harvest mid-way).</summary>
    public Func<string, TimeSpan>? DelayFor { get; set; }

    private MiniPortal()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(Serve);
    }

    public static async Task<MiniPortal> StartAsync()
    {
        var portal = new MiniPortal();
        await portal._app.StartAsync();
        portal.BaseUrl = new Uri(portal._app.Urls.First() + "/");
        return portal;
    }

    public Uri Url(string path) => new(BaseUrl, path);

    public void Page(string path, string body, string contentType = "text/html; charset=utf-8", int status = 200) =>
        _pages[path] = (status, contentType, body);

    /// <summary>A binary file (an attachment) served with the given content type.</summary>
    public void File(string path, byte[] body, string contentType) => _files[path] = (contentType, body);

    public int Count(string path) => Requests.Count(r => r.Path == path);

    /// <summary>An RSS 2.0 feed naming the given paths.</summary>
    public void Feed(string path, params string[] articlePaths) => Page(path, $"""
        <?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><link>{BaseUrl}</link><description>d</description>
        {string.Concat(articlePaths.Select(p => $"<item><title>{p}</title><link>{Url(p)}</link></item>"))}
        </channel></rss>
        """, "application/rss+xml");

    /// <summary>A portal article page: title, visible Vietnamese date, paragraphs, and some boilerplate around them.</summary>
    public static string Article(string title, string date, params string[] paragraphs) => $"""
        <!doctype html><html lang="vi"><head><title>{title}</title></head><body>
        <nav><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></nav>
        <article><h1>{title}</h1><div class="date">Ngày đăng {date}</div>
        {string.Concat(paragraphs.Select(p => $"<p>{p}</p>"))}</article>
        <footer>Cổng thông tin điện tử phường</footer></body></html>
        """;

    /// <summary>A source over this portal: the given feed, no robots.txt wait, no politeness delay.</summary>
    public SourceDefinition Source(string id, string feedPath) => new()
    {
        Id = id, Name = id, BaseUrl = BaseUrl.AbsoluteUri, DiscoverFeeds = false,
        Feeds = [Url(feedPath).AbsoluteUri], Politeness = new PolitenessSettings { MinDelayMs = 0 },
    };

    /// <summary>One in-process harvest of <paramref name="source"/> through the CLI's service container.</summary>
    public static async Task<HarvestSummary> HarvestAsync(string storage, SourceDefinition source, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["FeedIngest:Fetching:AllowedPrivateNetworks"] = Infrastructure.HarvestEnvironment.LoopbackOnly };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        all["FeedIngestStorage"] = storage;
        await using var services = CliHost.Build(all);
        return await services.GetRequiredService<HarvestPipeline>().RunAsync(new SourceRegistry { Sources = [source] }, null, null, CancellationToken.None);
    }

    private async Task Serve(HttpContext context)
    {
        var path = context.Request.Path + context.Request.QueryString;
        if (DelayFor?.Invoke(path) is { } delay && delay > TimeSpan.Zero)
        {
            try { await Task.Delay(delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        if (_files.TryGetValue(path, out var file))
        {
            Requests.Enqueue((path, 200));
            context.Response.ContentType = file.ContentType;
            context.Response.ContentLength = file.Body.Length;
            await context.Response.Body.WriteAsync(file.Body);
            return;
        }
        if (!_pages.TryGetValue(path, out var page))
        {
            Requests.Enqueue((path, 404));
            context.Response.StatusCode = 404;
            return;
        }
        var etag = $"\"{(uint)page.Body.GetHashCode():x8}\"";
        if (page.Status == 200 && context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            Requests.Enqueue((path, 304));
            context.Response.StatusCode = 304;
            return;
        }
        Requests.Enqueue((path, page.Status));
        context.Response.StatusCode = page.Status;
        context.Response.ContentType = page.ContentType;
        if (page.Status == 200) context.Response.Headers.ETag = etag;
        await context.Response.WriteAsync(page.Body);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
