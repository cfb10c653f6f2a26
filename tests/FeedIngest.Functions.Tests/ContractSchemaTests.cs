using System.Text.Json;
using System.Text.Json.Nodes;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;

namespace FeedIngest.Functions.Tests;

/// <summary>The published schemas against what the code writes (stored documents and events are checked in the pipeline test).</summary>
public sealed class ContractSchemaTests
{
    private static ArticleDocument SparseDocument() => ArticleDocumentFactory.Create(
        new ExtractedArticle { Blocks = ["Chỉ một đoạn văn."] },
        new SourceDefinition { Id = "sample-portal", Name = "Sample", BaseUrl = "https://sample-portal.feedingest.dev/" },
        "0123456789abcdef",
        new Uri("https://sample-portal.feedingest.dev/tin-tuc/a-1.html"),
        new Uri("https://sample-portal.feedingest.dev/tin-tuc/a-1.html"),
        new DateTimeOffset(2024, 11, 21, 12, 41, 0, TimeSpan.Zero));

    [Fact]
    public void ADocumentWithEveryOptionalValueMissingIsValidAndWritesThemAsNull()
    {
        var json = JsonSerializer.Serialize(SparseDocument(), ContractJson.Options);

        Assert.Empty(ContractSchemas.Article.Violations(json));
        var node = JsonNode.Parse(json)!.AsObject();
        foreach (var name in new[] { "title", "lead", "publishedAt", "author", "sourceAttribution", "category", "district", "language" })
            Assert.True(node.ContainsKey(name) && node[name] is null, $"{name} must be present and null");
    }

    [Fact]
    public void TheSchemaNamesExactlyThePropertiesTheCodeWrites()
    {
        var written = JsonNode.Parse(JsonSerializer.Serialize(SparseDocument(), ContractJson.Options))!.AsObject().Select(p => p.Key);
        var schema = ContractSchemas.ArticleText;

        Assert.Equal(schema["properties"]!.AsObject().Select(p => p.Key).Order(), written.Order());
        Assert.Equal(schema["required"]!.AsArray().Select(r => (string)r!).Order(), written.Order());
        Assert.Equal(ArticleDocument.CurrentSchemaVersion, (int)schema["properties"]!["schemaVersion"]!["const"]!);
    }

    [Theory]
    [InlineData("lead", null, true)]
    [InlineData("contentHash", "ABC", false)]
    [InlineData("articleId", "0123456789ABCDEF", false)]
    [InlineData("publishedAt", "21/11/2024 19:41", false)]
    [InlineData("publishedAt", "2024-11-21T19:41:00", false)]
    [InlineData("schemaVersion", "1", false)]
    [InlineData("clusterId", "not-an-id", false)]
    [InlineData("clusterId", null, true)]
    [InlineData("attachments", null, true)]
    [InlineData("text", "", false)]
    public void TheArticleSchemaRejectsWhatTheContractForbids(string property, string? value, bool removeInstead)
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(SparseDocument() with { PublishedAt = "2024-11-21T19:41:00+07:00" }, ContractJson.Options))!.AsObject();
        if (removeInstead) node.Remove(property);
        else node[property] = property == "schemaVersion" ? JsonValue.Create(int.Parse(value!, System.Globalization.CultureInfo.InvariantCulture)) : JsonValue.Create(value);

        Assert.NotEmpty(ContractSchemas.Article.Violations(node.ToJsonString()));
    }

    private static ArticleAttachmentDocument Extracted() => new()
    {
        Name = "Kế hoạch số 45/KH-UBND", Url = "https://sample-portal.feedingest.dev/van-ban/files/k.pdf", ContentType = "application/pdf", Bytes = 1234,
        Sha256 = new string('b', 64), Blob = "sample-portal/0123456789abcdef/" + new string('b', 64) + ".pdf",
        TextBlob = "sample-portal/0123456789abcdef/" + new string('b', 64) + ".txt", Pages = 1, TextStatus = "extracted",
    };

    [Fact]
    public void AttachmentsOfEveryStatusAsTheCollectorWritesThemAreValid()
    {
        var refused = new ArticleAttachmentDocument { Name = "x", Url = "https://sample-portal.feedingest.dev/x.pdf", ContentType = "text/html", TextStatus = "wrong-type", Reason = "content-type text/html is not a document" };
        var scanned = Extracted() with { TextBlob = null, TextStatus = "scanned", Reason = "no text layer" };
        var failed = new ArticleAttachmentDocument { Name = "y", Url = "https://sample-portal.feedingest.dev/y.pdf", TextStatus = "fetch-failed", Reason = "[http-status] HTTP 404" };
        var json = JsonSerializer.Serialize(SparseDocument() with { Attachments = [Extracted(), refused, scanned, failed] }, ContractJson.Options);

        Assert.Empty(ContractSchemas.Article.Violations(json));
    }

    [Fact]
    public void AnExtractedAttachmentNeedsItsTextBlobAndOnlyAnExtractedOneHasOne()
    {
        Assert.NotEmpty(ContractSchemas.Article.Violations(JsonSerializer.Serialize(SparseDocument() with { Attachments = [Extracted() with { TextBlob = null }] }, ContractJson.Options)));
        Assert.NotEmpty(ContractSchemas.Article.Violations(JsonSerializer.Serialize(SparseDocument() with { Attachments = [Extracted() with { TextStatus = "broken" }] }, ContractJson.Options)));
        Assert.NotEmpty(ContractSchemas.Article.Violations(JsonSerializer.Serialize(SparseDocument() with { Attachments = [Extracted() with { TextStatus = "mislaid" }] }, ContractJson.Options)));
    }

    [Fact]
    public void AnEventAsThePublisherWritesItIsValidAndAnUnknownChangeIsNot()
    {
        var articleEvent = new ArticleEvent("0123456789abcdef", "sample-portal", "https://sample-portal.feedingest.dev/tin-tuc/a-1.html",
            "sample-portal/2024/11/21/0123456789abcdef.json", 1, new string('a', 64), ArticleChange.Created) { ClusterId = "0123456789abcdef", Attachments = 2 };
        var json = JsonSerializer.Serialize(articleEvent, ContractJson.Compact);

        Assert.Empty(ContractSchemas.ArticleEvent.Violations(json));
        Assert.NotEmpty(ContractSchemas.ArticleEvent.Violations(json.Replace("\"created\"", "\"deleted\"", StringComparison.Ordinal)));
        Assert.NotEmpty(ContractSchemas.ArticleEvent.Violations(json.Replace("\"version\":1", "\"version\":0", StringComparison.Ordinal)));
        Assert.Contains("\"schemaVersion\":2", json);
        Assert.Contains("\"clusterId\":\"0123456789abcdef\"", json);
    }
}
