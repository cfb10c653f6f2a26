using System.Diagnostics;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>robots.txt as the server serves it: fetched once, obeyed, Crawl-delay measured by the server.</summary>
public sealed class RobotsTxtTests : TestPortalTests
{
    [Fact]
    public async Task DisallowedUrlIsSkippedWithTheReasonAndNeverRequested()
    {
        _portal.RobotsTxt = "User-agent: *\nDisallow: /private/\n";

        var result = await _host.FetchAsync(_portal.Url("/private/bao-cao-noi-bo-123456.html"));

        Assert.Equal(FetchOutcome.Skipped, result.Outcome);
        Assert.Equal($"disallowed by robots.txt ({_portal.Url("/private/bao-cao-noi-bo-123456.html")})", result.FailureReason);
        Assert.Equal(0, _portal.CountPrefix("/private/"));
        Assert.Equal(1, _portal.Count("/robots.txt"));
    }

    [Fact]
    public async Task GroupForOurProductTokenWinsOverTheWildcardGroup()
    {
        _portal.RobotsTxt = "User-agent: *\nDisallow: /\n\nUser-agent: FeedIngest\nDisallow: /private/\n";

        var allowed = await _host.FetchAsync(_portal.Url("/tin-tuc/bai-duoc-phep-lay-ve-123456.html"));
        var refused = await _host.FetchAsync(_portal.Url("/private/x-123456.html"));

        Assert.Equal(FetchOutcome.Ok, allowed.Outcome);
        Assert.Equal(FetchOutcome.Skipped, refused.Outcome);
    }

    [Fact]
    public async Task RobotsTxtIsFetchedOnceAndCachedForLaterRequests()
    {
        _portal.RobotsTxt = "User-agent: *\nAllow: /\n";

        for (var i = 0; i < 5; i++) await _host.FetchAsync(_portal.Url($"/tin-tuc/bai-so-{i}-ve-phuong-123456.html"));

        Assert.Equal(1, _portal.Count("/robots.txt"));
        Assert.Equal(5, _portal.CountPrefix("/tin-tuc/"));
    }

    [Fact]
    public async Task CachedRobotsTxtExpiresAndIsFetchedAgain()
    {
        _portal.RobotsTxt = "User-agent: *\nAllow: /\n";
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?> { ["FeedIngest:Fetching:RobotsCacheMinutes"] = "0.005" });

        await host.FetchAsync(_portal.Url("/tin-tuc/bai-mot-ve-phuong-123456.html"));
        await Task.Delay(500);
        _portal.RobotsTxt = "User-agent: *\nDisallow: /tin-tuc/\n";
        var second = await host.FetchAsync(_portal.Url("/tin-tuc/bai-hai-ve-phuong-123456.html"));

        Assert.Equal(2, _portal.Count("/robots.txt"));
        Assert.Equal(FetchOutcome.Skipped, second.Outcome);
    }

    [Fact]
    public async Task CrawlDelayLongerThanTheSourcesDelaySpacesRequests()
    {
        _portal.RobotsTxt = "User-agent: *\nCrawl-delay: 1\n";
        var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 4 };
        // Warm-up (robots.txt and one page): a cold first request spends a while connecting after it got its turn.
        await _host.FetchAsync(_portal.Url("/tin-tuc/warm-up-123456.html"), politeness);
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            _host.FetchAsync(_portal.Url($"/tin-tuc/bai-so-{i}-ve-phuong-123456.html"), politeness)));

        var arrivals = _portal.Seen.Where(r => r.PathAndQuery.StartsWith("/tin-tuc/bai-so-", StringComparison.Ordinal)).Select(r => r.StartedAt).Order().ToList();
        var sends = _sends.Sends("/tin-tuc/bai-so-");
        Assert.Equal(3, arrivals.Count);
        Assert.Equal(3, sends.Count);
        // 1 s asked (the source asked 0): the full delay where the requests leave; at the portal, which shares this
        // busy process and may record one late, the span (about 0 when the delay is ignored).
        var shown = $"sent {SendRecorder.Show(sends)} ms apart; arrived {SendRecorder.Show(arrivals)} ms apart";
        Assert.All(SendRecorder.GapsMs(sends), gap => Assert.True(gap >= 1000 - 15, shown));
        Assert.True((arrivals[^1] - arrivals[0]).TotalMilliseconds >= 2 * 1000 - 500, shown);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task SourceThatOptsOutOfRobotsTxtDoesNotAskForIt()
    {
        _portal.RobotsTxt = "User-agent: *\nDisallow: /\n";

        var result = await _host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-123456.html"), FetchingTestHost.Fast(robots: false));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(0, _portal.Count("/robots.txt"));
    }
}
