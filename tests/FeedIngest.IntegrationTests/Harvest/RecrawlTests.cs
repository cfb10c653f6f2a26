using System.Collections.Concurrent;
using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FeedIngest.Cli;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>The re-crawl window: stored articles are re-checked with a conditional GET; an edit stores a new version.</summary>
public sealed class RecrawlTests : IAsyncLifetime
{
    private const string ArticlePath = "/tin-tuc/thong-bao-lich-tiep-cong-dan-12345.html";
    private AzuriteInstance _azurite = null!;
    private WebApplication _portal = null!;
    private Uri _baseUrl = null!;
    private volatile string _body = "Đoạn thứ nhất của bài viết, đủ dài để là một đoạn văn thật sự của bài báo trên cổng thông tin.";
    private readonly ConcurrentQueue<(string Path, int Status)> _requests = new();

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteInstance.StartNewAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _portal = builder.Build();
        _portal.MapGet("/rss.xml", (HttpContext c) => Respond(c, "application/rss+xml", $"""
            <?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><link>{_baseUrl}</link><description>d</description>
            <item><title>Thông báo lịch tiếp công dân</title><link>{new Uri(_baseUrl, ArticlePath)}</link><pubDate>Wed, 01 Jun 2022 09:04:00 +0700</pubDate></item>
            </channel></rss>
            """));
        _portal.MapGet(ArticlePath, (HttpContext c) => Respond(c, "text/html; charset=utf-8", $"""
            <!doctype html><html lang="vi"><head><title>Thông báo lịch tiếp công dân</title></head><body>
            <nav><a href="/">Trang chủ</a></nav>
            <article><h1>Thông báo lịch tiếp công dân</h1><div class="date">Ngày đăng 01/06/2022 | 09:04</div>
            <p>{_body}</p><p>Đoạn thứ hai giữ nguyên qua mọi lần sửa, nói về lịch tiếp công dân định kỳ của Ủy ban nhân dân phường.</p></article>
            <footer>Cổng thông tin điện tử phường</footer></body></html>
            """));
        await _portal.StartAsync();
        _baseUrl = new Uri(_portal.Urls.First() + "/");
    }

    private IResult Respond(HttpContext context, string contentType, string body)
    {
        var etag = $"\"{(uint)body.GetHashCode():x8}\"";
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            _requests.Enqueue((context.Request.Path, 304));
            return Results.StatusCode(304);
        }
        _requests.Enqueue((context.Request.Path, 200));
        context.Response.Headers.ETag = etag;
        return Results.Text(body, contentType);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private async Task<HarvestSummary> HarvestAsync()
    {
        await using var services = CliHost.Build(new Dictionary<string, string?>
        {
            ["FeedIngestStorage"] = _azurite.ConnectionString,
            ["FeedIngest:RecrawlDays"] = "36500",
            ["FeedIngest:RecrawlIntervalHours"] = "0",
        });
        var registry = new SourceRegistry
        {
            Sources = [new SourceDefinition
            {
                Id = "recrawl", Name = "Recrawl portal", BaseUrl = _baseUrl.AbsoluteUri, DiscoverFeeds = false,
                Feeds = [new Uri(_baseUrl, "/rss.xml").AbsoluteUri], Politeness = new PolitenessSettings { MinDelayMs = 0, ObeyRobotsTxt = false },
            }],
        };
        return await services.GetRequiredService<HarvestPipeline>().RunAsync(registry, null, null, CancellationToken.None);
    }

    [Fact]
    public async Task StoredArticlesAreRecheckedConditionallyAndAnEditStoresANewVersion()
    {
        var first = await HarvestAsync();
        Assert.Equal(1, first.Counts.Stored);

        var second = await HarvestAsync();

        Assert.Equal((0, 0, 1), (second.Counts.Stored, second.Counts.Updated, second.Counts.Unchanged));
        Assert.Contains((ArticlePath, 304), _requests);

        _body = "Đoạn thứ nhất đã được sửa: lịch tiếp công dân chuyển sang sáng thứ Năm hằng tuần tại trụ sở Ủy ban nhân dân phường.";
        var third = await HarvestAsync();

        Assert.Equal((0, 1), (third.Counts.Stored, third.Counts.Updated));
        var row = (await new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable)
            .QueryAsync<ArticleEntity>(r => r.PartitionKey == "recrawl").ToListAsync()).Single();
        Assert.Equal(2, row.Version);
        var container = new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        Assert.Contains("Đoạn thứ nhất của bài viết", (await container.GetBlobClient($"versions/recrawl/{row.RowKey}/v1.txt").DownloadContentAsync()).Value.Content.ToString());
        Assert.Contains("đã được sửa", (await container.GetBlobClient(row.TextBlob).DownloadContentAsync()).Value.Content.ToString());
    }
}
