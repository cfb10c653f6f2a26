using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Tests.Discovery;

public class SitemapParserTests
{
    private static readonly Uri SitemapUrl = new("https://portal.example/sitemap.xml");

    [Fact]
    public void SitemapIndexListsChildrenWithLastModified()
    {
        var sitemap = SitemapParser.Parse("""
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>https://portal.example/sitemap-1.xml</loc><lastmod>2024-11-21</lastmod></sitemap>
              <sitemap><loc> https://portal.example/sitemap-2.xml.gz </loc></sitemap>
            </sitemapindex>
            """, SitemapUrl);

        Assert.Empty(sitemap.Urls);
        Assert.Equal(2, sitemap.Children.Count);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 0, 0, 0, TimeSpan.FromHours(7)), sitemap.Children[0].LastModified);
        Assert.Equal(new Uri("https://portal.example/sitemap-2.xml.gz"), sitemap.Children[1].Url);
    }

    [Fact]
    public void NewsSitemapGivesTitleAndPublicationDateButLastmodIsNotAPublishDate()
    {
        var sitemap = SitemapParser.Parse("""
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
              <url><loc>https://portal.example/a-123456.html</loc>
                <news:news><news:publication_date>2024-11-21T19:41:00+07:00</news:publication_date><news:title>Tin &amp; ảnh</news:title></news:news></url>
              <url><loc>https://portal.example/b-123456.html</loc><lastmod>2024-11-22</lastmod></url>
            </urlset>
            """, SitemapUrl);

        Assert.Equal(2, sitemap.Urls.Count);
        Assert.Equal("Tin & ảnh", sitemap.Urls[0].Title);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 19, 41, 0, TimeSpan.FromHours(7)), sitemap.Urls[0].PublishedAt);
        Assert.Null(sitemap.Urls[1].PublishedAt);
    }

    [Fact]
    public void OtherXmlIsAFormatError()
    {
        var ex = Assert.Throws<FormatException>(() => SitemapParser.Parse("<rss/>", SitemapUrl));

        Assert.Equal("not a sitemap (root element <rss>)", ex.Message);
    }
}
