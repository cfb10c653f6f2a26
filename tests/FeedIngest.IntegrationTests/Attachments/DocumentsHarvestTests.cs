using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Attachments;

/// <summary>
/// The real CLI harvests the sample portal's documents section into a private Azurite: the attachment article's PDF and
/// DOCX are fetched, stored under the documented layout with their Vietnamese text, the two copies of the release share
/// one clusterId, <c>articles cluster</c> lists them, and every document and event is valid against schemas/.
/// </summary>
public sealed class DocumentsHarvestTests(DocumentsHarvestEnvironment env) : IClassFixture<DocumentsHarvestEnvironment>
{
    private static void SkipUnlessFont() =>
        Skip.IfNot(File.Exists(SampleDocumentsSite.FontPath), $"{SampleDocumentsSite.FontPath} is missing: the sample PDF needs DejaVu Sans (fonts-dejavu-core; ./test.sh installs it)");

    private async Task HarvestedAsync()
    {
        var harvest = await env.HarvestAsync();
        Assert.True(harvest.ExitCode == 0, $"harvest exited {harvest.ExitCode}\n{harvest.Output}\n{harvest.Error}");
    }

    private async Task<(ArticleEntity Row, JsonElement Document)> StoredAsync(string path)
    {
        var id = DocumentsHarvestEnvironment.ArticleId(path);
        var row = (await new TableServiceClient(env.Azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable)
            .GetEntityIfExistsAsync<ArticleEntity>(DocumentsHarvestEnvironment.SourceId, id)).Value;
        Assert.True(row is { Status: ArticleStatus.Stored }, $"{path} ({id}) is not stored");
        var json = (await Container(StorageNames.ArticlesContainer).GetBlobClient(row!.JsonBlob).DownloadContentAsync()).Value.Content.ToString();
        Assert.Empty(ContractSchemas.Article.Violations(json));
        return (row, JsonDocument.Parse(json).RootElement.Clone());
    }

    private BlobContainerClient Container(string name) => new BlobServiceClient(env.Azurite.ConnectionString).GetBlobContainerClient(name);

    [SkippableFact]
    public async Task TheAttachmentsAreStoredUnderTheDocumentedLayoutWithTheirVietnameseText()
    {
        SkipUnlessFont();
        await HarvestedAsync();
        var (row, document) = await StoredAsync(SampleDocumentsSite.AttachmentArticlePath);

        Assert.Equal(2, document.GetProperty("schemaVersion").GetInt32());
        var attachments = document.GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["Kế hoạch số 45/KH-UBND", "Phụ lục danh mục tuyến phố"], attachments.Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"], attachments.Select(a => a.GetProperty("contentType").GetString()));
        Assert.All(attachments, a => Assert.Equal("extracted", a.GetProperty("textStatus").GetString()));
        Assert.Equal(1, attachments[0].GetProperty("pages").GetInt32());
        string[] expected =
        [
            string.Join("\n", SampleDocumentsSite.PdfLines),
            string.Join("\n", SampleDocumentsSite.DocxParagraphs.Concat(SampleDocumentsSite.DocxTable.Select(r => string.Join(" | ", r)))),
        ];
        var store = Container(StorageNames.AttachmentsContainer);
        for (var i = 0; i < attachments.Count; i++)
        {
            var a = attachments[i];
            var sha = a.GetProperty("sha256").GetString()!;
            var extension = i == 0 ? "pdf" : "docx";
            Assert.Equal($"{DocumentsHarvestEnvironment.SourceId}/{row.RowKey}/{sha}.{extension}", a.GetProperty("blob").GetString());
            Assert.Equal($"{DocumentsHarvestEnvironment.SourceId}/{row.RowKey}/{sha}.txt", a.GetProperty("textBlob").GetString());
            var bytes = (await store.GetBlobClient(a.GetProperty("blob").GetString()).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(bytes.LongLength, a.GetProperty("bytes").GetInt64());
            var text = (await store.GetBlobClient(a.GetProperty("textBlob").GetString()).DownloadContentAsync()).Value.Content.ToString();
            Assert.Equal(expected[i], text);
            Assert.True(text.IsNormalized(NormalizationForm.FormC));
        }
        Assert.Equal(2, row.AttachmentCount);
    }

    [Fact]
    public async Task TheTwoCopiesOfTheReleaseShareTheEarliestCopysClusterAndTheCliListsThem()
    {
        await HarvestedAsync();
        var (gov, govDocument) = await StoredAsync(SampleDocumentsSite.ReleaseGovPath);
        var (news, newsDocument) = await StoredAsync(SampleDocumentsSite.ReleaseNewsPath);
        var (other, _) = await StoredAsync(SampleDocumentsSite.AttachmentArticlePath);

        // One story: the id of the earliest copy known when the cluster formed (the two are harvested in parallel, so
        // either may have been stored first; a copy stored later but published earlier joins the existing cluster).
        Assert.Contains(gov.ClusterId, new[] { gov.RowKey, news.RowKey });
        Assert.Equal(gov.ClusterId, news.ClusterId);
        Assert.Equal(gov.ClusterId, newsDocument.GetProperty("clusterId").GetString());
        Assert.Equal(gov.ClusterId, govDocument.GetProperty("clusterId").GetString());
        Assert.Equal(other.RowKey, other.ClusterId);

        var listed = await env.RunCliAsync("articles", "cluster", news.RowKey);
        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Contains($"cluster {gov.ClusterId}: 2 copies", listed.Output);
        // Copies are listed by date: the government page (10:30) before the news copy (14:30).
        var body = listed.Output[listed.Output.IndexOf('\n')..];
        Assert.True(body.IndexOf(gov.RowKey, StringComparison.Ordinal) is >= 0 and var g && g < body.IndexOf(news.RowKey, StringComparison.Ordinal),
            "the earliest copy is listed first\n" + listed.Output);

        var json = await env.RunCliAsync("articles", "cluster", other.RowKey, "--json");
        Assert.True(json.ExitCode == 0, json.Error);
        var view = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal(other.RowKey, view.GetProperty("clusterId").GetString());
        Assert.Equal([other.RowKey], view.GetProperty("copies").EnumerateArray().Select(c => c.GetProperty("articleId").GetString()));

        var unknown = await env.RunCliAsync("articles", "cluster", "ffffffffffffffff");
        Assert.Equal(5, unknown.ExitCode);
        Assert.StartsWith("error: no stored article with id ffffffffffffffff", unknown.Error.Trim());
    }

    [Fact]
    public async Task EveryEventAnnouncesSchema2AndTheClusterAndIsValid()
    {
        await HarvestedAsync();
        var queue = new QueueClient(env.Azurite.ConnectionString, StorageNames.ArticleEventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var events = (await queue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();

        Assert.Equal(3, events.Count);
        foreach (var json in events)
        {
            Assert.Empty(ContractSchemas.ArticleEvent.Violations(json));
            var e = JsonDocument.Parse(json).RootElement;
            Assert.Equal(2, e.GetProperty("schemaVersion").GetInt32());
            Assert.Matches("^[0-9a-f]{16}$", e.GetProperty("clusterId").GetString());
        }
    }
}
