using System.Diagnostics;
using System.Text;
using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>Bad input gives a clear result or a clear error in bounded time; never a crash of the batch.</summary>
public sealed class RobustnessTests
{
    private const string Paragraph = "Đoạn văn của bài viết, đủ dài để được coi là nội dung chính, có dấu phẩy, và có cả những từ tiếng Việt có dấu.";

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void EmptyInputIsAClearError(string html)
    {
        var e = Assert.Throws<ExtractionException>(() => new ArticleExtractor().Extract(html));

        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryGarbageIsAClearError()
    {
        var random = new Random(42);
        var bytes = new byte[64 * 1024];
        random.NextBytes(bytes);
        var text = Encoding.Latin1.GetString(bytes);

        var e = Assert.Throws<ExtractionException>(() => new ArticleExtractor().Extract(text));

        Assert.Contains("not an HTML page", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BytesDecodedWithTheWrongCharsetAreAClearErrorWhenReplacementCharactersAbound()
    {
        var text = "<html><body><p>" + string.Concat(Enumerable.Repeat("ab\uFFFD\uFFFDcd\uFFFDệ ", 400)) + "</p></body></html>";

        var e = Assert.Throws<ExtractionException>(() => new ArticleExtractor().Extract(text));

        Assert.Contains("not an HTML page", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FiftyMegabytePageFinishesInSecondsAndSaysItWasTruncated()
    {
        var sb = new StringBuilder(52_000_000);
        sb.Append("<html><body><article><h1>Trang rất lớn</h1>");
        for (var i = 0; i < 5; i++) sb.Append("<p>").Append(Paragraph).Append("</p>");
        var filler = "<div class=\"x\">" + new string('a', 990) + "</div>";
        while (sb.Length < 50_000_000) sb.Append(filler);
        sb.Append("</article></body></html>");
        var html = sb.ToString();
        var clock = Stopwatch.StartNew();

        var article = new ArticleExtractor().Extract(html);

        clock.Stop();
        Assert.True(article.Truncated);
        Assert.Contains(Paragraph, article.Blocks);
        // A hang guard, not a timing: AngleSharp parses deep nesting in quadratic time (2-3 s alone, 20+ s on a loaded CI box).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"took {clock.Elapsed}");
    }

    [Fact]
    public void TenThousandDeepNestingDoesNotOverflowTheStack()
    {
        var sb = new StringBuilder();
        sb.Append("<html><body>");
        for (var i = 0; i < 10_000; i++) sb.Append("<div>");
        sb.Append("<p>").Append(Paragraph).Append("</p><p>").Append(Paragraph).Append(" Thêm câu.</p>");
        for (var i = 0; i < 10_000; i++) sb.Append("</div>");
        sb.Append("</body></html>");
        var clock = Stopwatch.StartNew();

        var article = new ArticleExtractor().Extract(sb.ToString());

        Assert.Contains(Paragraph, article.Blocks);
        // A hang guard, not a timing: AngleSharp parses deep nesting in quadratic time (2-3 s alone, 20+ s on a loaded CI box).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"took {clock.Elapsed}");
    }

    [Fact]
    public void UnclosedTagsStillGiveSeparateParagraphs()
    {
        var html = $"<html><body><div class=content><p>{Paragraph}<p>{Paragraph} Hai.<p>{Paragraph} Ba.<div><b>chữ đậm không đóng";

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(Paragraph, article.Blocks[0]);
        Assert.Equal(Paragraph + " Hai.", article.Blocks[1]);
    }

    [Fact]
    public void PlainTextWithoutMarkupIsAClearError()
    {
        Assert.Throws<ExtractionException>(() => new ArticleExtractor().Extract("chỉ là văn bản, không có thẻ nào"));
    }

    [Fact]
    public void ConcurrentExtractionsWithOneExtractorAgree()
    {
        var extractor = new ArticleExtractor();
        var html = $"<html><body><article><h1>Tiêu đề</h1><p>{Paragraph}</p><p>{Paragraph} Hai.</p></article></body></html>";
        var expected = extractor.Extract(html).Text;

        var texts = new string[64];
        Parallel.For(0, texts.Length, i => texts[i] = extractor.Extract(html).Text);

        Assert.All(texts, t => Assert.Equal(expected, t));
    }
}
