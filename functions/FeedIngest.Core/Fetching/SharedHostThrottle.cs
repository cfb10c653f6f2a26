using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Fetching;

/// <summary>
/// Politeness that holds across instances with no storage request per request. A host has <c>maxConcurrency</c> slot
/// tokens in a queue of its own (<see cref="HostSlotTokens"/>); an instance claims a slot by receiving a token, which the
/// queue then hides from every other instance for the slot's lease, and sends its requests to the host through the
/// slots it holds, one request at a time per slot. A slot is given back (made visible again) when it has been idle for
/// <see cref="Linger"/>, when it has been held for <c>holdFor</c> (so other instances get their turn), and when the
/// process stops; a crashed instance's tokens come back when their lease ends. A receive gives a token to one
/// instance only, so claims never conflict, however many instances wait.
/// <para>Minimum delay D across instances: slot k of K may start a request only at its phase, m·K·D + k·D, so starts
/// through different slots are at least D apart and a slot's own starts K·D apart — at most one start per D at the
/// host, whoever holds the slots.</para>
/// An in-process throttle runs first, so one instance's own requests queue locally and never race each other for a slot.
/// </summary>
public sealed partial class SharedHostThrottle : IHostThrottle, IAsyncDisposable, IDisposable
{
    /// <summary>An idle slot is kept this long for the instance's next request to the host, then given back.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(500);
    /// <summary>The last part of a wait for a slot's phase, waited just before the wire (inside the request's total timeout).</summary>
    private static readonly TimeSpan PhaseLead = TimeSpan.FromSeconds(1);
    /// <summary>How many phases in a row a send may miss (waking more than a quarter of the delay late) before it goes anyway.</summary>
    private const int MaxMissedPhases = 3;
    // While every slot is taken, poll from 50 ms growing to 1 s: quick hand-over for short fetches, little table
    // traffic while slow ones hold the host. Jitter spreads instances that wait on the same host.
    private static readonly TimeSpan FirstFullPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxFullPoll = TimeSpan.FromSeconds(1);

    private readonly HostSlotTokens _tokens;
    private readonly TimeSpan _slotLease;
    private readonly TimeSpan _holdFor;
    private readonly InProcessHostThrottle _local;
    private readonly TimeProvider _time;
    private readonly ILogger<SharedHostThrottle> _logger;
    private readonly Storage.StorageInitializer _storage;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HostSlots> _hosts = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <param name="slotLease">A claimed token comes back this long after its claim (longer than any fetch can take).</param>
    /// <param name="holdFor">
    /// New requests may use a claimed slot this long after its claim; then it is given back. Zero: one request per
    /// claim. Must leave a whole fetch (the total timeout) before the lease ends.
    /// </param>
    public SharedHostThrottle(
        QueueServiceClient queues, TableServiceClient tables, string tableName, TimeSpan slotLease, InProcessHostThrottle local, TimeProvider time,
        ILogger<SharedHostThrottle> logger, Storage.StorageInitializer storage, TimeSpan holdFor = default)
    {
        _tokens = new HostSlotTokens(queues, tables.GetTableClient(tableName), tableName, time, logger);
        _slotLease = slotLease;
        _holdFor = holdFor < TimeSpan.Zero ? TimeSpan.Zero : holdFor;
        _local = local;
        _time = time;
        _logger = logger;
        _storage = storage;
    }

