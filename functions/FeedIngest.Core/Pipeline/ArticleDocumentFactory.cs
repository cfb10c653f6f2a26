using FeedIngest.Core.Extraction;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Pipeline;

/// <summary>Builds the stored document from an extraction; the one place the contract's fields are filled.</summary>
public static class ArticleDocumentFactory
{
    public static ArticleDocument Create(ExtractedArticle extracted, SourceDefinition source, string articleId, Uri url, Uri canonicalUrl, DateTimeOffset fetchedAt,
        IReadOnlyList<ArticleAttachmentDocument>? attachments = null, string? clusterId = null, string? contentHash = null)
    {
        var text = extracted.Text;
        return new ArticleDocument
        {
            ArticleId = articleId,
            SourceId = source.Id,
            Url = url.AbsoluteUri,
            CanonicalUrl = canonicalUrl.AbsoluteUri,
            Title = extracted.Title,
            Lead = extracted.Lead,
            PublishedAt = extracted.PublishedAt is { } published ? ContractJson.FormatTimestamp(published) : null,
            Author = extracted.Author,
            SourceAttribution = extracted.SourceAttribution,
            Category = extracted.Category,
            District = source.District,
            Language = extracted.Language,
            Images = extracted.Images.Select(i => new ArticleImageDocument(i.Src, i.Caption)).ToList(),
            Text = text,
            // The caller may have hashed this text already (the duplicate lookup): SHA-256 once per page.
            ContentHash = contentHash ?? ArticleProcessor.ContentHash(text),
            ExtractorVersion = ArticleExtractor.Version,
            FetchedAt = ContractJson.FormatTimestamp(fetchedAt.ToUniversalTime()),
            Attachments = attachments ?? [],
            ClusterId = clusterId ?? articleId,
        };
    }
}
