using System.Text;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Extraction;

public sealed class CharsetDecoderTests
{
    private const string Vietnamese = "Quận ủy Hoàn Kiếm tổng kết công tác năm 2020";

    static CharsetDecoderTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Text as windows-1258 stores it: precomposed base letters (â, ư, ơ, đ) with the tone marks as combining characters.</summary>
    private static byte[] ToWindows1258(string text)
    {
        static bool IsTone(char c) => c is '\u0300' or '\u0301' or '\u0303' or '\u0309' or '\u0323';
        var sb = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormC))
        {
            var d = ch.ToString().Normalize(NormalizationForm.FormD);
            sb.Append(new string(d.Where(c => !IsTone(c)).ToArray()).Normalize(NormalizationForm.FormC));
            sb.Append(d.Where(IsTone).ToArray());
        }
        return Encoding.GetEncoding(1258, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback).GetBytes(sb.ToString());
    }

    [Fact]
    public void Windows1258FromTheHeaderDecodesToNfc()
    {
        var bytes = ToWindows1258("<html><body><p>" + Vietnamese + "</p></body></html>");

        var decoded = CharsetDecoder.Decode(bytes, "text/html; charset=windows-1258");

        Assert.Equal("windows-1258", decoded.Charset);
        Assert.Contains(Vietnamese, decoded.Text, StringComparison.Ordinal);
        Assert.True(decoded.Text.IsNormalized(NormalizationForm.FormC));
    }

    [Fact]
    public void Windows1258FromTheMetaTagIsHonouredWithoutAHeader()
    {
        var bytes = ToWindows1258("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\"></head><body><p>" + Vietnamese + "</p></body></html>");

        var decoded = CharsetDecoder.Decode(bytes);

        Assert.Equal("windows-1258", decoded.Charset);
        Assert.Contains(Vietnamese, decoded.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void UndeclaredLegacyBytesAreDetectedAsWindows1258()
    {
        var bytes = ToWindows1258("<p>" + Vietnamese + "</p>");

        var decoded = CharsetDecoder.Decode(bytes);

        Assert.Equal("windows-1258", decoded.Charset);
        Assert.Contains(Vietnamese, decoded.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void MetaCharsetIsFoundWhenTheHeaderSaysNothing()
    {
        var bytes = Encoding.UTF8.GetBytes("<html><head><meta charset=\"utf-8\"></head><body>" + Vietnamese + "</body></html>");

        var decoded = CharsetDecoder.Decode(bytes, "text/html");

        Assert.Equal("utf-8", decoded.Charset);
        Assert.Contains(Vietnamese, decoded.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ByteOrderMarkWinsOverAWrongHeader()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("<p>" + Vietnamese + "</p>")).ToArray();

        var decoded = CharsetDecoder.Decode(bytes, "text/html; charset=iso-8859-1");

        Assert.Equal("utf-8", decoded.Charset);
        Assert.StartsWith("<p>Quận", decoded.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void NfdUtf8IsReturnedInNfc()
    {
        var bytes = Encoding.UTF8.GetBytes("<p>" + Vietnamese.Normalize(NormalizationForm.FormD) + "</p>");

        var decoded = CharsetDecoder.Decode(bytes, "text/html; charset=utf-8");

        Assert.Contains(Vietnamese, decoded.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void EntityMixedNfdTextExtractsAsNfc()
    {
        // Decomposed letters, numeric entities for the combining tone marks, and named entities in one paragraph.
        var html = "<html><body><article><h1>Tiêu đề</h1><p>Qua&#803;&#770;n u&#777;y Hoa\u0300n Kiê\u0301m &amp; nhân dân &quot;thủ đô&quot;, "
                   + "một đoạn văn đủ dài để được nhận là nội dung chính của bài viết này trên cổng thông tin.</p></article></body></html>";

        var article = new ArticleExtractor().Extract(html);

        Assert.True(article.Text.StartsWith("Quận ủy Hoàn Kiếm & nhân dân \"thủ đô\"", StringComparison.Ordinal), article.Text);
        Assert.True(article.Text.IsNormalized(NormalizationForm.FormC));
    }
}
