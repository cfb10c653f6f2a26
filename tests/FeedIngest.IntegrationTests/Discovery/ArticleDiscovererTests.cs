using FeedIngest.Core.Discovery;
using FeedIngest.Core.Sources;
using FeedIngest.IntegrationTests.Fetching;

namespace FeedIngest.IntegrationTests.Discovery;

/// <summary>Discovery against the test portal's feeds, listings and sitemaps (in-process conditional state).</summary>
public sealed class ArticleDiscovererTests : TestPortalTests
{
    private SourceDefinition Source(Action<SourceDefinition> configure)
    {
        var source = new SourceDefinition
        {
            Id = "test-portal",
            Name = "Test portal",
            BaseUrl = _portal.BaseUrl.AbsoluteUri,
            DiscoverFeeds = false,
            Politeness = FetchingTestHost.Fast(),
        };
        configure(source);
        return source;
    }

    [Fact]
    public async Task RssOnlySourceYieldsCanonicalOwnHostArticlesWithCleanTitlesAndTolerantDates()
    {
        var source = Source(s => s.Feeds = [_portal.Url("/rss.xml").AbsoluteUri]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Articles.Count); // the foreign-host item is dropped
        var first = result.Articles[0];
        Assert.Equal(_portal.Url("/tin-tuc/ubnd-phuong-hang-bai-hop-trien-khai-nhiem-vu-thang-12.html"), first.Url); // utm_* removed
        Assert.Equal("UBND phường Hàng Bài họp & triển khai", first.Title);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 19, 41, 0, TimeSpan.FromHours(7)), first.PublishedAt);
        Assert.Equal("feed", first.Via);
        Assert.Equal("Ngày hội đại đoàn kết toàn dân tộc", result.Articles[1].Title); // &nbsp; survived as a space
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 8, 30, 0, TimeSpan.FromHours(7)), result.Articles[1].PublishedAt);
        Assert.Null(result.Articles[2].PublishedAt); // "hôm qua lúc 8 giờ" is not a date; the item is kept
        Assert.Equal(1, _portal.Count("/rss.xml"));
    }

    [Fact]
    public async Task AtomFeedIsReadToo()
    {
        var source = Source(s => s.Feeds = [_portal.Url("/atom.xml").AbsoluteUri]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        var article = Assert.Single(result.Articles);
        Assert.Equal("Phường Đống Đa", article.Title);
        Assert.Equal(new DateTimeOffset(2024, 11, 20, 10, 0, 0, TimeSpan.Zero), article.PublishedAt);
    }

    [Fact]
    public async Task FeedsAreFoundFromTheHomePageWhenNoneAreConfigured()
    {
        var source = Source(s => s.DiscoverFeeds = true);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Equal(3, result.Articles.Count);
        Assert.Equal(1, _portal.Count("/"));
        Assert.Equal(1, _portal.Count("/rss.xml"));
    }

    [Fact]
    public async Task ListingWithFivePagesIsFollowedThroughNextLinks()
    {
        var source = Source(s => s.Listings = [new ListingDefinition { Url = _portal.Url("/tin-tuc").AbsoluteUri, MaxPages = 10 }]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal(TestPortal.ListingPages * TestPortal.ArticlesPerListingPage, result.Articles.Count);
        Assert.All(result.Articles, a => Assert.DoesNotContain("utm_", a.Url.Query));
        Assert.Equal("Bài 1.1 & tin \"mới\"", result.Articles[0].Title); // the text link wins over the image link
        Assert.Equal(1, _portal.Count("/tin-tuc"));
        for (var page = 2; page <= TestPortal.ListingPages; page++) Assert.Equal(1, _portal.Count($"/tin-tuc?page={page}"));
        Assert.Equal(0, _portal.CountPrefix("/tag/"));
    }

    [Fact]
    public async Task ListingPagingStopsAtTheConfiguredBound()
    {
        var source = Source(s => s.Listings = [new ListingDefinition { Url = _portal.Url("/tin-tuc").AbsoluteUri, MaxPages = 2 }]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Equal(2 * TestPortal.ArticlesPerListingPage, result.Articles.Count);
        Assert.Equal(2, _portal.CountPrefix("/tin-tuc"));
    }

    [Fact]
    public async Task ListingPagingStopsEarlyAtAPageHoldingOnlyKnownArticles()
    {
        var listing = new ListingDefinition { Url = _portal.Url("/tin-tuc").AbsoluteUri, MaxPages = 10 };
        var source = Source(s => s.Listings = [listing]);
        var firstRun = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);
        // The pipeline stored pages 1 and 2; pages 3-5 are still new to it.
        var known = new KnownArticles(firstRun.Articles.Take(2 * TestPortal.ArticlesPerListingPage).Select(a => a.Url));
        await using var secondInstance = new FetchingTestHost();
        var before = _portal.Seen.Count;

        var secondRun = await secondInstance.Discoverer.DiscoverAsync(source, known, CancellationToken.None);

        Assert.Equal(TestPortal.ArticlesPerListingPage, secondRun.Articles.Count); // page 1 only
        Assert.Equal(1, _portal.Seen.Skip(before).Count(r => r.PathAndQuery.StartsWith("/tin-tuc", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ListingWithoutNextLinksPagesThroughThePageTemplate()
    {
        var source = Source(s => s.Listings =
        [
            new ListingDefinition
            {
                Url = _portal.Url("/tin-tuc-template").AbsoluteUri,
                PageUrlTemplate = _portal.Url("/tin-tuc-template").AbsoluteUri + "?page={page}",
                MaxPages = 10,
            },
        ]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Equal(TestPortal.ListingPages * TestPortal.ArticlesPerListingPage, result.Articles.Count);
        // Page 6 does not exist: its 404 ends the paging and is recorded.
        Assert.Equal(1, _portal.Count("/tin-tuc-template?page=6"));
        Assert.Contains(result.Errors, e => e.Contains("?page=6") && e.EndsWith("HTTP 404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SitemapIndexLeadsToNewsSitemapWithTitlesAndDatesAndDropsNonArticles()
    {
        var source = Source(s => s.Sitemaps = [_portal.Url("/sitemap-index.xml").AbsoluteUri]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Articles.Count); // /tin-tuc (a category) is not an article
        var news = result.Articles[0]; // the newer child sitemap is read first
        Assert.Equal("Phường Đồng Nhân triển khai kế hoạch 2025", news.Title);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 19, 41, 0, TimeSpan.FromHours(7)), news.PublishedAt);
        Assert.Equal("sitemap", news.Via);
        Assert.Null(result.Articles[1].PublishedAt); // lastmod is not a publish date
    }

    [Fact]
    public async Task GzippedSitemapFileIsInflated()
    {
        var source = Source(s => s.Sitemaps = [_portal.Url("/sitemap-news.xml.gz").AbsoluteUri]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal(_portal.Url("/tin-tuc/bai-trong-sitemap-nen-gzip-123456.html"), Assert.Single(result.Articles).Url);
    }

    [Fact]
    public async Task SitemapsAreFoundInRobotsTxt()
    {
        _portal.RobotsTxt = $"User-agent: *\nDisallow: /private/\nSitemap: {_portal.Url("/sitemap-news.xml")}\n";
        var source = Source(s => s.UseRobotsSitemaps = true);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Single(result.Articles);
        Assert.Equal(1, _portal.Count("/robots.txt"));
        Assert.Equal(1, _portal.Count("/sitemap-news.xml"));
    }

    [Fact]
    public async Task RobotsTxtSitemapOnAnotherHostIsIgnored()
    {
        // "localhost" reaches the same server, but it is not one of the source's hosts: a robots.txt is no way off the source.
        _portal.RobotsTxt = $"User-agent: *\nSitemap: http://localhost:{_portal.BaseUrl.Port}/sitemap-news.xml\n";
        var source = Source(s => s.UseRobotsSitemaps = true);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Articles);
        Assert.Empty(result.Errors);
        Assert.Equal(0, _portal.Count("/sitemap-news.xml"));
    }

    [Fact]
    public async Task FailingChannelIsRecordedAndTheOthersStillRun()
    {
        var source = Source(s =>
        {
            s.Feeds = [_portal.Url("/404").AbsoluteUri, _portal.Url("/rss.xml").AbsoluteUri];
            s.Sitemaps = [_portal.Url("/tin-tuc/not-a-sitemap-but-a-page-123456.html").AbsoluteUri];
        });

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Equal(3, result.Articles.Count);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal($"feed {_portal.Url("/404")}: HTTP 404", result.Errors[0]);
        Assert.StartsWith($"sitemap {_portal.Url("/tin-tuc/not-a-sitemap-but-a-page-123456.html")}: not a", result.Errors[1]);
        Assert.False(result.Failed);
    }

    [Fact]
    public async Task FeedWithEtagIsFetchedConditionallyAndA304YieldsNothing()
    {
        var source = Source(s => s.Feeds = [_portal.Url("/feed-etag.xml").AbsoluteUri]);
        var first = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        var second = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Equal(3, first.Articles.Count);
        Assert.Empty(second.Articles);
        Assert.Empty(second.Errors);
        Assert.Equal(1, _portal.CountStatus("/feed-etag.xml", 200));
        Assert.Equal(1, _portal.CountStatus("/feed-etag.xml", 304));
    }
}
