using System.Text.Json.Nodes;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.SamplePortal;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Functions.Tests;

/// <summary>
/// Health in the fan-out: a harvest through the queue stages, then GET /api/status and GET /api/dashboard. The
/// finished run is folded into SourceHealth when the status is read (or at the next timer occurrence), once.
/// </summary>
public sealed class StatusFunctionTests(PrivateAzuriteFixture storage, SamplePortalFixture portal)
    : IClassFixture<PrivateAzuriteFixture>, IClassFixture<SamplePortalFixture>
{
    [Fact]
    public async Task AFannedOutRunShowsInStatusAndOnTheDashboard()
    {
        await using var host = FunctionsTestHost.Create(storage.ConnectionString, portal.Server.BaseUrl, configureServices: services =>
        {
            services.AddTransient<Status>();
            services.AddTransient<Dashboard>();
        });
        var second = DateTimeOffset.UtcNow.Second;
        if (second >= 50) await Task.Delay(TimeSpan.FromSeconds(61 - second));
        await host.Get<HarvestTimer>().Run(new TimerInfo(), CancellationToken.None);
        var discover = Assert.Single(await host.DrainAsync(StorageNames.DiscoverQueue));
        var runId = WorkQueues.Parse<DiscoverMessage>(discover).RunId;
        await host.Get<DiscoverSource>().Run(discover, new TestFunctionContext(nameof(DiscoverSource), host.Services, 1), CancellationToken.None);
        foreach (var body in await host.DrainAsync(StorageNames.ArticlesQueue))
            await host.Get<ProcessArticle>().Run(body, new TestFunctionContext(nameof(ProcessArticle), host.Services, 1), CancellationToken.None);

        var status = await GetAsync(host.Get<Status>().Run, "/api/status");
        var again = await GetAsync(host.Get<Status>().Run, "/api/status");
        var page = await GetAsync(host.Get<Dashboard>().Run, "/api/dashboard");

        Assert.Equal(200, status.Status);
        Assert.StartsWith("application/json", status.ContentType);
        var source = JsonNode.Parse(status.Body)!["sources"]!.AsArray().Single(s => (string?)s!["sourceId"] == FunctionsTestHost.SourceId)!;
        Assert.Equal(runId, (string?)source["lastRunId"]);
        Assert.Equal("ok", (string?)source["state"]);
        Assert.Equal(SamplePortalContent.Articles.Count, (int)source["stored1d"]!);
        Assert.NotNull(source["lastSuccessAt"]);
        Assert.Equal(SamplePortalContent.Articles.Count, (int)source["quality"]!["pages"]!);
        // Folded once: a second read does not count the run again.
        var sourceAgain = JsonNode.Parse(again.Body)!["sources"]!.AsArray().Single(s => (string?)s!["sourceId"] == FunctionsTestHost.SourceId)!;
        Assert.Equal(SamplePortalContent.Articles.Count, (int)sourceAgain["stored1d"]!);
        Assert.Equal(200, page.Status);
        Assert.StartsWith("text/html", page.ContentType);
        Assert.Contains(runId, page.Body);
        Assert.DoesNotContain("<script src", page.Body);
        Assert.DoesNotContain("<link rel=\"stylesheet\"", page.Body);
    }

    private static async Task<HttpCallResult> GetAsync(Func<Microsoft.AspNetCore.Http.HttpRequest, CancellationToken, Task<Microsoft.AspNetCore.Mvc.IActionResult>> function, string path)
    {
        var request = HttpCalls.Get(path);
        return await (await function(request, CancellationToken.None)).ExecuteAsync(request);
    }
}
