using FeedIngest.Core.Fetching;
using Microsoft.Extensions.Time.Testing;

namespace FeedIngest.Core.Tests.Fetching;

/// <summary>The per-process delay, on a clock the test moves: turns are taken where requests leave, not where they were granted.</summary>
public sealed class InProcessHostThrottleTests
{
    private static readonly HostPoliteness Polite = new(TimeSpan.FromMilliseconds(300), MaxConcurrency: 4);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30); // a hang guard, not an expectation
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TwoGrantedRequestsThatReachTheWireTogetherLeaveTheDelayApart()
    {
        var throttle = new InProcessHostThrottle(_time);
        await using var first = await throttle.AcquireAsync("portal:80", Polite, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await using var second = await throttle.AcquireAsync("portal:80", Polite, CancellationToken.None);

        // The process stalls for a second (GC, a starved thread pool): both granted requests wake at once.
        _time.Advance(TimeSpan.FromSeconds(1));
        await throttle.WaitForTurnAsync(first, "portal:80", Polite, retry: false, CancellationToken.None);
        var secondTurn = throttle.WaitForTurnAsync(second, "portal:80", Polite, retry: false, CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(secondTurn.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await secondTurn.WaitAsync(Guard);
    }

    [Fact]
    public async Task ARequestSentRightAfterItsGrantDoesNotWaitTheDelayTwice()
    {
        var throttle = new InProcessHostThrottle(_time);
        await using var first = await throttle.AcquireAsync("portal:80", Polite, CancellationToken.None);
        await throttle.WaitForTurnAsync(first, "portal:80", Polite, retry: false, CancellationToken.None);
        var secondGrant = throttle.AcquireAsync("portal:80", Polite, CancellationToken.None).AsTask();
        Assert.False(secondGrant.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(300));
        await using var second = await secondGrant.WaitAsync(Guard);
        var secondTurn = throttle.WaitForTurnAsync(second, "portal:80", Polite, retry: false, CancellationToken.None);

        Assert.True(secondTurn.IsCompleted);
    }

    [Fact]
    public async Task ASlowConnectionMovesTheNextTurnToTheDelayAfterIt()
    {
        var throttle = new InProcessHostThrottle(_time);
        await using var first = await throttle.AcquireAsync("portal:80", Polite, CancellationToken.None);
        await throttle.WaitForTurnAsync(first, "portal:80", Polite, retry: false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        throttle.MarkSent("portal:80", Polite); // the connection came up 200 ms after the turn

        _time.Advance(TimeSpan.FromMilliseconds(100)); // the delay after the turn, but not after the connection
        var secondGrant = throttle.AcquireAsync("portal:80", Polite, CancellationToken.None).AsTask();
        Assert.False(secondGrant.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(secondGrant.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await using var second = await secondGrant.WaitAsync(Guard);
        Assert.True(throttle.WaitForTurnAsync(second, "portal:80", Polite, retry: false, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public void WithSlackSendsOnAFixedGridThatLeaveALittleLateNeverDriftLater()
    {
        // SharedHostThrottle's slot phases put sends on a 300 ms grid; each leaves a millisecond after its turn.
        // Without the slack every turn would count from the last send's leaving and start a millisecond later.
        var throttle = new InProcessHostThrottle(_time);
        var slack = Polite.MinDelay / 4;
        for (var send = 0; send < 100; send++)
        {
            var turn = throttle.TakeTurnAsync("portal:80", Polite, slack, CancellationToken.None);
            Assert.True(turn.IsCompleted, $"send {send} had to wait");
            _time.Advance(TimeSpan.FromMilliseconds(1));
            throttle.MarkSent("portal:80", Polite);
            _time.Advance(Polite.MinDelay - TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task WithSlackTwoSendsWokenTogetherStillLeaveThreeQuartersOfTheDelayApart()
    {
        var throttle = new InProcessHostThrottle(_time);
        var slack = Polite.MinDelay / 4;
        await throttle.TakeTurnAsync("portal:80", Polite, slack, CancellationToken.None);
        var second = throttle.TakeTurnAsync("portal:80", Polite, slack, CancellationToken.None).AsTask();

        _time.Advance(Polite.MinDelay - slack - TimeSpan.FromTicks(1));
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        await second.WaitAsync(Guard);
    }
}
