using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// Retries are requests too: minDelayMs and Crawl-delay space them against the host's other requests. Measured where
/// the requests leave (<see cref="SendRecorder"/>) and, over the whole run, where they arrive (a correctness check on
/// spacing, not a speed test).
/// </summary>
public sealed class RetrySpacingTests : TestPortalTests
{

    // This test once saw the request after the warm-up reach the portal 166 ms after it (minDelayMs 500). Two causes:
    // the fetcher counted the turn from its grant, not from the send (fixed: IHostThrottle.MarkSent), and the portal's
    // own first request waits for Kestrel's JIT before the handler records it (WarmUpPortalAsync keeps that out).
    [Fact]
    public async Task RetriesWaitForTheHostsMinimumDelayLikeEveryOtherRequest()
    {
        var politeness = new PolitenessSettings { MinDelayMs = 500, MaxConcurrency = 2, ObeyRobotsTxt = false };
        await WarmUpPortalAsync();
        await _host.FetchAsync(_portal.Url("/tin-tuc/warm-up-123456.html"), politeness);

        // /503-twice fails twice and is retried after ~50 ms of back-off; two other pages want the host meanwhile.
        var results = await Task.WhenAll(
            _host.FetchAsync(_portal.Url("/503-twice"), politeness),
            _host.FetchAsync(_portal.Url("/tin-tuc/bai-mot-123456.html"), politeness),
            _host.FetchAsync(_portal.Url("/tin-tuc/bai-hai-123456.html"), politeness));

        Assert.All(results, r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
        Assert.Equal(3, _portal.Count("/503-twice"));
        AssertSpaced(TimeSpan.FromMilliseconds(500), expectedRequests: 6);
    }

    [Fact]
    public async Task RetriesWaitForCrawlDelayToo()
    {
        _portal.RobotsTxt = "User-agent: *\nCrawl-delay: 1\n";
        var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 2, ObeyRobotsTxt = true };
        await WarmUpPortalAsync();
        await _host.FetchAsync(_portal.Url("/tin-tuc/warm-up-123456.html"), politeness);

        var results = await Task.WhenAll(
            _host.FetchAsync(_portal.Url("/503-twice"), politeness),
            _host.FetchAsync(_portal.Url("/tin-tuc/bai-mot-123456.html"), politeness));

        Assert.All(results, r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
        AssertSpaced(TimeSpan.FromSeconds(1), expectedRequests: 5);
    }

    [Fact]
    public async Task AFirstSendThatMissedItsTurnIsSentOnceOnTheNextTurnAsAFirstAttempt()
    {
        // The shared throttle's answer to a send that woke too late (a stalled process): nothing was sent, the sender
        // waits for the next turn outside the request's timeouts and sends a new request message.
        var throttle = new MissingFirstTurnThrottle();
        await using var host = new FetchingTestHost(extraServices: services => services.AddSingleton<IHostThrottle>(throttle));

        var result = await host.FetchAsync(_portal.Url("/tin-tuc/bai-mot-123456.html"), FetchingTestHost.Fast(robots: false));

        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(1, _portal.Count("/tin-tuc/bai-mot-123456.html"));
        Assert.Equal(1, throttle.Retakes);
        Assert.Equal([false, false], throttle.TurnsTakenAsRetry); // the send after the retake is the first attempt still
    }

    /// <summary>In-process politeness whose first turn is missed once.</summary>
    private sealed class MissingFirstTurnThrottle : IHostThrottle
    {
        private readonly InProcessHostThrottle _inner = new();
        public int Retakes;
        public List<bool> TurnsTakenAsRetry { get; } = [];

        public ValueTask<IAsyncDisposable> AcquireAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken) =>
            _inner.AcquireAsync(hostKey, politeness, cancellationToken);

        public async ValueTask WaitForTurnAsync(IAsyncDisposable lease, string hostKey, HostPoliteness politeness, bool retry, CancellationToken cancellationToken)
        {
            lock (TurnsTakenAsRetry) TurnsTakenAsRetry.Add(retry);
            if (TurnsTakenAsRetry.Count == 1) throw new MissedTurnException();
            await _inner.WaitForTurnAsync(lease, hostKey, politeness, retry, cancellationToken);
        }

        public ValueTask RetakeTurnAsync(IAsyncDisposable lease, HostPoliteness politeness, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Retakes);
            return ValueTask.CompletedTask;
        }

        public void MarkSent(string hostKey, HostPoliteness politeness) => _inner.MarkSent(hostKey, politeness);
    }

    /// <summary>
    /// The portal's first request is recorded only after its server warms up (hundreds of ms on a busy machine): that
    /// delay is the test server's, not the fetcher's spacing. A plain request to /robots.txt (not counted) takes it.
    /// </summary>
    private async Task WarmUpPortalAsync()
    {
        using var client = new HttpClient();
        using var _ = await client.GetAsync(_portal.Url("/robots.txt"));
    }

    private void AssertSpaced(TimeSpan delay, int expectedRequests)
    {
        var sends = _sends.Sends(except: "/robots.txt");
        var arrivals = _portal.Seen.Where(r => r.PathAndQuery != "/robots.txt").Select(r => r.StartedAt).Order().ToList();
        Assert.Equal(expectedRequests, sends.Count);
        Assert.Equal(expectedRequests, arrivals.Count);
        var shown = $"sent {SendRecorder.Show(sends)} ms apart; arrived {SendRecorder.Show(arrivals)} ms apart";
        // Where they leave: the full delay (the back-off alone is 50 ms), less a few ms between the turn and this
        // handler. Where they arrive, the portal shares this busy process and may record one late, so there the
        // span is the measure (without spacing for retries it is about one delay shorter per retry).
        Assert.All(SendRecorder.GapsMs(sends), gap => Assert.True(gap >= delay.TotalMilliseconds - 15, shown));
        Assert.True((arrivals[^1] - arrivals[0]).TotalMilliseconds >= (expectedRequests - 1) * delay.TotalMilliseconds - delay.TotalMilliseconds / 2, shown);
    }
}