    public async ValueTask<IAsyncDisposable> AcquireAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        var localLease = await _local.AcquireAsync(hostKey, politeness, cancellationToken);
        try
        {
            await _storage.EnsureTablesAsync(cancellationToken);
            var host = _hosts.GetOrAdd(hostKey, key => new HostSlots(_tokens.For(key, PartitionFor(key)), _slotLease));
            var slot = await TakeSlotAsync(host, Math.Max(1, politeness.MaxConcurrency), cancellationToken);
            try
            {
                // The long wait for the slot's phase happens here, outside the request's timeouts; the last
                // PhaseLead of it in WaitForTurnAsync, the last step before the wire, so a slow first send
                // (connection, JIT) does not eat into the gap before another slot's phase.
                slot.PendingStartTicks = await ReservePhaseAsync(slot, politeness, PhaseLead, cancellationToken);
            }
            catch
            {
                await ReturnAsync(host, slot);
                throw;
            }
            return new Lease(this, host, slot, localLease);
        }
        catch
        {
            await localLease.DisposeAsync();
            throw;
        }
    }

    public async ValueTask WaitForTurnAsync(IAsyncDisposable lease, string hostKey, HostPoliteness politeness, bool retry, CancellationToken cancellationToken)
    {
        if (lease is not Lease held)
        {
            await _local.WaitForTurnAsync(lease, hostKey, politeness, retry, cancellationToken);
            return;
        }
        // A send that wakes well after its phase (a stalled process) would land in another slot's phase, maybe another
        // instance's: it takes this slot's next phase instead. Bounded: a process that cannot keep time for that many
        // phases sends at its local turn.
        var start = Interlocked.Exchange(ref held.Slot.PendingStartTicks, 0);
        if (!retry)
        {
            // The first attempt: the rest of the phase reserved at the grant (at most PhaseLead). The next phase is a whole
            // round of the host's slots away, which can outlast the request's timeouts that run from here: the sender
            // waits for it outside them (RetakeTurnAsync) and sends again.
            await WaitUntilAsync(start, cancellationToken);
            if (IsLate(start, politeness) && held.MissedTurns++ < MaxMissedPhases) throw new MissedTurnException();
        }
        else
        {
            // A retry, inside the total timeout by design: the slot's next phase.
            start = await ReservePhaseAsync(held.Slot, politeness, TimeSpan.Zero, cancellationToken);
            for (var missed = 0; missed < MaxMissedPhases && IsLate(start, politeness); missed++)
                start = await ReservePhaseAsync(held.Slot, politeness, TimeSpan.Zero, cancellationToken);
        }
        // This instance's own sends, at least ¾ of the delay apart where they leave (two woken together by a stall).
        await _local.TakeTurnAsync(hostKey, politeness, politeness.MinDelay / 4, cancellationToken);
    }

    public async ValueTask RetakeTurnAsync(IAsyncDisposable lease, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        // Like the grant: the long wait here, the last PhaseLead of it in WaitForTurnAsync.
        if (lease is Lease held) held.Slot.PendingStartTicks = await ReservePhaseAsync(held.Slot, politeness, PhaseLead, cancellationToken);
    }

    /// <summary>Now is more than a quarter of the delay after the phase's start (0: no phase, never late).</summary>
    private bool IsLate(long start, HostPoliteness politeness) => start != 0 && _time.GetUtcNow().UtcTicks - start > politeness.MinDelay.Ticks / 4;

    // A new connection took a while: this instance's next send waits the full delay after it (phases space the instances).
    public void MarkSent(string hostKey, HostPoliteness politeness) => _local.MarkSent(hostKey, politeness);

    /// <summary>A slot this instance holds and nobody uses, or a newly claimed one; waits while the host is full.</summary>
    private async Task<HeldSlot> TakeSlotAsync(HostSlots host, int slots, CancellationToken cancellationToken)
    {
        var poll = FirstFullPoll;
        while (true)
        {
            var now = _time.GetUtcNow();
            HeldSlot? free;
            lock (host.Sync)
            {
                free = host.Free.Count > 0 ? host.Free[^1] : null;
                if (free is not null) host.Free.RemoveAt(host.Free.Count - 1);
            }
            if (free is not null)
            {
                if (now - free.ClaimedAt < _holdFor) return free;
                // Held long enough: give it back, and claim again below if there is room.
                await ReleaseAsync(host, free, rethrow: true);
                continue;
            }

            // Counted as waiting before the claim, so a slot coming back meanwhile wakes this request at once.
            Interlocked.Increment(ref host.Waiters);
            try
            {
                if (await TryClaimAsync(host, slots, poll, cancellationToken) is { } claimed) return claimed;
                bool freeNow;
                lock (host.Sync) freeNow = host.Free.Count > 0;
                if (freeNow) continue;
                await host.Returned.WaitAsync(poll + TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40)), cancellationToken);
            }
            finally { Interlocked.Decrement(ref host.Waiters); }
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxFullPoll.Ticks));
        }
    }

    /// <summary>Receives a token nobody holds; null when every token is held, by anyone.</summary>
    private async Task<HeldSlot?> TryClaimAsync(HostSlots host, int slots, TimeSpan poll, CancellationToken cancellationToken)
    {
        // One claim at a time per host in this process: its own requests never race each other for a slot.
        await host.ClaimGate.WaitAsync(cancellationToken);
        try
        {
            // Another request of this process found every slot held a moment ago: one poll per interval per process,
            // not one per waiting request.
            // The host's tokens: as this process would issue them until it has read the registry.
            var hostTokens = host.Tokens.Generation is null ? slots : host.Tokens.Count;
            int wanted;
            lock (host.Sync)
            {
                if (host.Free.Count > 0 || host.Held >= hostTokens || _time.GetUtcNow() < host.NoRoomUntil) return null;
                // One receive for every request of this process waiting for the host (up to the tokens it does not hold).
                wanted = Math.Min(Math.Max(1, Volatile.Read(ref host.Waiters)), hostTokens - host.Held);
            }
            var now = _time.GetUtcNow();
            var tokens = await _tokens.TryTakeAsync(host.Tokens, slots, wanted, _slotLease, cancellationToken);
            if (tokens.Count > 0)
            {
                lock (host.Sync)
                {
                    host.Held += tokens.Count;
                    host.EmptyPoll = TimeSpan.Zero;
                }
                // The first is this request's; the others wait, idle, for this process's other waiting requests.
                foreach (var extra in tokens.Skip(1))
                {
                    KeepIdle(host, new HeldSlot(extra, now, now + _slotLease));
                    if (Volatile.Read(ref host.Waiters) > 1) host.Returned.Release();
                }
                return new HeldSlot(tokens[0], now, now + _slotLease);
            }
            // Every token held: this process's next receive for the host waits longer after each empty one (50 ms
            // doubling to 1 s, whichever request asks), instead of every newly waiting request starting again at 50 ms.
            lock (host.Sync)
            {
                host.EmptyPoll = host.EmptyPoll == TimeSpan.Zero ? FirstFullPoll : TimeSpan.FromTicks(Math.Min(host.EmptyPoll.Ticks * 2, MaxFullPoll.Ticks));
                host.NoRoomUntil = _time.GetUtcNow() + (poll > host.EmptyPoll ? poll : host.EmptyPoll);
            }
            return null;
        }
        finally { host.ClaimGate.Release(); }
    }

    /// <summary>
    /// With a minimum delay: reserves the slot's next phase (see the class summary) and waits until <paramref name="lead"/>
    /// before it. Returns the phase's start (0 without a delay).
    /// </summary>
    private async Task<long> ReservePhaseAsync(HeldSlot slot, HostPoliteness politeness, TimeSpan lead, CancellationToken cancellationToken)
    {
        var delay = politeness.MinDelay.Ticks;
        if (delay <= 0) return 0;
        var slots = Math.Max(1, slot.Token.Count); // the host's tokens: the same K for every instance
        var window = delay * slots;
        var offset = slot.Index % slots * delay;
        var now = _time.GetUtcNow().UtcTicks;
        long start;
        lock (slot)
        {
            var earliest = Math.Max(now, slot.LastStartTicks + window);
            var phase = (earliest - offset + window - 1) / window;
            start = phase * window + offset;
            slot.LastStartTicks = start;
        }
        await WaitUntilAsync(start - lead.Ticks, cancellationToken);
        return start;
    }

    private async Task WaitUntilAsync(long utcTicks, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (utcTicks > now) await Task.Delay(TimeSpan.FromTicks(utcTicks - now), _time, cancellationToken);
    }

    /// <summary>The request is done: the slot waits for the instance's next request (or is given back when held long enough).</summary>
    private async Task ReturnAsync(HostSlots host, HeldSlot slot)
    {
        if (_disposed || _time.GetUtcNow() - slot.ClaimedAt >= _holdFor)
        {
            await ReleaseAsync(host, slot, rethrow: false);
            return;
        }
        KeepIdle(host, slot);
        if (Volatile.Read(ref host.Waiters) > 0) host.Returned.Release();
    }

    /// <summary>Keeps the slot for this instance's next request to the host; the linger timer gives it back if none comes.</summary>
    private void KeepIdle(HostSlots host, HeldSlot slot)
    {
        lock (host.Sync)
        {
            slot.IdleSince = _time.GetUtcNow();
            host.Free.Add(slot);
            ArmLinger(host);
        }
    }

    // Under host.Sync: one timer per host while it has idle slots.
    private void ArmLinger(HostSlots host) =>
        host.LingerTimer ??= _time.CreateTimer(_ => _ = ReleaseIdleAsync(host), null, Linger, Timeout.InfiniteTimeSpan);

    /// <summary>Gives back the slots idle for <see cref="Linger"/>; runs again while any slot is still held idle.</summary>
    private async Task ReleaseIdleAsync(HostSlots host)
    {
        try { await ReleaseIdleCoreAsync(host); }
        catch (Exception ex) { LogReleaseFailed(_logger, ex, host.Partition); } // a timer's task: nobody awaits it
    }

    private async Task ReleaseIdleCoreAsync(HostSlots host)
    {
        List<HeldSlot> idle;
        lock (host.Sync)
        {
            var cutoff = _time.GetUtcNow() - Linger;
            idle = host.Free.Where(s => s.IdleSince <= cutoff).ToList();
            host.Free.RemoveAll(idle.Contains);
        }
        foreach (var slot in idle) await ReleaseAsync(host, slot, rethrow: false);
        lock (host.Sync)
        {
            host.LingerTimer?.Dispose();
            host.LingerTimer = null;
            if (host.Free.Count > 0 && !_disposed) ArmLinger(host);
        }
    }

    /// <summary>
    /// Makes the token visible again if it is still ours. When storage cannot be reached the slot stays held (and
    /// usable) and the give-back is tried again after <see cref="Linger"/>, until the token's lease has run out anyway.
    /// </summary>
    private async Task ReleaseAsync(HostSlots host, HeldSlot slot, bool rethrow)
    {
        try
        {
            // False: received by another instance after its lease ran out, or set aside: nothing of ours to give back.
            await _tokens.GiveBackAsync(host.Tokens, slot.Token);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException)
        {
            if (_time.GetUtcNow() < slot.Expires)
            {
                LogReleaseFailed(_logger, ex, host.Partition);
                KeepIdle(host, slot);
                if (rethrow) throw;
                return;
            }
        }
        lock (host.Sync)
        {
            host.Held--;
            host.NoRoomUntil = DateTimeOffset.MinValue; // a token just came back: a waiter here may claim it at once
        }
        if (Volatile.Read(ref host.Waiters) > 0) host.Returned.Release();
    }

    /// <summary>Gives back every idle slot, so the next process (a CLI run, a new instance) finds the host free at once.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var host in _hosts.Values)
        {
            List<HeldSlot> idle;
            lock (host.Sync)
            {
                host.LingerTimer?.Dispose();
                host.LingerTimer = null;
                idle = [.. host.Free];
                host.Free.Clear();
            }
            foreach (var slot in idle)
            {
                try { await ReleaseAsync(host, slot, rethrow: false).WaitAsync(TimeSpan.FromSeconds(5)); }
                catch (TimeoutException) { } // storage is slow: the token's lease frees it
            }
        }
    }

    // A container disposed synchronously (tests, some hosts) still gives the slots back.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // Keys may not hold '/', '\\', '#', '?'; authorities never do, but be safe.
    private static string PartitionFor(string hostKey) =>
        "slots|" + hostKey.ToLowerInvariant().Replace('/', '_').Replace('\\', '_').Replace('#', '_').Replace('?', '_');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a politeness slot of {Host}; trying again shortly (it expires with its lease anyway)")]
    private static partial void LogReleaseFailed(ILogger logger, Exception ex, string host);

    private sealed class HostSlots
    {
        public HostSlots(HostSlotTokens.Host tokens, TimeSpan slotLease)
        {
            Tokens = tokens;
            // No token visible for a lease (at least 5 s): count the queue's messages (some tokens may be lost).
            Tokens.MissingAfter = slotLease > TimeSpan.FromSeconds(5) ? slotLease : TimeSpan.FromSeconds(5);
        }

        public HostSlotTokens.Host Tokens { get; }
        public string Partition => Tokens.Partition;
        public readonly object Sync = new();
        /// <summary>Slots this instance holds that no request uses now.</summary>
        public readonly List<HeldSlot> Free = [];
        /// <summary>How many tokens this instance holds (free or in use).</summary>
        public int Held;
        public readonly SemaphoreSlim ClaimGate = new(1, 1);
        /// <summary>Wakes a local waiter when a slot comes back or a token is given back.</summary>
        public readonly SemaphoreSlim Returned = new(0);
        public int Waiters;
        public ITimer? LingerTimer;
        /// <summary>Every token was held when last looked (under the claim gate): no new receive before this.</summary>
        public DateTimeOffset NoRoomUntil;
        /// <summary>The wait after this process's last empty receive for the host (zero after a receive that took a token).</summary>
        public TimeSpan EmptyPoll;
    }

    private sealed class HeldSlot(SlotToken token, DateTimeOffset claimedAt, DateTimeOffset expires)
    {
        public SlotToken Token { get; } = token;
        public int Index => Token.Index;
        public DateTimeOffset ClaimedAt { get; } = claimedAt;
        public DateTimeOffset Expires { get; } = expires;
        public DateTimeOffset IdleSince { get; set; }
        public long LastStartTicks { get; set; } = long.MinValue / 2;
        /// <summary>The phase reserved for the request just granted (UTC ticks; 0: none), waited for just before the wire.</summary>
        public long PendingStartTicks;
    }

    private sealed class Lease(SharedHostThrottle owner, HostSlots host, HeldSlot slot, IAsyncDisposable localLease) : IAsyncDisposable
    {
        private int _released;

        public HeldSlot Slot => slot;
        /// <summary>First sends of this request that woke too late and took a later turn (bounded by MaxMissedPhases).</summary>
        public int MissedTurns;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            try { await owner.ReturnAsync(host, slot); }
            finally { await localLease.DisposeAsync(); }
        }
    }
}
