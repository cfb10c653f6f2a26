using System.IO.Compression;
using System.Text;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Discovery;

public class XmlTextTests
{
    static XmlTextTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static FetchResult Fetched(byte[] body, string contentType) => new()
    {
        RequestedUrl = new Uri("https://portal.example/rss"),
        Body = body,
        ContentType = contentType,
        Text = CharsetDecoder.Decode(body, contentType).Text,
    };

    [Fact]
    public void XmlDeclarationNamesTheEncodingWhenTheHeaderDoesNot()
    {
        // 0xC3 is "Ã" in windows-1252 but "Ă" in windows-1258: only the declaration tells them apart.
        var body = Encoding.GetEncoding(1252).GetBytes("<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><t>Ã</t></rss>");

        var text = XmlText.Decode(Fetched(body, "application/rss+xml"), 1 << 20);

        Assert.Contains("<t>Ã</t>", text);
    }

    [Fact]
    public void HeaderCharsetWinsOverTheDeclaration()
    {
        var body = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><t>Hà Nội</t></rss>");

        var text = XmlText.Decode(Fetched(body, "application/rss+xml; charset=utf-8"), 1 << 20);

        Assert.Contains("<t>Hà Nội</t>", text);
    }

    [Fact]
    public void GzipBodyIsInflatedWithinTheCap()
    {
        var xml = Encoding.UTF8.GetBytes("<urlset>" + new string(' ', 5000) + "</urlset>");
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(xml);
        var fetched = Fetched(buffer.ToArray(), "application/x-gzip");

        Assert.StartsWith("<urlset>", XmlText.Decode(fetched, 1 << 20));
        Assert.Throws<InvalidDataException>(() => XmlText.Decode(fetched, 1000));
    }

    [Theory]
    [InlineData("<t>a&nbsp;b</t>", "<t>a&#160;b</t>")]
    [InlineData("<t>AT&T</t>", "<t>AT&amp;T</t>")]
    [InlineData("<t>&amp;&lt;&#7899;&#x1EDB;</t>", "<t>&amp;&lt;&#7899;&#x1EDB;</t>")]
    [InlineData("<t>&bogus;</t>", "<t>&amp;bogus;</t>")]
    [InlineData("<t>a\u0001b</t>", "<t>ab</t>")]
    public void RepairLeavesXmlThatParses(string broken, string repaired)
    {
        Assert.Equal(repaired, XmlText.Repair(broken));
    }
}
