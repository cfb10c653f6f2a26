using FeedIngest.Core.Discovery;
using FeedIngest.Core.Sources;
using FeedIngest.IntegrationTests.Fetching;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Discovery;

/// <summary>Discovery against the bundled sample portal: every channel finds exactly its articles, nothing else.</summary>
public sealed class SamplePortalDiscoveryTests : IAsyncLifetime
{
    private SamplePortalServer _server = null!;
    private FetchingTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await SamplePortalServer.StartAsync();
        _host = new FetchingTestHost();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private IReadOnlySet<string> ExpectedUrls() =>
        SamplePortalContent.Articles.Select(a => new Uri(_server.BaseUrl, a.Path).AbsoluteUri).ToHashSet();

    private SourceDefinition Source(Action<SourceDefinition> configure)
    {
        var source = new SourceDefinition
        {
            Id = "sample", Name = "Sample", BaseUrl = _server.BaseUrl.AbsoluteUri, DiscoverFeeds = false,
            Politeness = FetchingTestHost.Fast(),
        };
        configure(source);
        return source;
    }

    [Fact]
    public async Task FeedDiscoveredFromTheHomePageListsOnlyArticles()
    {
        var result = await _host.Discoverer.DiscoverAsync(Source(s => s.DiscoverFeeds = true), new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.NotEmpty(result.Articles);
        Assert.All(result.Articles, a => Assert.Contains(a.Url.AbsoluteUri, ExpectedUrls()));
        Assert.All(result.Articles, a => Assert.NotNull(a.PublishedAt));
    }

    [Fact]
    public async Task PagedListingFindsEveryArticleAndNoNavigation()
    {
        var source = Source(s => s.Listings = [new ListingDefinition { Url = new Uri(_server.BaseUrl, "/tin-tuc").AbsoluteUri, MaxPages = 20 }]);

        var result = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal(ExpectedUrls().Order(), result.Articles.Select(a => a.Url.AbsoluteUri).Order());
    }

    [Fact]
    public async Task UnchangedListingAnswers304OnPageOneAndPagingStops()
    {
        var source = Source(s => s.Listings = [new ListingDefinition { Url = new Uri(_server.BaseUrl, "/tin-tuc").AbsoluteUri, MaxPages = 20 }]);
        var first = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);
        _server.ResetCounters();

        var second = await _host.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.NotEmpty(first.Articles);
        Assert.Empty(second.Articles);
        Assert.Empty(second.Errors);
        // One conditional request for page 1 (answered 304), none for later pages.
        Assert.Equal(1, _server.RequestsByPath.Where(p => p.Key.StartsWith("/tin-tuc", StringComparison.Ordinal)).Sum(p => p.Value));
    }

    [Fact]
    public async Task SitemapFromRobotsTxtFindsEveryArticle()
    {
        var result = await _host.Discoverer.DiscoverAsync(Source(s => s.UseRobotsSitemaps = true), new KnownArticles(), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal(ExpectedUrls().Order(), result.Articles.Select(a => a.Url.AbsoluteUri).Order());
    }
}
