using AngleSharp.Html.Parser;

namespace FeedIngest.Core.Extraction;

/// <summary>Placeholder: paragraphs of the page; the extraction engine replaces it.</summary>
public sealed class ArticleExtractor : IArticleExtractor
{
    public const string Version = "0.1.0";

    public ExtractedArticle Extract(string html, Uri? pageUrl = null, ExtractionContext? context = null)
    {
        var document = new HtmlParser().ParseDocument(html);
        var blocks = document.QuerySelectorAll("p")
            .Select(p => p.TextContent.Trim())
            .Where(t => t.Length > 0)
            .Select(t => t.Normalize(System.Text.NormalizationForm.FormC))
            .ToList();
        return new ExtractedArticle
        {
            Title = document.QuerySelector("h1")?.TextContent.Trim() ?? document.Title,
            CanonicalUrl = document.QuerySelector("link[rel=canonical]")?.GetAttribute("href"),
            Blocks = blocks,
        };
    }
}
