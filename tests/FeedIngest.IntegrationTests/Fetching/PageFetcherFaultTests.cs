using FeedIngest.Core.Fetching;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>The fetcher against each fault the test portal can inject; counts come from the server.</summary>
public sealed class PageFetcherFaultTests : TestPortalTests
{
    [Fact]
    public async Task PlainPageIsFetchedOnceDecodedAndSentWithTheProductUserAgent()
    {
        var url = _portal.Url("/tin-tuc/mot-bai-viet-binh-thuong-ve-phuong-123456.html");

        var result = await _host.FetchAsync(url);

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Contains("Nội dung bài viết.", result.Text);
        Assert.Equal(1, _portal.Count(url.PathAndQuery));
        Assert.Equal("FeedIngest/1.0 (+https://feedingest.test/contact)", _portal.Seen.Single(r => r.PathAndQuery == url.PathAndQuery).UserAgent);
    }

    [Fact]
    public async Task TooManyRequestsIsRetriedAfterTheRetryAfterDelay()
    {
        var result = await _host.FetchAsync(_portal.Url("/429"));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        var seen = _portal.Seen.Where(r => r.PathAndQuery == "/429").OrderBy(r => r.StartedAt).ToList();
        Assert.Equal(2, seen.Count);
        // Back-off alone would wait ~50 ms; the server asked for 1 s.
        Assert.True(seen[1].StartedAt - seen[0].StartedAt >= TimeSpan.FromMilliseconds(900),
            $"second attempt after {(seen[1].StartedAt - seen[0].StartedAt).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task RetryAfterAsAnHttpDateIsHonouredToo()
    {
        var result = await _host.FetchAsync(_portal.Url("/503-retry-date"));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        var seen = _portal.Seen.Where(r => r.PathAndQuery == "/503-retry-date").OrderBy(r => r.StartedAt).ToList();
        Assert.Equal(2, seen.Count);
        // The date has one-second resolution: "in 2 s" means at least 1 s.
        Assert.True(seen[1].StartedAt - seen[0].StartedAt >= TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task RetryAfterLongerThanWeWouldWaitFailsAtOnceNamingIt()
    {
        var result = await _host.FetchAsync(_portal.Url("/429-long"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(429, result.StatusCode);
        Assert.Equal("HTTP 429 (Retry-After 3600)", result.FailureReason);
        Assert.Equal(1, _portal.Count("/429-long"));
    }

    [Fact]
    public async Task ServiceUnavailableTwiceThenOkSucceedsOnTheThirdAttempt()
    {
        var result = await _host.FetchAsync(_portal.Url("/503-twice"));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(3, _portal.Count("/503-twice"));
        Assert.Equal(2, _portal.CountStatus("/503-twice", 503));
    }

    [Fact]
    public async Task PersistentServiceUnavailableFailsAfterAllAttemptsWithTheStatusInTheReason()
    {
        var result = await _host.FetchAsync(_portal.Url("/503-always"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("HTTP 503 after 4 attempts", result.FailureReason);
        Assert.Equal(4, _portal.Count("/503-always"));
    }

    [Fact]
    public async Task NotFoundIsNotRetried()
    {
        var result = await _host.FetchAsync(_portal.Url("/404"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("HTTP 404", result.FailureReason);
        Assert.Equal(1, _portal.Count("/404"));
    }

    [Fact]
    public async Task SlowFirstByteTimesOutPerAttemptAndIsRetried()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:MaxRetries"] = "1",
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "1",
        });

        var result = await host.FetchAsync(_portal.Url("/slow-first-byte"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("timeout after 1 s after 2 attempts", result.FailureReason);
        Assert.Equal(2, _portal.Count("/slow-first-byte"));
        // The attempt count above is the property; no wall-clock bound (the machine is shared).
    }

    [Fact]
    public async Task SlowBodyPastTheAttemptTimeoutFails()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:MaxRetries"] = "1",
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "1",
        });

        var result = await host.FetchAsync(_portal.Url("/slow-body"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.StartsWith("timeout after 1 s", result.FailureReason);
        Assert.Equal(2, _portal.Count("/slow-body"));
    }

    [Fact]
    public async Task TotalTimeoutBoundsAllAttemptsTogether()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:MaxRetries"] = "10",
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "1",
            ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "2.5",
        });

        var result = await host.FetchAsync(_portal.Url("/slow-first-byte"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.StartsWith("total timeout after 2.5 s", result.FailureReason);
        Assert.InRange(_portal.Count("/slow-first-byte"), 2, 3);

    }

    [Fact]
    public async Task TruncatedBodyIsATransientFailureRetriedThenReported()
    {
        var result = await _host.FetchAsync(_portal.Url("/truncated"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Matches("^(truncated body|connection closed before the response was complete).* after 4 attempts$", result.FailureReason);
        Assert.Equal(4, _portal.Count("/truncated"));
    }

    [Fact]
    public async Task FiftyMegabyteStreamedBodyIsCutAtTheSizeCapWithoutRetry()
    {

        var result = await _host.FetchAsync(_portal.Url("/huge"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("response larger than 10485760 bytes", result.FailureReason);
        Assert.Equal(1, _portal.Count("/huge"));
        Assert.Empty(result.Body);
        // The server could not finish: the client stopped reading at the cap and dropped the connection.
        Assert.True(_portal.HugeBytesWritten < TestPortal.HugeBodyBytes * 3 / 4, $"server wrote {_portal.HugeBytesWritten} bytes");
    }

    [Fact]
    public async Task DeclaredOversizedBodyIsRefusedOnTheHeaders()
    {
        var result = await _host.FetchAsync(_portal.Url("/huge-declared"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("response larger than 10485760 bytes (Content-Length 52428800)", result.FailureReason);
        Assert.Equal(1, _portal.Count("/huge-declared"));
    }

    [Fact]
    public async Task SizeCapIsConfigurable()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?> { ["FeedIngest:Fetching:MaxResponseBytes"] = "100" });

        var result = await host.FetchAsync(_portal.Url("/tin-tuc/mot-bai-viet-binh-thuong-ve-phuong-123456.html"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.StartsWith("response larger than 100 bytes", result.FailureReason);
    }

    [Fact]
    public async Task NonHtmlContentTypeIsRefused()
    {
        var result = await _host.FetchAsync(_portal.Url("/pdf"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("content-type application/pdf is not HTML/XML", result.FailureReason);
        Assert.Equal(1, _portal.Count("/pdf"));
    }

    [Fact]
    public async Task XmlIsRefusedForPagesButAcceptedForFeeds()
    {
        var asPage = await _host.FetchAsync(_portal.Url("/rss.xml"));
        var asFeed = await _host.FetchAsync(_portal.Url("/rss.xml"), acceptXml: true);

        Assert.Equal(FetchOutcome.Failed, asPage.Outcome);
        Assert.Equal("content-type application/rss+xml is not HTML/XML", asPage.FailureReason);
        Assert.Equal(FetchOutcome.Ok, asFeed.Outcome);
    }

    [Fact]
    public async Task RedirectLoopFailsWithoutFollowingForever()
    {
        var result = await _host.FetchAsync(_portal.Url("/redirect-loop/a"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal($"redirect loop at {_portal.Url("/redirect-loop/a")}", result.FailureReason);
        Assert.Equal(1, _portal.Count("/redirect-loop/a"));
        Assert.Equal(1, _portal.Count("/redirect-loop/b"));
    }

    [Fact]
    public async Task RedirectToAForeignHostIsSkippedAndNotFollowed()
    {
        var result = await _host.FetchAsync(_portal.Url("/redirect-foreign"));

        Assert.Equal(FetchOutcome.Skipped, result.Outcome);
        Assert.Equal("redirect to foreign host foreign.example.invalid", result.FailureReason);
        Assert.Equal(1, _portal.Count("/redirect-foreign"));
    }

    [Fact]
    public async Task RedirectWithinTheHostIsFollowedAndTheFinalUrlReported()
    {
        var result = await _host.FetchAsync(_portal.Url("/redirect-once"));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(_portal.Url("/tin-tuc/bai-dich-sau-chuyen-huong-123456.html"), result.FinalUrl);
        Assert.Equal(_portal.Url("/redirect-once"), result.RequestedUrl);
    }

    [Fact]
    public async Task RedirectsBeyondTheConfiguredBoundFail()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?> { ["FeedIngest:Fetching:MaxRedirects"] = "0" });

        var result = await host.FetchAsync(_portal.Url("/redirect-once"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal("more than 0 redirects", result.FailureReason);
        Assert.Equal(0, _portal.CountPrefix("/tin-tuc/"));
    }

    [Fact]
    public async Task UrlOnAHostOutsideTheAllowedListIsSkippedWithoutARequest()
    {
        var request = new FetchRequest(_portal.Url("/tin-tuc/x-123456.html")) { AllowedHosts = ["haibatrung.hanoi.gov.vn"], Politeness = FetchingTestHost.Fast() };

        var result = await _host.Fetcher.FetchAsync(request, CancellationToken.None);

        Assert.Equal(FetchOutcome.Skipped, result.Outcome);
        Assert.Equal("host 127.0.0.1 is not one of the source's hosts", result.FailureReason);
        Assert.Empty(_portal.Seen);
    }

    [Fact]
    public async Task Windows1258PageWithoutAHeaderCharsetIsDecodedOnceFromItsMetaCharset()
    {
        var result = await _host.FetchAsync(_portal.Url("/win1258"));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal("text/html", result.ContentType);
        Assert.Equal("windows-1258", result.Charset);
        // Tone marks arrive as combining characters; the decoded text is NFC.
        Assert.Contains("Phường Hàng Bài tổ chức hội nghị.", result.Text);
        Assert.True(result.Text!.IsNormalized(System.Text.NormalizationForm.FormC));
        Assert.Equal(1, _portal.Count("/win1258"));
    }

    [Fact]
    public async Task GzipResponseIsDecompressed()
    {
        var result = await _host.FetchAsync(_portal.Url("/gzip-page"));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Contains("Nén gzip", result.Text);
    }

    [Fact]
    public async Task EtagRoundTripGivesNotModifiedWithoutABody()
    {
        var url = _portal.Url("/etag/bai-viet");
        var first = await _host.FetchAsync(url);

        var second = await _host.Fetcher.FetchAsync(
            new FetchRequest(url) { IfNoneMatch = first.ETag, IfModifiedSince = first.LastModified, Politeness = FetchingTestHost.Fast() },
            CancellationToken.None);

        Assert.Equal(FetchOutcome.Ok, first.Outcome);
        Assert.Equal("\"page-v1\"", first.ETag);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 12, 41, 0, TimeSpan.Zero), first.LastModified);
        Assert.Equal(FetchOutcome.NotModified, second.Outcome);
        Assert.Empty(second.Body);
        Assert.Equal(1, _portal.CountStatus("/etag/bai-viet", 304));
        Assert.Equal("\"page-v1\"", _portal.Seen.Last(r => r.PathAndQuery == "/etag/bai-viet").IfNoneMatch);
    }

    [Fact]
    public async Task CircuitBreakerOpensForAFailingHostAndStopsSendingRequests()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:MaxRetries"] = "0",
            ["FeedIngest:Fetching:CircuitBreakerMinimumThroughput"] = "3",
            ["FeedIngest:Fetching:CircuitBreakerSamplingSeconds"] = "30",
            ["FeedIngest:Fetching:CircuitBreakerBreakSeconds"] = "30",
        });

        var results = new List<FetchResult>();
        // robots.txt off: its 404 would count as one more (successful) sample for the breaker.
        for (var i = 0; i < 6; i++) results.Add(await host.FetchAsync(_portal.Url("/503-always"), FetchingTestHost.Fast(robots: false)));

        Assert.All(results, r => Assert.Equal(FetchOutcome.Failed, r.Outcome));
        Assert.Equal($"circuit open for host {_portal.BaseUrl.Authority} after repeated failures", results[^1].FailureReason);
        Assert.Equal(3, _portal.Count("/503-always"));
    }

    [Fact]
    public async Task CallerCancellationThrows()
    {
        _portal.StallDelay = TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _host.Fetcher.FetchAsync(new FetchRequest(_portal.Url("/slow-first-byte")) { Politeness = FetchingTestHost.Fast() }, cts.Token));
    }
}
