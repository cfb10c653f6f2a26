using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Tests.Discovery;

public class FeedParserTests
{
    private static readonly Uri FeedUrl = new("https://portal.example/rss/tin-tuc.rss");

    [Fact]
    public void RssItemsKeepLinkTitleAndDateEvenWhenSomeDatesAreBroken()
    {
        const string rss = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>T</title><link>https://portal.example/</link><description>d</description>
              <lastBuildDate>not a date at all</lastBuildDate>
              <item><title><![CDATA[Hà Nội <em>&amp;</em> Thủ đô]]></title><link>https://portal.example/a-123456.html</link><pubDate>Thu, 21 Nov 2024 19:41:00 +0700</pubDate></item>
              <item><title>Cầu &amp;amp; đường</title><link>/b-123456.html</link><pubDate>Thứ năm, 21/11/2024</pubDate></item>
            </channel></rss>
            """;

        var items = FeedParser.Parse(rss, FeedUrl);

        Assert.Equal(2, items.Count);
        Assert.Equal("Hà Nội & Thủ đô", items[0].Title);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 19, 41, 0, TimeSpan.FromHours(7)), items[0].PublishedAt);
        Assert.Equal("Cầu & đường", items[1].Title); // double-encoded entity
        Assert.Equal(new Uri("https://portal.example/b-123456.html"), items[1].Url);
        // A Vietnamese day name before the date is dropped, the date kept.
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 0, 0, 0, TimeSpan.FromHours(7)), items[1].PublishedAt);
    }

    [Fact]
    public void HtmlEntitiesThatXmlDoesNotDefineDoNotBreakTheFeed()
    {
        const string rss = """
            <rss version="2.0"><channel><title>T&nbsp;&copy;</title><link>https://portal.example/</link><description>d</description>
              <item><title>Tin&nbsp;m&#7899;i &ndash; AT&T</title><link>https://portal.example/c-123456.html</link></item>
            </channel></rss>
            """;

        var item = Assert.Single(FeedParser.Parse(rss, FeedUrl));

        Assert.Equal("Tin mới – AT&T", item.Title);
    }

    [Fact]
    public void AtomEntriesAreRead()
    {
        const string atom = """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id><updated>2024-11-21T00:00:00Z</updated>
              <entry><title>Một</title><id>urn:1</id><link href="https://portal.example/mot-123456"/><published>2024-11-20T08:00:00+07:00</published><updated>2024-11-21T00:00:00Z</updated></entry>
            </feed>
            """;

        var item = Assert.Single(FeedParser.Parse(atom, FeedUrl));

        Assert.Equal(new Uri("https://portal.example/mot-123456"), item.Url);
        Assert.Equal(new DateTimeOffset(2024, 11, 20, 8, 0, 0, TimeSpan.FromHours(7)), item.PublishedAt);
    }

    [Fact]
    public void FeedThatSyndicationRejectsIsStillReadByTheFallback()
    {
        // RSS 0.91-style document with items outside <channel>: Syndication refuses it.
        const string rss = """
            <rss version="0.91"><channel><title>T</title></channel>
              <item><title>Lạc chỗ</title><link>https://portal.example/lac-cho-123456.html</link><pubDate>21/11/2024 08:00</pubDate></item>
            </rss>
            """;

        var item = Assert.Single(FeedParser.Parse(rss, FeedUrl));

        Assert.Equal("Lạc chỗ", item.Title);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 8, 0, 0, TimeSpan.FromHours(7)), item.PublishedAt);
    }

    [Fact]
    public void HtmlInsteadOfAFeedIsAFormatError()
    {
        Assert.Throws<FormatException>(() => FeedParser.Parse("<html><body><p>Trang lỗi</p></body></html>", FeedUrl));
    }
}
