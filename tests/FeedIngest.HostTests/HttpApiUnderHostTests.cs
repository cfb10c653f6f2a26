using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FeedIngest.HostTests.Infrastructure;

namespace FeedIngest.HostTests;

/// <summary>The HTTP API (docs/CONTRACT.md "HTTP API") through the real host: keys, problem+json, reprocess jobs.</summary>
[Collection(SingleHostCollection.Name)]
public sealed class HttpApiUnderHostTests(SingleHostFixture fixture)
{
    private FunctionsHost Host => fixture.Host;

    [SkippableFact]
    public async Task HealthIsAnonymousAndTheOtherFunctionsRefuseRequestsWithoutAKey()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);

        using var health = await Host.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("healthy", (string?)JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]);
        Skip.If(HostLauncher.Available is { ChecksKeys: false }, "func start (Core Tools) does not check function keys locally");
        foreach (var (method, path) in new[] { (HttpMethod.Get, "api/articles/sample-portal/x"), (HttpMethod.Post, "api/reprocess"), (HttpMethod.Get, "api/reprocess/x") })
        {
            using var request = new HttpRequestMessage(method, path);
            using var response = await Host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "api/articles/sample-portal/x");
        wrongKey.Headers.Add("x-functions-key", "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Host.Http.SendAsync(wrongKey)).StatusCode);
    }

    [SkippableFact]
    public async Task AStoredArticleIsServedAndAnUnknownOneIsAProblem404()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        await fixture.FirstHarvestAsync();
        var row = (await fixture.Storage.StoredArticlesAsync()).First();

        using var found = await Host.SendWithKeyAsync(HttpMethod.Get, $"api/articles/{row.PartitionKey}/{row.RowKey}");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("application/json", found.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await found.Content.ReadAsStringAsync())!;
        Assert.Equal(row.RowKey, (string?)document["articleId"]);
        Assert.Equal(row.GetString("Title"), (string?)document["title"]);

        using var unknown = await Host.SendWithKeyAsync(HttpMethod.Get, $"api/articles/{row.PartitionKey}/0000000000000000");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (int?)JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["status"]);
    }

    [SkippableTheory]
    [InlineData("archive", false)]
    [InlineData("refetch", true)]
    public async Task AReprocessJobIsAcceptedAndItsStatusReachesCompleted(string mode, bool fetchesThePage)
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        await fixture.FirstHarvestAsync();
        var rows = (await fixture.Storage.StoredArticlesAsync()).OrderBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        var row = rows[mode == "archive" ? 0 : 1];
        var path = new Uri(row.GetString("Url")).PathAndQuery;
        var before = fixture.Portal.RequestsByPath.GetValueOrDefault(path);

        using var accepted = await Host.SendWithKeyAsync(HttpMethod.Post, "api/reprocess", Json($$"""{"articleIds":["{{row.RowKey}}"],"mode":"{{mode}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
        var jobId = (string)body["jobId"]!;
        Assert.EndsWith($"/api/reprocess/{jobId}", (string)body["statusUrl"]!);
        Assert.EndsWith($"/api/reprocess/{jobId}", accepted.Headers.Location?.ToString());

        var status = await Poll.UntilAsync(async () =>
        {
            using var response = await Host.SendWithKeyAsync(HttpMethod.Get, $"api/reprocess/{jobId}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }, s => (string?)s["state"] is "completed" or "failed", $"reprocess job {jobId} to complete", diagnostics: () => Host.Tail());

        Assert.Equal(("completed", mode, 1, 0), ((string?)status["state"], (string?)status["mode"], (int)status["queued"]!, (int)status["failed"]!));
        Assert.Equal(1, (int)status["done"]! + (int)status["unchanged"]!);
        var after = fixture.Portal.RequestsByPath.GetValueOrDefault(path);
        if (fetchesThePage) Assert.True(after > before, $"refetch did not request {path}");
        else Assert.Equal(before, after);
        using var unknown = await Host.SendWithKeyAsync(HttpMethod.Get, "api/reprocess/no-such-job");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    public static TheoryData<string, string?> MalformedReprocessRequests() => new()
    {
        { "application/json", null },
        { "application/json", "" },
        { "application/json", "not json" },
        { "application/json", "[]" },
        { "application/json", "{}" },
        { "application/json", "null" },
        { "application/json", """{"articleIds":[]}""" },
        { "application/json", """{"articleIds":"abc"}""" },
        { "application/json", """{"articleIds":[1,2]}""" },
        { "application/json", """{"articleIds":[""]}""" },
        { "application/json", """{"articleIds":["a"],"mode":"bogus"}""" },
        { "application/json", """{"articleIds":["a"],"unknown":1}""" },
        { "application/json", """{"articleIds":["a"],"sourceId":"sample-portal","from":"2024-01-01","to":"2024-01-02"}""" },
        { "application/json", """{"sourceId":"sample-portal"}""" },
        { "application/json", """{"sourceId":"sample-portal","from":"2024-01-01"}""" },
        { "application/json", """{"sourceId":"sample-portal","from":"2024-13-01","to":"2024-12-31"}""" },
        { "application/json", """{"sourceId":"sample-portal","from":"2024-02-01","to":"2024-01-01"}""" },
        { "application/json", """{"sourceId":"sample-portal","from":"2000-01-01","to":"2024-01-01"}""" },
        { "application/json", """{"sourceId":"no-such-source","from":"2024-01-01","to":"2024-01-02"}""" },
        { "application/json", """{"sourceId":"sample-portal","from":"01/02/2024","to":"2024-01-02"}""" },
        { "application/json", "{\"articleIds\":[" + string.Join(",", Enumerable.Range(0, 501).Select(i => $"\"a{i}\"")) + "]}" },
        { "application/json", """{"articleIds":["a"]""" },
        { "text/plain", """{"articleIds":["a"]}""" },
        { "application/xml", "<articleIds/>" },
    };

    [SkippableFact]
    public async Task MalformedReprocessRequestsAreRefusedWithA4xxProblemAndNothingIsRecordedOrQueued()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        await fixture.FirstHarvestAsync();
        var jobsBefore = (await fixture.Storage.RowsAsync("ReprocessJobs")).Select(r => r.RowKey).ToHashSet();
        var answers = new List<string>();

        foreach (var row in MalformedReprocessRequests())
        {
            var (contentType, body) = ((string)row[0], (string?)row[1]);
            using var content = body is null ? null : new StringContent(body, Encoding.UTF8);
            if (content is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var response = await Host.SendWithKeyAsync(HttpMethod.Post, "api/reprocess", content);
            answers.Add($"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} ← {contentType} {body?[..Math.Min(body.Length, 60)]}");
            Assert.True((int)response.StatusCode is >= 400 and < 500, string.Join('\n', answers));
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", string.Join('\n', answers));
        }

        var jobsAfter = (await fixture.Storage.RowsAsync("ReprocessJobs")).Select(r => r.RowKey).ToList();
        Assert.All(jobsAfter, id => Assert.Contains(id, jobsBefore));
        Assert.Empty(await fixture.Storage.PeekAsync("reprocess"));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
