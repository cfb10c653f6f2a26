using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Consumers;

/// <summary>
/// samples/python-consumer against the real thing: the real CLI harvests the sample portal into a private Azurite,
/// then the consumer (Debian's /usr/bin/python3 with python3-azure) drains <c>article-events</c> into JSONL.
/// Skipped, and saying why, where python3-azure is not installed (./test.sh installs it as root).
/// </summary>
public sealed class PythonConsumerTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    private const string Python = "/usr/bin/python3";
    private static readonly string Script = Path.Combine(RepoPaths.Root, "samples", "python-consumer", "consumer.py");

    internal static void SkipUnlessPythonAzure()
    {
        Skip.IfNot(File.Exists(Python), $"{Python} is missing: the Python consumer needs Debian's python3 with python3-azure");
        var psi = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import azure.storage.queue, azure.storage.blob");
        using var probe = Process.Start(psi)!;
        probe.WaitForExit(60_000);
        Skip.IfNot(probe.ExitCode == 0, "python3-azure is not installed (apt-get install python3-azure; ./test.sh does it as root)");
    }

    internal static async Task<(int Exit, string Out, string Err)> RunConsumerAsync(string connectionString, params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["FeedIngestStorage"] = connectionString;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(hang.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    internal static List<JsonElement> ReadLines(string path) =>
        File.ReadAllLines(path, Encoding.UTF8).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [SkippableFact]
    public async Task ConsumerWritesEveryHarvestedArticleWithItsTextOnceAndConsumesTheEvents()
    {
        SkipUnlessPythonAzure();
        var harvest = await env.RunCliAsync("harvest", "--once", "--sources", env.SourcesFile);
        Assert.True(harvest.ExitCode == 0, $"harvest exited {harvest.ExitCode}\n{harvest.Output}\n{harvest.Error}");

        var rows = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable)
            .Query<ArticleEntity>(r => r.Status == ArticleStatus.Stored).ToList();
        Assert.NotEmpty(rows);
        var blobs = new BlobServiceClient(env.Azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        var output = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "articles.jsonl");

        var run = await RunConsumerAsync(env.Azurite.ConnectionString, "--output", output, "--until-empty", "--idle-seconds", "2");

        Assert.True(run.Exit == 0, $"consumer exited {run.Exit}\n{run.Out}\n{run.Err}");
        var lines = ReadLines(output);
        Assert.Equal(rows.Count, lines.Count);
        foreach (var row in rows)
        {
            var line = Assert.Single(lines, l => l.GetProperty("articleId").GetString() == row.RowKey);
            var text = (await blobs.GetBlobClient(row.TextBlob).DownloadContentAsync()).Value.Content.ToString();
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            Assert.Equal(row.ContentHash, line.GetProperty("textSha256").GetString());
            Assert.Equal(sha, line.GetProperty("textSha256").GetString());
            Assert.Equal(text, line.GetProperty("text").GetString());
            Assert.Equal(row.PartitionKey, line.GetProperty("sourceId").GetString());
            Assert.Equal(row.Title, line.GetProperty("title").GetString());
            Assert.Equal(1, line.GetProperty("version").GetInt32());
            Assert.True(line.GetProperty("textIsNfc").GetBoolean());
        }
        var queue = new QueueClient(env.Azurite.ConnectionString, StorageNames.ArticleEventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // At least once upstream: a redelivered event is recognised by (articleId, version) and written no second time.
        var first = rows[0];
        var again = JsonSerializer.Serialize(new
        {
            articleId = first.RowKey, sourceId = first.PartitionKey, url = first.Url, blob = first.JsonBlob,
            version = 1, contentHash = first.ContentHash, change = "created",
        });
        await queue.SendMessageAsync(again);
        var rerun = await RunConsumerAsync(env.Azurite.ConnectionString, "--output", output, "--until-empty", "--idle-seconds", "1");
        Assert.True(rerun.Exit == 0, $"consumer exited {rerun.Exit}\n{rerun.Out}\n{rerun.Err}");
        Assert.Contains("written 0, duplicates 1", rerun.Err);
        Assert.Equal(rows.Count, ReadLines(output).Count);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [SkippableFact]
    public async Task PeekLeavesTheEventsAndAttachmentTextIsReadFromTheTextBlob()
    {
        SkipUnlessPythonAzure();
        await using var azurite = await AzuriteAccount.LeaseAsync();
        var queue = new QueueClient(azurite.ConnectionString, StorageNames.ArticleEventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        await container.CreateAsync();
        const string text = "Phường Bạch Đằng tổ chức hội nghị.";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        await container.UploadBlobAsync("s/2024/01/02/0123456789abcdef.txt", BinaryData.FromString(text));
        // The planned schema v2 shape (docs/CONTRACT.md): the consumer reads each attachment's text from its textBlob.
        const string attachmentText = "Kế hoạch số 45/KH-UBND về chỉnh trang đô thị";
        var attachments = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("attachments");
        await attachments.CreateAsync();
        await attachments.UploadBlobAsync("s/0123456789abcdef/ab12.txt", BinaryData.FromString(attachmentText));
        await container.UploadBlobAsync("s/2024/01/02/0123456789abcdef.json",
            BinaryData.FromString(JsonSerializer.Serialize(new
            {
                schemaVersion = 2, articleId = "0123456789abcdef", title = "Hội nghị", text, contentHash = hash,
                attachments = new object[]
                {
                    new { name = "Kế hoạch 45", url = "https://x/k.pdf", contentType = "application/pdf", sha256 = "ab12", pages = 2, textStatus = "extracted", textBlob = "s/0123456789abcdef/ab12.txt" },
                    new { name = "Ảnh chụp", url = "https://x/scan.pdf", contentType = "application/pdf", sha256 = "cd34", pages = 1, textStatus = "scanned", textBlob = (string?)null },
                },
            })));
        await queue.SendMessageAsync(JsonSerializer.Serialize(new
        {
            articleId = "0123456789abcdef", sourceId = "s", url = "https://x/a", blob = "s/2024/01/02/0123456789abcdef.json",
            version = 1, contentHash = hash, change = "created",
        }));
        var output = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "peek.jsonl");

        var peek = await RunConsumerAsync(azurite.ConnectionString, "--output", output, "--peek");

        Assert.True(peek.Exit == 0, peek.Err);
        var line = Assert.Single(ReadLines(output));
        Assert.Equal(text, line.GetProperty("text").GetString());
        var read = line.GetProperty("attachments");
        Assert.Equal(2, read.GetArrayLength());
        Assert.Equal(attachmentText, read[0].GetProperty("text").GetString());
        Assert.Equal("scanned", read[1].GetProperty("textStatus").GetString());
        Assert.Equal(JsonValueKind.Null, read[1].GetProperty("text").ValueKind);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [SkippableFact]
    public async Task UnreachableStorageIsOneLineAndExitCode3()
    {
        SkipUnlessPythonAzure();
        var port = AzuriteInstance.FreePort();
        var dead = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                   $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var output = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "none.jsonl");

        var run = await RunConsumerAsync(dead, "--output", output, "--until-empty");

        Assert.Equal(3, run.Exit);
        Assert.StartsWith("error: storage does not answer", run.Err.Trim());
        Assert.DoesNotContain("Traceback", run.Err);
    }
}
