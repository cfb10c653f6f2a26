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
}
