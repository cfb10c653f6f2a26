using System.Net.Http.Headers;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Fetching;

public class ContentTypeCheckTests
{
    private static bool Accepts(AcceptedContent accepted, string? contentType) =>
        new FetchAttemptContext { Accepted = accepted, MaxBytes = 1 }
            .Accepts(contentType is null ? null : MediaTypeHeaderValue.Parse(contentType));

    [Theory]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("application/xhtml+xml", true)]
    [InlineData(null, true)]
    [InlineData("application/rss+xml", false)]
    [InlineData("application/pdf", false)]
    [InlineData("image/jpeg", false)]
    [InlineData("text/plain", false)]
    public void ArticlePagesMustBeHtml(string? contentType, bool accepted)
    {
        Assert.Equal(accepted, Accepts(AcceptedContent.Html, contentType));
    }

    [Theory]
    [InlineData("application/rss+xml", true)]
    [InlineData("application/atom+xml", true)]
    [InlineData("text/xml; charset=windows-1258", true)]
    [InlineData("application/x-gzip", true)]
    [InlineData("text/html", true)]
    [InlineData("text/plain", true)]
    [InlineData("application/json", false)]
    [InlineData("application/pdf", false)]
    public void FeedsAndSitemapsMayBeAnyXmlGzipOrMislabelledText(string contentType, bool accepted)
    {
        Assert.Equal(accepted, Accepts(AcceptedContent.Html | AcceptedContent.Xml, contentType));
    }
}
