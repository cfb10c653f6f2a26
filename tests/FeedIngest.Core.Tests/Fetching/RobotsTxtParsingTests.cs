using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Fetching;

public class RobotsTxtParsingTests
{
    private static Uri U(string path) => new("https://portal.example" + path);

    [Fact]
    public void LongestMatchingRuleWinsAndAllowWinsATie()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /tin-tuc/\nAllow: /tin-tuc/cong-khai/\nDisallow: /a\nAllow: /a\n", "FeedIngest/1.0");

        Assert.False(robots.IsAllowed(U("/tin-tuc/noi-bo.html")));
        Assert.True(robots.IsAllowed(U("/tin-tuc/cong-khai/bai.html")));
        Assert.True(robots.IsAllowed(U("/a")));
        Assert.True(robots.IsAllowed(U("/lien-he")));
    }

    [Fact]
    public void WildcardsAndEndAnchorsMatchAsInRfc9309()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?print=\n", "FeedIngest/1.0");

        Assert.False(robots.IsAllowed(U("/van-ban/quyet-dinh.pdf")));
        Assert.True(robots.IsAllowed(U("/van-ban/quyet-dinh.pdf.html")));
        Assert.False(robots.IsAllowed(U("/tin/bai.html?print=1")));
        Assert.True(robots.IsAllowed(U("/tin/bai.html?page=1")));
    }

    [Fact]
    public void OurProductGroupIsChosenOverTheWildcardGroupCaseInsensitively()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /\n\nUser-agent: feedingest\nUser-agent: OtherBot\nDisallow: /rieng/\nCrawl-delay: 2.5\n", "FeedIngest/1.0");

        Assert.True(robots.IsAllowed(U("/tin-tuc/bai.html")));
        Assert.False(robots.IsAllowed(U("/rieng/x")));
        Assert.Equal(TimeSpan.FromSeconds(2.5), robots.CrawlDelay);
    }

    [Fact]
    public void EmptyDisallowCommentsAndSitemapsAreHandled()
    {
        var robots = RobotsTxt.Parse("# comment\nUser-agent: * # all\nDisallow:\n\nSitemap: https://portal.example/sitemap.xml\nSitemap: not a url\n", "FeedIngest/1.0");

        Assert.True(robots.IsAllowed(U("/anything")));
        Assert.Null(robots.CrawlDelay);
        Assert.Equal(["https://portal.example/sitemap.xml"], robots.Sitemaps);
    }

    [Fact]
    public void DisallowAllStillAllowsRobotsTxtItself()
    {
        Assert.False(RobotsTxt.DisallowAll.IsAllowed(U("/")));
        Assert.True(RobotsTxt.DisallowAll.IsAllowed(U("/robots.txt")));
    }
}
