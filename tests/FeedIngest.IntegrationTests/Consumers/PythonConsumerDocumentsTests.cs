using System.Text.Json;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Consumers;

/// <summary>
/// samples/python-consumer after a real CLI harvest of the sample portal's documents section: each article's line
/// carries its clusterId and, for the attachment article, both documents' text read from container <c>attachments</c>.
/// </summary>
public sealed class PythonConsumerDocumentsTests(DocumentsHarvestEnvironment env) : IClassFixture<DocumentsHarvestEnvironment>
{
    [SkippableFact]
    public async Task TheConsumerWritesTheAttachmentsTextAndTheClusterOfEveryArticle()
    {
        PythonConsumerTests.SkipUnlessPythonAzure();
        Skip.IfNot(File.Exists(SampleDocumentsSite.FontPath), $"{SampleDocumentsSite.FontPath} is missing: the sample PDF needs DejaVu Sans (fonts-dejavu-core)");
        var harvest = await env.HarvestAsync();
        Assert.True(harvest.ExitCode == 0, $"harvest exited {harvest.ExitCode}\n{harvest.Output}\n{harvest.Error}");
        var output = Path.Combine(HarvestEnvironment.NewTempFolder(), "documents.jsonl");

        var run = await PythonConsumerTests.RunConsumerAsync(env.Azurite.ConnectionString, "--output", output, "--until-empty", "--idle-seconds", "2");

        Assert.True(run.Exit == 0, $"consumer exited {run.Exit}\n{run.Out}\n{run.Err}");
        var lines = PythonConsumerTests.ReadLines(output);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(2, l.GetProperty("schemaVersion").GetInt32()));
        var withDocuments = Assert.Single(lines, l => l.GetProperty("articleId").GetString() == DocumentsHarvestEnvironment.ArticleId(SampleDocumentsSite.AttachmentArticlePath));
        var attachments = withDocuments.GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(
            [string.Join("\n", SampleDocumentsSite.PdfLines), string.Join("\n", SampleDocumentsSite.DocxParagraphs.Concat(SampleDocumentsSite.DocxTable.Select(r => string.Join(" | ", r))))],
            attachments.Select(a => a.GetProperty("text").GetString()));
        Assert.All(attachments, a => Assert.Equal("extracted", a.GetProperty("textStatus").GetString()));
        var gov = Assert.Single(lines, l => l.GetProperty("articleId").GetString() == DocumentsHarvestEnvironment.ArticleId(SampleDocumentsSite.ReleaseGovPath));
        var news = Assert.Single(lines, l => l.GetProperty("articleId").GetString() == DocumentsHarvestEnvironment.ArticleId(SampleDocumentsSite.ReleaseNewsPath));
        Assert.Equal(gov.GetProperty("clusterId").GetString(), news.GetProperty("clusterId").GetString());
        Assert.NotEqual(gov.GetProperty("clusterId").GetString(), withDocuments.GetProperty("clusterId").GetString());
        Assert.Equal(JsonValueKind.Array, gov.GetProperty("attachments").ValueKind);
    }
}
