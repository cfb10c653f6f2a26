using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;

namespace FeedIngest.Functions.Tests;

/// <summary>The HTTP functions through the real DI and MVC's result executors, against a private Azurite.</summary>
public sealed class HttpFunctionTests(PrivateAzuriteFixture storage) : IClassFixture<PrivateAzuriteFixture>, IAsyncLifetime
{
    private const string AnId = "0123456789abcdef";
    private FunctionsTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = FunctionsTestHost.Create(storage.ConnectionString);
        await _host.DrainAsync(StorageNames.ReprocessQueue);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static readonly string TooManyIds = JsonSerializer.Serialize(new
    {
        articleIds = Enumerable.Range(0, FunctionsTestHost.MaxArticleIds + 1).Select(i => i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)),
    });

    /// <summary>(content type, body, a word the problem must contain to name what is wrong).</summary>
    public static TheoryData<string?, string, string> MalformedRequests => new()
    {
        { "text/plain", $$"""{"articleIds":["{{AnId}}"]}""", "Content-Type" },
        { null, $$"""{"articleIds":["{{AnId}}"]}""", "Content-Type" },
        { "application/xml", "<articleIds/>", "Content-Type" },
        { "application/problem+json", $$"""{"articleIds":["{{AnId}}"]}""", "Content-Type" },
        { "application/json", "", "body" },
        { "application/json", "   \n ", "body" },
        { "application/json", "{", "JSON" },
        { "application/json", "[]", "JSON" },
        { "application/json", "null", "object" },
        { "application/json", "\"reprocess everything\"", "JSON" },
        { "application/json", $$"""{"articleIds":["{{AnId}}"]} trailing""", "JSON" },
        { "application/json", $$"""{"articleIds":["{{AnId}}"],}""", "JSON" },
        { "application/json", $$"""{/* all */"articleIds":["{{AnId}}"]}""", "JSON" },
        { "application/json", $$"""{"articleIds":["{{AnId}}"],"priority":"high"}""", "priority" },
        { "application/json", $$"""{"articleIds":"{{AnId}}"}""", "articleIds" },
        { "application/json", """{"articleIds":[]}""", "articleIds" },
        { "application/json", TooManyIds, "at most" },
        { "application/json", """{"articleIds":["not-an-article-id"]}""", "not-an-article-id" },
        { "application/json", """{"articleIds":["0123456789ABCDEF"]}""", "articleIds" },
        { "application/json", """{"articleIds":["0123456789abcdef\n"]}""", "articleIds" },
        { "application/json", """{"articleIds":[null]}""", "articleIds" },
        { "application/json", """{"articleIds":[["0123456789abcdef"]]}""", "articleIds" },
        { "application/json", "{}", "articleIds" },
        { "application/json", """{"mode":"archive"}""", "articleIds" },
        { "application/json", $$"""{"articleIds":["{{AnId}}"],"sourceId":"sample-portal","from":"2021-01-01","to":"2021-01-02"}""", "exactly one" },
        { "application/json", """{"sourceId":"no-such-portal","from":"2021-01-01","to":"2021-01-31"}""", "no-such-portal" },
        { "application/json", """{"sourceId":"sample-portal","from":"2021-02-01","to":"2021-01-01"}""", "from" },
        { "application/json", """{"sourceId":"sample-portal","from":"2021-01-01","to":"2021-12-31"}""", "31 days" },
        { "application/json", """{"sourceId":"sample-portal"}""", "from" },
        { "application/json", """{"sourceId":"","from":"2021-01-01","to":"2021-01-02"}""", "sourceId" },
        { "application/json", """{"sourceId":"sample-portal","from":"2021-13-01","to":"2021-12-31"}""", "2021-13-01" },
        { "application/json", """{"sourceId":"sample-portal","from":"01/02/2021","to":"2021-01-03"}""", "01/02/2021" },
        { "application/json", """{"sourceId":"sample-portal","from":"2021-01-01T00:00:00+07:00","to":"2021-01-03"}""", "from" },
        { "application/json", $$"""{"articleIds":["{{AnId}}"],"mode":"fast"}""", "mode" },
        { "application/json", $$"""{"articleIds":["{{AnId}}"],"mode":5}""", "mode" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task AMalformedReprocessRequestGetsA400ProblemNamingWhatIsWrongAndQueuesNothing(string? contentType, string body, string named)
    {
        var jobsBefore = (await ReprocessJobsAsync()).Count;
        var request = HttpCalls.Post("/api/reprocess", body, contentType);

        var response = await (await _host.Get<Reprocess>().Run(request, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/problem+json", response.ContentType);
        var problem = JsonNode.Parse(response.Body)!;
        Assert.Equal(400, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.Contains(named, response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _host.PeekAsync(StorageNames.ReprocessQueue));
        Assert.Equal(jobsBefore, (await ReprocessJobsAsync()).Count);
    }

    [Fact]
    public async Task AValidReprocessRequestIsAcceptedWithAStatusUrlThatAnswers()
    {
        var request = HttpCalls.Post("/api/reprocess", $$"""{"articleIds":["{{AnId}}"],"mode":"archive"}""");

        var accepted = await (await _host.Get<Reprocess>().Run(request, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(202, accepted.Status);
        var body = JsonNode.Parse(accepted.Body)!;
        var jobId = (string)body["jobId"]!;
        Assert.Equal($"http://localhost:7071/api/reprocess/{jobId}", (string?)body["statusUrl"]);
        var queued = Assert.Single(await _host.DrainAsync(StorageNames.ReprocessQueue));
        Assert.Equal(new ReprocessMessage(jobId, "plan"), WorkQueues.Parse<ReprocessMessage>(queued));

        var statusRequest = HttpCalls.Get($"/api/reprocess/{jobId}");
        var status = await (await _host.Get<Reprocess>().Status(statusRequest, jobId, CancellationToken.None)).ExecuteAsync(statusRequest);

        Assert.Equal(200, status.Status);
        Assert.StartsWith("application/json", status.ContentType);
        var json = JsonNode.Parse(status.Body)!;
        Assert.Equal("accepted", (string?)json["state"]);
        Assert.Equal(0, (int)json["queued"]!);
    }

    [Theory]
    [InlineData("20990101T000000Z-deadbeef")]
    [InlineData("a/b")]
    [InlineData("x#y")]
    [InlineData("it's")]
    [InlineData("back\\slash")]
    [InlineData("what?")]
    public async Task AnUnknownOrMalformedJobIdIsA404Problem(string jobId)
    {
        var request = HttpCalls.Get("/api/reprocess/" + Uri.EscapeDataString(jobId));

        var response = await (await _host.Get<Reprocess>().Status(request, jobId, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(404, response.Status);
        Assert.StartsWith("application/problem+json", response.ContentType);
    }

    [Theory]
    [InlineData("sample-portal", AnId)]
    [InlineData("no-such-source", AnId)]
    [InlineData("sample-portal", "x#y")]
    [InlineData("a/b", AnId)]
    [InlineData("sample-portal", "it's")]
    [InlineData("sample-portal", "q?x")]
    public async Task AnArticleThatIsNotStoredIsA404Problem(string sourceId, string articleId)
    {
        var request = HttpCalls.Get($"/api/articles/{Uri.EscapeDataString(sourceId)}/{Uri.EscapeDataString(articleId)}");

        var response = await (await _host.Get<Articles>().Get(request, sourceId, articleId, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(404, response.Status);
        Assert.StartsWith("application/problem+json", response.ContentType);
        Assert.Contains(articleId, JsonNode.Parse(response.Body)!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheClusterOfAnArticleThatIsNotStoredIsA404Problem()
    {
        var request = HttpCalls.Get($"/api/articles/sample-portal/{AnId}/cluster");

        var response = await (await _host.Get<Articles>().GetCluster(request, "sample-portal", AnId, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(404, response.Status);
        Assert.StartsWith("application/problem+json", response.ContentType);
        Assert.Contains(AnId, JsonNode.Parse(response.Body)!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task HealthIs200WhenStorageAnswers()
    {
        var request = HttpCalls.Get("/api/health");

        var response = await (await _host.Get<Health>().Run(request, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(200, response.Status);
        Assert.Equal("healthy", (string?)JsonNode.Parse(response.Body)!["status"]);
    }

    [Fact]
    public async Task HealthIs503WithinSecondsWhenStorageIsUnreachable()
    {
        var closedPort = IntegrationTests.Infrastructure.AzuriteInstance.FreePort();
        var unreachable = storage.ConnectionString.Replace($":{storage.Azurite.BlobPort}/", $":{closedPort}/", StringComparison.Ordinal);
        await using var host = FunctionsTestHost.Create(unreachable);
        var request = HttpCalls.Get("/api/health");

        var response = await (await host.Get<Health>().Run(request, CancellationToken.None)).ExecuteAsync(request);

        Assert.Equal(503, response.Status);
        Assert.Equal("unhealthy", (string?)JsonNode.Parse(response.Body)!["status"]);
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Body); // anonymous: no endpoint details
    }

    private async Task<IReadOnlyList<TableEntity>> ReprocessJobsAsync()
    {
        var table = new TableClient(storage.ConnectionString, StorageNames.ReprocessJobsTable);
        await table.CreateIfNotExistsAsync();
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>()) rows.Add(row);
        return rows;
    }
}
