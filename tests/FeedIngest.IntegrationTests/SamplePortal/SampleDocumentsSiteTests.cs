using System.Net;
using AngleSharp.Html.Parser;
using FeedIngest.Core.Attachments;
using FeedIngest.Core.Clustering;
using FeedIngest.SamplePortal;
using Microsoft.Extensions.Options;

namespace FeedIngest.IntegrationTests.SamplePortal;

/// <summary>
/// The documents section of the sample portal over real HTTP: served only with the flag, its attachment links found by
/// <see cref="AttachmentLinkFinder"/> and read by <see cref="AttachmentTextExtractor"/>, its two copies of one release
/// recognised by the syndication signature.
/// </summary>
public sealed class SampleDocumentsSiteTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task TheDefaultPortalDoesNotServeTheSection()
    {
        await using var portal = await SamplePortalServer.StartAsync();
        foreach (var path in new[] { SampleDocumentsSite.IndexPath, SampleDocumentsSite.AttachmentArticlePath, SampleDocumentsSite.DocxPath })
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri(portal.BaseUrl, path))).StatusCode);
    }

    [SkippableFact]
    public async Task AttachmentsOfTheArticleAreFoundServedWithTheirTypesAndReadInVietnamese()
    {
        Skip.IfNot(File.Exists(SampleDocumentsSite.FontPath), $"{SampleDocumentsSite.FontPath} is missing (fonts-dejavu-core; ./test.sh installs it)");
        await using var portal = await SamplePortalServer.StartAsync(0, withDocuments: true);
        var pageUrl = new Uri(portal.BaseUrl, SampleDocumentsSite.AttachmentArticlePath);
        var document = new HtmlParser().ParseDocument(await Http.GetStringAsync(pageUrl));

        var links = AttachmentLinkFinder.Find(document.QuerySelector("#noi-dung")!, pageUrl, ["sample-portal.feedingest.dev"]);

        Assert.Equal(
            [("Kế hoạch số 45/KH-UBND", SampleDocumentsSite.PdfPath), ("Phụ lục danh mục tuyến phố", SampleDocumentsSite.DocxPath)],
            links.Select(l => (l.Name, l.Url.AbsolutePath)));
        var extractor = new AttachmentTextExtractor(Options.Create(new AttachmentOptions()));
        var results = new List<AttachmentResult>();
        foreach (var link in links)
        {
            using var response = await Http.GetAsync(link.Url);
            response.EnsureSuccessStatusCode();
            results.Add(extractor.Extract(link, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.All(results, r => Assert.Equal(AttachmentTextStatus.Extracted, r.TextStatus));
        Assert.Equal("application/pdf", results[0].ContentType);
        Assert.Equal(string.Join("\n", SampleDocumentsSite.PdfLines), results[0].Text);
        Assert.Equal(1, results[0].Pages);
        Assert.Equal(AttachmentKind.Docx, results[1].Kind);
        Assert.Equal(string.Join("\n", SampleDocumentsSite.DocxParagraphs.Concat(SampleDocumentsSite.DocxTable.Select(r => string.Join(" | ", r)))), results[1].Text);
    }

    [Fact]
    public async Task TheReleasePublishedOnBothPageFamiliesIsOneStoryAndTheAttachmentArticleIsAnother()
    {
        await using var portal = await SamplePortalServer.StartAsync(0, withDocuments: true);
        async Task<MinHashSignature> BodyOf(string path)
        {
            var page = new HtmlParser().ParseDocument(await Http.GetStringAsync(new Uri(portal.BaseUrl, path)));
            return MinHashSignature.Compute(page.QuerySelector("#noi-dung")!.TextContent);
        }
        var gov = await BodyOf(SampleDocumentsSite.ReleaseGovPath);
        var news = await BodyOf(SampleDocumentsSite.ReleaseNewsPath);
        var other = await BodyOf(SampleDocumentsSite.AttachmentArticlePath);

        Assert.True(gov.Similarity(news) >= SyndicationIndex.Threshold, $"{gov.Similarity(news)}");
        Assert.True(gov.Similarity(other) < SyndicationIndex.Threshold, $"{gov.Similarity(other)}");
        var index = await Http.GetStringAsync(new Uri(portal.BaseUrl, SampleDocumentsSite.IndexPath));
        Assert.Contains(SampleDocumentsSite.ReleaseNewsPath, index);
    }
}
