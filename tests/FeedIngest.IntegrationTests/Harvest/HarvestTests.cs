using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>Issue 2's end-to-end path: the real CLI harvests the real sample portal into a real Azurite.</summary>
public sealed class HarvestTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    private async Task<(int Exit, string Out, string Err)> HarvestOnceAsync()
    {
        var result = await env.RunCliAsync("harvest", "--once", "--sources", env.SourcesFile);
        Assert.True(result.ExitCode == 0, $"harvest exited {result.ExitCode}\n{result.Output}\n{result.Error}");
        return (result.ExitCode, result.Output, result.Error);
    }

    [Fact]
    public async Task HarvestStoresEverySampleArticleOnceUnderTheDocumentedNamesAndRerunChangesNothing()
    {
        var first = await HarvestOnceAsync();

        var blobs = new BlobServiceClient(env.Azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        var table = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable);
        var rows = table.Query<ArticleEntity>(r => r.PartitionKey == HarvestEnvironment.SourceId).ToList();
        Assert.Equal(SamplePortalContent.Articles.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(ArticleStatus.Stored, r.Status));
        foreach (var article in SamplePortalContent.Articles)
        {
            var canonical = UrlCanonicalizer.Canonicalize(new Uri(SamplePortalContent.CanonicalOrigin + article.Path));
            var id = UrlCanonicalizer.ArticleId(canonical);
            var day = article.PublishedAt.ToOffset(Vietnam);
            var stem = $"{HarvestEnvironment.SourceId}/{day:yyyy}/{day:MM}/{day:dd}/{id}";
            var row = Assert.Single(rows, r => r.RowKey == id);
            Assert.Equal(stem + ".txt", row.TextBlob);
            Assert.Equal(canonical.AbsoluteUri, row.CanonicalUrl);
            Assert.True(await blobs.GetBlobClient(stem + ".txt").ExistsAsync());
            var json = JsonDocument.Parse((await blobs.GetBlobClient(stem + ".json").DownloadContentAsync()).Value.Content.ToString()).RootElement;
            Assert.Equal(ArticleDocument.CurrentSchemaVersion, json.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(id, json.GetProperty("articleId").GetString());
            Assert.Equal(0, json.GetProperty("attachments").GetArrayLength());
            Assert.Equal(id, json.GetProperty("clusterId").GetString());
            Assert.Equal(article.Title, json.GetProperty("title").GetString());
            Assert.Equal(article.PublishedAt, DateTimeOffset.Parse(json.GetProperty("publishedAt").GetString()!));
            Assert.EndsWith("+07:00", json.GetProperty("publishedAt").GetString());
        }
        var blobCount = blobs.GetBlobs().Count(b => !b.Name.StartsWith("versions/", StringComparison.Ordinal));
        Assert.Equal(2 * SamplePortalContent.Articles.Count, blobCount);
        Assert.Contains($"stored (new)       {SamplePortalContent.Articles.Count}", first.Out);

        var lastModified = blobs.GetBlobs().ToDictionary(b => b.Name, b => b.Properties.LastModified);
        var second = await HarvestOnceAsync();

        Assert.Contains("stored (new)       0", second.Out);
        Assert.Contains($"unchanged          {SamplePortalContent.Articles.Count}", second.Out);
        Assert.Equal(lastModified, blobs.GetBlobs().ToDictionary(b => b.Name, b => b.Properties.LastModified));
        Assert.Equal(rows.Select(r => (r.RowKey, r.Timestamp)).OrderBy(x => x.RowKey),
            table.Query<ArticleEntity>(r => r.PartitionKey == HarvestEnvironment.SourceId).Select(r => (r.RowKey, r.Timestamp)).OrderBy(x => x.RowKey));

        var list = await env.RunCliAsync("articles", "list", "--source", HarvestEnvironment.SourceId);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains($"{SamplePortalContent.Articles.Count} article(s).", list.Output);
        Assert.All(SamplePortalContent.Articles, a => Assert.Contains(a.Title, list.Output));

        var runs = await env.RunCliAsync("runs", "list");
        Assert.Equal(0, runs.ExitCode);
        Assert.Contains("2 run(s).", runs.Output);
        Assert.Matches($@"\bcompleted\s+[\d.]+ s\s+{SamplePortalContent.Articles.Count}\s+{SamplePortalContent.Articles.Count}\s", runs.Output);
    }

}

