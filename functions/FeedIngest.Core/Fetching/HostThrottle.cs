using System.Collections.Concurrent;

namespace FeedIngest.Core.Fetching;

/// <summary>The politeness a host gets: spacing between request starts and requests in flight at once.</summary>
public sealed record HostPoliteness(TimeSpan MinDelay, int MaxConcurrency);

/// <summary>Grants the right to send one request to a host; dispose the lease when the response is read.</summary>
public interface IHostThrottle
{
    ValueTask<IAsyncDisposable> AcquireAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken);

    /// <summary>
    /// Called for every attempt of a request inside its lease (<paramref name="lease"/>, from <see cref="AcquireAsync"/>),
    /// as the last step before the wire: waits for the host's turn where the throttle grants turns late (so the turn
    /// and the send are close), and for a <paramref name="retry"/> claims the host's next start (moves it on by the
    /// delay) without taking another concurrency slot.
    /// </summary>
    ValueTask WaitForTurnAsync(IAsyncDisposable lease, string hostKey, HostPoliteness politeness, bool retry, CancellationToken cancellationToken);

    /// <summary>
    /// The request granted a turn is leaving now: the host's next start counts from this moment, not from the grant.
    /// (A first request can spend hundreds of milliseconds between its grant and the wire — connection, JIT — and
    /// the next one must still wait the full delay after it reached the host.)
    /// </summary>
    void MarkSent(string hostKey, HostPoliteness politeness);
}

/// <summary>
/// Per-process politeness: a semaphore per host for concurrency and a "next allowed start" per host for the delay.
/// Alone it protects a host from one instance; <see cref="TableHostThrottle"/> wraps it to hold across instances.
/// </summary>
public sealed class InProcessHostThrottle(TimeProvider time) : IHostThrottle
{
    private readonly ConcurrentDictionary<string, HostGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    public InProcessHostThrottle() : this(TimeProvider.System) { }

    public async ValueTask<IAsyncDisposable> AcquireAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(hostKey, _ => new HostGate(Math.Max(1, politeness.MaxConcurrency)));
        await gate.Slots.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (gate)
                {
                    var now = time.GetUtcNow();
                    if (now >= gate.NextAllowed)
                    {
                        gate.NextAllowed = now + politeness.MinDelay;
                        return new Lease(gate.Slots);
                    }
                    wait = gate.NextAllowed - now;
                }
                await Task.Delay(wait, time, cancellationToken);
            }
        }
        catch
        {
            gate.Slots.Release();
            throw;
        }
    }

    // The first attempt's turn was given with the lease; a retry waits for the next one.
    public async ValueTask WaitForTurnAsync(IAsyncDisposable lease, string hostKey, HostPoliteness politeness, bool retry, CancellationToken cancellationToken)
    {
        if (!retry) return;
        var gate = _gates.GetOrAdd(hostKey, _ => new HostGate(Math.Max(1, politeness.MaxConcurrency)));
        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetUtcNow();
                if (now >= gate.NextAllowed)
                {
                    gate.NextAllowed = now + politeness.MinDelay;
                    return;
                }
                wait = gate.NextAllowed - now;
            }
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    public void MarkSent(string hostKey, HostPoliteness politeness)
    {
        var gate = _gates.GetOrAdd(hostKey, _ => new HostGate(Math.Max(1, politeness.MaxConcurrency)));
        lock (gate)
        {
            var next = time.GetUtcNow() + politeness.MinDelay;
            if (next > gate.NextAllowed) gate.NextAllowed = next;
        }
    }

    private sealed class HostGate(int maxConcurrency)
    {
        public SemaphoreSlim Slots { get; } = new(maxConcurrency, maxConcurrency);
        public DateTimeOffset NextAllowed { get; set; } = DateTimeOffset.MinValue;
    }

    private sealed class Lease(SemaphoreSlim slots) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
            return ValueTask.CompletedTask;
        }
    }
}
