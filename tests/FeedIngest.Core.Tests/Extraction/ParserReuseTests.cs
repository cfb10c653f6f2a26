using AngleSharp.Html.Parser;
using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>The extractor's parser lends the tokenizer a per-thread buffer (ArticleExtractor.LendSourceBuffer): a document
/// must not depend on that buffer once parsed, since the next parse of a page of the same size overwrites it.</summary>
public sealed class ParserReuseTests
{
    private static string Page(string word, int paragraphs) =>
        "<html lang=\"vi\"><head><title>" + word + "</title><script type=\"application/ld+json\">{\"headline\": \"" + word + "\"}</script></head><body>"
        + string.Concat(Enumerable.Range(0, paragraphs).Select(i => $"<div class=\"c-{word}-{i}\" id=\"{word}{i}\"><p title=\"{word}\">{word} {i} &amp; Tiếng Việt</p><img src=\"/{word}/{i}.jpg\"></div>"))
        + "</body></html>";

    [Fact]
    public void ADocumentKeepsItsContentWhenLaterParsesReuseTheBuffer()
    {
        var first = Page("alpha", 12);
        var document = ArticleExtractor.Parse(first);
        // Same pool size (the lengths differ by a few characters), different text in every position.
        ArticleExtractor.Parse(Page("omega", 12));
        ArticleExtractor.Parse(Page("delta", 12));

        var fresh = new HtmlParser(new HtmlParserOptions { IsScripting = false, SkipComments = true, DisableElementPositionTracking = true, SkipRawText = true })
            .ParseDocument(first);
        Assert.Equal(fresh.DocumentElement.OuterHtml, document.DocumentElement.OuterHtml);
        Assert.Contains("alpha 11 &amp; Tiếng Việt", document.DocumentElement.OuterHtml);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<p>x")]
    public void APageWhoseParseLeavesTheLentBufferInThePoolNeverPutsItThereTwice(string page)
    {
        // An empty page rents no buffer: without taking the lent one back, the next lend would pool it a second time.
        ArticleExtractor.Parse(page);
        ArticleExtractor.Parse(page);
        ArticleExtractor.Parse(page);

        var first = System.Buffers.ArrayPool<char>.Shared.Rent(16);
        var second = System.Buffers.ArrayPool<char>.Shared.Rent(16);
        try
        {
            Assert.NotSame(first, second);
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(first);
            System.Buffers.ArrayPool<char>.Shared.Return(second);
        }
    }
}