/// <summary>What the harvest stored is the article and only the article (its own Azurite: order-independent).</summary>
public sealed class HarvestedBodyTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    [Fact]
    public async Task StoredBodiesKeepEveryParagraphAndNoBoilerplate()
    {
        await env.RunCliAsync("harvest", "--once", "--quiet", "--sources", env.SourcesFile);
        var blobs = new BlobServiceClient(env.Azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);

        foreach (var article in SamplePortalContent.Articles)
        {
            var id = UrlCanonicalizer.ArticleId(UrlCanonicalizer.Canonicalize(new Uri(SamplePortalContent.CanonicalOrigin + article.Path)));
            var day = article.PublishedAt.ToOffset(Vietnam);
            var text = Encoding.UTF8.GetString((await blobs.GetBlobClient($"{HarvestEnvironment.SourceId}/{day:yyyy}/{day:MM}/{day:dd}/{id}.txt").DownloadContentAsync()).Value.Content);
            var lines = text.Split('\n');
            Assert.True(text.IsNormalized(NormalizationForm.FormC), article.Slug + " is not NFC");
            foreach (var paragraph in article.Paragraphs)
                Assert.True(lines.Contains(paragraph), $"{article.Slug}: missing paragraph «{paragraph}»\n--- got:\n{text}");
            foreach (var boilerplate in article.BoilerplateStrings)
                Assert.False(text.Contains(boilerplate, StringComparison.Ordinal), $"{article.Slug}: boilerplate «{boilerplate}» leaked\n--- got:\n{text}");
        }
    }
}

/// <summary>The CLI's reprocess: re-extraction from the raw archive, without the network.</summary>
public sealed class ReprocessCommandTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    [Fact]
    public async Task ReprocessFromTheArchiveReExtractsEveryArticleWithoutARequestAndChangesNothing()
    {
        Assert.Equal(0, (await env.RunCliAsync("harvest", "--once", "--quiet", "--sources", env.SourcesFile)).ExitCode);
        var requests = env.Portal.RequestCount;

        var (exit, output, error) = await env.RunCliAsync("reprocess", "--sources", env.SourcesFile,
            "--source", HarvestEnvironment.SourceId, "--from", "2024-01-01", "--to", "2024-12-31", "--mode", "archive");

        var in2024 = SamplePortalContent.Articles.Count(a => a.PublishedAt.ToOffset(TimeSpan.FromHours(7)).Year == 2024);
        Assert.True(in2024 > 0);
        Assert.True(exit == 0, output + error);
        Assert.Contains($"completed; {in2024} queued, 0 changed, {in2024} unchanged, 0 failed", output);
        Assert.Equal(requests, env.Portal.RequestCount);
    }

    [Fact]
    public async Task AnInvalidReprocessRequestIsRefusedWithTheReason()
    {
        var (exit, _, error) = await env.RunCliAsync("reprocess", "--sources", env.SourcesFile,
            "--source", HarvestEnvironment.SourceId, "--from", "2024-12-31", "--to", "2024-01-01");

        Assert.Equal(64, exit); // usage: the CLI's flags, named as the user typed them
        Assert.Equal("error: --from: must not be after --to.", error.Trim());
    }
}

/// <summary>Bad registries and dead portals: clear messages, nothing stored, a failed run on record.</summary>
public sealed class HarvestFailureTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    [Fact]
    public async Task MalformedRegistryIsRefusedWithTheFieldNamedAndNothingStored()
    {
        var file = Path.Combine(HarvestEnvironment.NewTempFolder(), "sources.json");
        await File.WriteAllTextAsync(file, """{ "sources": [ { "id": "Bad Id", "name": "x", "baseUrl": "not a url", "feeds": ["ftp://x/feed"] } ] }""");

        var service = new TableServiceClient(env.Azurite.ConnectionString);
        var before = StorageSnapshot(service);

        var (exit, _, error) = await env.RunCliAsync("harvest", "--once", "--sources", file);

        Assert.Equal(3, exit);
        Assert.Contains("$.sources[0].baseUrl", error);
        Assert.Contains("$.sources[0].id", error);
        Assert.Contains("$.sources[0].feeds[0]", error);
        Assert.Contains("Nothing was harvested", error);
        Assert.Equal(before, StorageSnapshot(service));
    }

    private static string StorageSnapshot(TableServiceClient service) =>
        string.Join(";", service.Query().Select(t => t.Name).OrderBy(n => n)
            .Select(n => n + "=" + service.GetTableClient(n).Query<TableEntity>().Count()));

    [Fact]
    public async Task UnreachablePortalIsRecordedAsFailedRunAndTheCommandExitsNonZero()
    {
        var deadPort = AzuriteInstance.FreePort();
        var file = HarvestEnvironment.WriteSources(new Uri($"http://127.0.0.1:{deadPort}/"), "dead-portal");

        var (exit, output, error) = await env.RunCliAsync("harvest", "--once", "--sources", file);

        Assert.NotEqual(0, exit);
        Assert.Contains("dead-portal", output + error);
        var runs = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient(StorageNames.RunsTable).Query<RunEntity>(r => r.PartitionKey == RunEntity.Partition).ToList();
        var run = Assert.Single(runs, r => r.Sources == "dead-portal");
        Assert.Equal(RunState.Failed, run.State);
        Assert.NotNull(run.EndedAt);
        Assert.Contains("dead-portal", run.Errors);
    }
}
