using System.Globalization;
using System.Net;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Fetching;

/// <summary>
/// Politeness that holds across instances: one Table row per host keeps the next allowed start time and the
/// slots in flight, updated with optimistic concurrency (If-Match ETag). Each slot carries an expiry, so a
/// crashed instance blocks its slot for at most <see cref="FetchingOptions.SlotLeaseSeconds"/>. An in-process
/// throttle runs first, so one instance's own requests queue locally instead of racing on the row.
/// </summary>
public sealed partial class TableHostThrottle(
    TableServiceClient tables, string tableName, TimeSpan slotLease, InProcessHostThrottle local, TimeProvider time, ILogger<TableHostThrottle> logger,
    Storage.StorageInitializer storage)
    : IHostThrottle
{
    private const string Partition = "host";
    // While a host is full, poll from 50 ms growing to 1 s: quick hand-over for short fetches, little table
    // traffic while a slow one holds the host. Jitter spreads instances that wait on the same row.
    private static readonly TimeSpan FirstFullPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxFullPoll = TimeSpan.FromSeconds(1);
    private readonly TableClient _table = tables.GetTableClient(tableName);
    // The row as this instance last wrote it, with the ETag of that write: the next take or release tries its
    // conditional write on it without reading first (a 412 means someone else wrote since; then it reads).
    // One instance working a host alone pays 1 write to take a slot and 1 to give it back, instead of 2 + 2.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TableEntity> _lastWritten = new();
    // One write to a host's row at a time from this process: its own requests never race each other on the row
    // (a 412 each time), only other instances' requests can. With the cached ETag that is 1 write to take and 1 to release.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _rowGates = new(StringComparer.Ordinal);
    // Slots this instance took but could not give back (storage was unreachable): dropped from the row at this
    // instance's next write of it, so an outage does not block the host until the slots' leases run out.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentDictionary<string, byte>> _unreleased = new();

    public async ValueTask<IAsyncDisposable> AcquireAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        var localLease = await local.AcquireAsync(hostKey, politeness, cancellationToken);
        try
        {
            await EnsureTableAsync(cancellationToken);
            var rowKey = RowKeyFor(hostKey);
            var slotId = Guid.NewGuid().ToString("N");
            var fullPoll = FirstFullPoll;
            while (true)
            {
                var wait = await TryTakeSlotAsync(rowKey, slotId, politeness, fullPoll, cancellationToken);
                if (wait is null) return new Lease(this, rowKey, slotId, localLease);
                if (wait == fullPoll) fullPoll = TimeSpan.FromTicks(Math.Min(fullPoll.Ticks * 2, MaxFullPoll.Ticks));
                await Task.Delay(wait.Value + TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40)), time, cancellationToken);
            }
        }
        catch
        {
            await localLease.DisposeAsync();
            throw;
        }
    }

    public async ValueTask WaitForNextStartAsync(string hostKey, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        await local.WaitForNextStartAsync(hostKey, politeness, cancellationToken);
        await EnsureTableAsync(cancellationToken);
        var rowKey = RowKeyFor(hostKey);
        while (true)
        {
            // No slot: the retry runs inside the slot its request already holds.
            var wait = await TryTakeSlotAsync(rowKey, slotId: null, politeness, FirstFullPoll, cancellationToken);
            if (wait is null) return;
            await Task.Delay(wait.Value + TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40)), time, cancellationToken);
        }
    }

    // This instance's next request waits the full delay after this one left; other instances see the row's time,
    // written at the grant (one more write per request to move it would double the row's traffic).
    public void MarkSent(string hostKey, HostPoliteness politeness) => local.MarkSent(hostKey, politeness);

    /// <summary>Null when the slot (or, with no slot id, the next start) was taken; otherwise how long to wait before asking again.</summary>
    private async Task<TimeSpan?> TryTakeSlotAsync(
        string rowKey, string? slotId, HostPoliteness politeness, TimeSpan fullPoll, CancellationToken cancellationToken)
    {
        var gate = RowGate(rowKey);
        await gate.WaitAsync(cancellationToken);
        try { return await TryTakeSlotCoreAsync(rowKey, slotId, politeness, fullPoll, cancellationToken); }
        finally { gate.Release(); }
    }

    private SemaphoreSlim RowGate(string rowKey) => _rowGates.GetOrAdd(rowKey, _ => new SemaphoreSlim(1, 1));

    private async Task<TimeSpan?> TryTakeSlotCoreAsync(
        string rowKey, string? slotId, HostPoliteness politeness, TimeSpan fullPoll, CancellationToken cancellationToken)
    {
        // Try the row as we last wrote it first; if it says "wait", the truth may have moved on: read it.
        var cached = _lastWritten.TryGetValue(rowKey, out var mine) ? Copy(mine) : null;
        var entity = cached;
        var now = time.GetUtcNow();
        if (entity is null || !HasRoom(entity, politeness, now))
        {
            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, rowKey, cancellationToken: cancellationToken);
            entity = existing.HasValue ? existing.Value! : null;
            now = time.GetUtcNow();
        }
        var exists = entity is not null;
        entity ??= new TableEntity(Partition, rowKey);
        var slots = SlotList.Parse(entity.GetString("Slots"), now);
        var dropped = _unreleased.TryGetValue(rowKey, out var unreleased) ? unreleased.Keys.Where(slots.Remove).ToList() : [];
        var nextAllowed = entity.GetDateTimeOffset("NextAllowedUtc") ?? DateTimeOffset.MinValue;

        if (slotId is not null && slots.Count >= Math.Max(1, politeness.MaxConcurrency)) return fullPoll;
        if (now < nextAllowed) return nextAllowed - now;

        if (slotId is not null) slots.Add(slotId, now + slotLease);
        entity["Slots"] = slots.ToString();
        entity["NextAllowedUtc"] = now + politeness.MinDelay;
        try
        {
            var response = exists
                ? await _table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken)
                : await _table.AddEntityAsync(entity, cancellationToken);
            Remember(rowKey, entity, response.Headers.ETag);
            foreach (var id in dropped) unreleased!.TryRemove(id, out _);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
        {
            // Another instance changed the row since we saw it: read again.
            _lastWritten.TryRemove(rowKey, out _);
            return TimeSpan.Zero;
        }
    }

    private async Task ReleaseAsync(string rowKey, string slotId)
    {
        var gate = RowGate(rowKey);
        await gate.WaitAsync();
        try { await ReleaseCoreAsync(rowKey, slotId); }
        finally { gate.Release(); }
    }

    private async Task ReleaseCoreAsync(string rowKey, string slotId)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                TableEntity entity;
                if (attempt == 0 && _lastWritten.TryGetValue(rowKey, out var mine)) entity = Copy(mine);
                else
                {
                    var existing = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, rowKey);
                    if (!existing.HasValue) return;
                    entity = existing.Value!;
                }
                var slots = SlotList.Parse(entity.GetString("Slots"), time.GetUtcNow());
                if (!slots.Remove(slotId)) return;
                entity["Slots"] = slots.ToString();
                var response = await _table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
                Remember(rowKey, entity, response.Headers.ETag);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.PreconditionFailed)
            {
                _lastWritten.TryRemove(rowKey, out _);
                if (attempt > 0) await Task.Delay(Random.Shared.Next(5, 30));
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException)
            {
                // Given back at this instance's next write of the row (or when its lease expires).
                _unreleased.GetOrAdd(rowKey, _ => new()).TryAdd(slotId, 0);
                _lastWritten.TryRemove(rowKey, out _);
                LogReleaseFailed(logger, ex, rowKey);
                return;
            }
        }
    }

    private static bool HasRoom(TableEntity entity, HostPoliteness politeness, DateTimeOffset now) =>
        SlotList.Parse(entity.GetString("Slots"), now).Count < Math.Max(1, politeness.MaxConcurrency)
        && now >= (entity.GetDateTimeOffset("NextAllowedUtc") ?? DateTimeOffset.MinValue);

    private void Remember(string rowKey, TableEntity written, ETag? etag)
    {
        if (etag is null) { _lastWritten.TryRemove(rowKey, out _); return; }
        var copy = Copy(written);
        copy.ETag = etag.Value;
        _lastWritten[rowKey] = copy;
    }

    private static TableEntity Copy(TableEntity entity) => new(entity) { ETag = entity.ETag };

    // Created with the others by StorageInitializer (once per process; a completed task after that).
    private Task EnsureTableAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);

    // Row keys may not hold '/', '\\', '#', '?'; authorities never do, but be safe.
    private static string RowKeyFor(string hostKey) =>
        hostKey.ToLowerInvariant().Replace('/', '_').Replace('\\', '_').Replace('#', '_').Replace('?', '_');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release throttle slot on {Host}; it is given back at the next write of the row")]
    private static partial void LogReleaseFailed(ILogger logger, Exception ex, string host);

    /// <summary>"slotId=expiryTicks;…" with expired slots dropped on read.</summary>
    private sealed class SlotList
    {
        private readonly Dictionary<string, long> _slots = [];

        public int Count => _slots.Count;

        public static SlotList Parse(string? text, DateTimeOffset now)
        {
            var list = new SlotList();
            foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = part.Split('=', 2);
                if (pair.Length == 2 && long.TryParse(pair[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks)
                    && ticks > now.UtcTicks)
                    list._slots[pair[0]] = ticks;
            }
            return list;
        }

        public void Add(string id, DateTimeOffset expires) => _slots[id] = expires.UtcTicks;
        public bool Remove(string id) => _slots.Remove(id);

        public override string ToString() =>
            string.Join(';', _slots.Select(s => s.Key + "=" + s.Value.ToString(CultureInfo.InvariantCulture)));
    }

    private sealed class Lease(TableHostThrottle owner, string rowKey, string slotId, IAsyncDisposable localLease) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            try { await owner.ReleaseAsync(rowKey, slotId); }
            finally { await localLease.DisposeAsync(); }
        }
    }
}
