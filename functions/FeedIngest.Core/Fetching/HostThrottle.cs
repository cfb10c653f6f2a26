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
    /// as the last step before the wire: takes the host's turn for this send, waiting while another send to the host
    /// left less than the delay ago (so sends are spaced where they happen, not where they were granted: a process
    /// that stalls — GC, a starved thread pool — cannot release two granted requests at once). A
    /// <paramref name="retry"/> takes a turn without taking another concurrency slot.
    /// </summary>
    ValueTask WaitForTurnAsync(IAsyncDisposable lease, string hostKey, HostPoliteness politeness, bool retry, CancellationToken cancellationToken);

    /// <summary>
    /// After <see cref="WaitForTurnAsync"/> threw <see cref="MissedTurnException"/>: waits, outside the request's
    /// timeouts, for the lease's next turn, after which the request is sent again from the start.
    /// </summary>
    ValueTask RetakeTurnAsync(IAsyncDisposable lease, HostPoliteness politeness, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// A request that had its turn is leaving for the host now (the innermost handler), or its new connection has just
    /// come up: the next turn counts from now. (A new connection — and a process's first, with its JIT — can take
    /// hundreds of milliseconds after the turn, and so can a stalled process; the next request must still reach the
    /// host the full delay after this one.)
    /// </summary>
    void MarkSent(string hostKey, HostPoliteness politeness);
}

/// <summary>
/// A first send woke too late for its turn (a stalled process): sending now could reach the host too soon after another
/// instance's send, and waiting for the next turn inside the request's timeouts could outlast them. The sender takes the
/// next turn outside them (<see cref="IHostThrottle.RetakeTurnAsync"/>) and sends again; nothing left for the host.
/// </summary>
public sealed class MissedTurnException() : Exception("the send woke too late for its host's turn; it takes the next one");

/// <summary>
/// Per-process politeness: a semaphore per host for concurrency; for the delay, grants are spaced (so granted requests
/// do not pile up at the wire) and every send takes the host's next turn just before the wire.
/// Alone it protects a host from one instance; <see cref="SharedHostThrottle"/> wraps it to hold across instances.
/// </summary>
public sealed class InProcessHostThrottle(TimeProvider time) : IHostThrottle
{
    private readonly ConcurrentDictionary<string, HostGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    public InProcessHostThrottle() : this(TimeProvider.System) { }

    public async ValueTask<IAsyncDisposable> AcquireAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        var gate = GateFor(hostKey, politeness);
        await gate.Slots.WaitAsync(cancellationToken);
        try
        {
            await TakeAsync(gate, politeness, static g => ref g.NextGrant, cancellationToken);
            return new Lease(gate.Slots);
        }
        catch
        {
            gate.Slots.Release();
            throw;
        }
    }

    // Every attempt, first or retry: the turn is taken where the request leaves, under the gate's lock, so two
    // requests that wake together (a stalled process) still leave the delay apart.
    public async ValueTask WaitForTurnAsync(IAsyncDisposable lease, string hostKey, HostPoliteness politeness, bool retry, CancellationToken cancellationToken) =>
        await TakeTurnAsync(hostKey, politeness, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// The turn with <paramref name="slack"/>: a send may leave up to that much before the full delay after the last one.
    /// For <see cref="SharedHostThrottle"/>, whose slot phases already space the sends and let each leave up to a quarter
    /// of the delay late: without the slack one late send would push every later one of this process as late.
    /// </summary>
    internal async ValueTask TakeTurnAsync(string hostKey, HostPoliteness politeness, TimeSpan slack, CancellationToken cancellationToken) =>
        await TakeAsync(GateFor(hostKey, politeness), politeness, static g => ref g.NextSend, cancellationToken, slack);

    public void MarkSent(string hostKey, HostPoliteness politeness)
    {
        var gate = GateFor(hostKey, politeness);
        lock (gate)
        {
            var next = time.GetUtcNow() + politeness.MinDelay;
            if (next > gate.NextSend) gate.NextSend = next;
            if (next > gate.NextGrant) gate.NextGrant = next;
        }
    }

    private HostGate GateFor(string hostKey, HostPoliteness politeness) =>
        _gates.GetOrAdd(hostKey, _ => new HostGate(Math.Max(1, politeness.MaxConcurrency)));

    private delegate ref DateTimeOffset GateMoment(HostGate gate);

    /// <summary>Waits for the moment <paramref name="moment"/> names (less the slack) and moves it on to the delay after now, in one step under the lock.</summary>
    private async Task TakeAsync(HostGate gate, HostPoliteness politeness, GateMoment moment, CancellationToken cancellationToken, TimeSpan slack = default)
    {
        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetUtcNow();
                ref var next = ref moment(gate);
                if (now + slack >= next)
                {
                    next = now + politeness.MinDelay;
                    return;
                }
                wait = next - now - slack;
            }
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private sealed class HostGate(int maxConcurrency)
    {
        public SemaphoreSlim Slots { get; } = new(maxConcurrency, maxConcurrency);
        /// <summary>The next grant of a lease (grants are spaced by the delay too, so they do not pile up at the wire).</summary>
        public DateTimeOffset NextGrant = DateTimeOffset.MinValue;
        /// <summary>The next moment a request may leave for the host.</summary>
        public DateTimeOffset NextSend = DateTimeOffset.MinValue;
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
