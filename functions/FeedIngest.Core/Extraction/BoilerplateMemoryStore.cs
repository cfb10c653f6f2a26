using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Common;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Persists each source's boilerplate memory in table "Boilerplate", PartitionKey = sourceId, so every harvest run
/// starts with what earlier runs learned: a base row (RowKey "memory") and append-only delta rows (RowKey
/// "delta-{ticks}-{writer}-{n}"), each what one instance observed since it loaded or last saved. A save inserts one
/// delta row under a key of its own, so instances never contend for a row (no 412, however many save at once); a load
/// reads the partition and applies the deltas to the base in key order (<see cref="BoilerplateSnapshotMerge"/>:
/// counts add up, a page two instances both saved counts once). When a load finds more than <see cref="CompactAfter"/>
/// deltas it folds them into the base in one entity group transaction — the base replaced with If-Match, the folded
/// deltas deleted — so each delta is counted once whether or not another instance compacted first.
/// Snapshots are gzip'd JSON split over binary properties (a property holds at most 64 KiB); the memory's own caps
/// keep them far below the 1 MiB entity limit.
/// </summary>
public sealed class BoilerplateMemoryStore(TableServiceClient tables, StorageInitializer storage)
{
    public const string TableName = StorageNames.BoilerplateTable;
    /// <summary>A load that finds more delta rows than this folds them into the base row.</summary>
    public const int CompactAfter = 50;
    private const string BaseRow = "memory";
    private const string DeltaPrefix = "delta-";
    private const int ChunkBytes = 60 * 1024;
    private const int MaxChunks = 15;
    // An entity group transaction holds at most 100 operations: the base and 99 deltas; a load folds at most this many.
    private const int DeltasPerCompaction = 99;
    private const int MaxCompactionsPerLoad = 10;

    private readonly TableClient _table = tables.GetTableClient(TableName);
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];
    private long _saves;
    // What each memory held when it was loaded or last saved: the base its next delta is measured from.
    private readonly ConditionalWeakTable<BoilerplateMemory, BoilerplateSnapshot> _baselines = new();
    // One save at a time per process, so two saves of one memory never write the same delta twice (saves are rare: every 20 pages).
    private readonly SemaphoreSlim _saving = new(1, 1);

    public async Task<IBoilerplateMemory> LoadAsync(string sourceId, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(sourceId, cancellationToken).ConfigureAwait(false);
        var snapshot = stored.Deltas.Aggregate(stored.Base, (merged, delta) => BoilerplateSnapshotMerge.Apply(merged, delta.Snapshot));
        if (stored.Deltas.Count > CompactAfter) await CompactAsync(sourceId, stored, cancellationToken).ConfigureAwait(false);
        var memory = BoilerplateMemory.FromSnapshot(snapshot);
        _baselines.AddOrUpdate(memory, memory.ToSnapshot());
        return memory;
    }

    /// <summary>Writes what <paramref name="memory"/> learned since its load (or last save) as a new delta row.</summary>
    public async Task SaveAsync(string sourceId, IBoilerplateMemory memory, CancellationToken cancellationToken)
    {
        if (memory is not BoilerplateMemory bounded)
            throw new ArgumentException("only BoilerplateMemory can be persisted", nameof(memory));
        await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = bounded.ToSnapshot();
            var delta = BoilerplateSnapshotMerge.Delta(_baselines.TryGetValue(bounded, out var baseline) ? baseline : BoilerplateSnapshotMerge.Empty, now);
            if (delta.PagesObserved == 0 && delta.Counts.Count == 0) return;
            await storage.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
            // Keys sort by time, so a load applies the deltas in about the order they were learned; writer and
            // count make each key this save's own.
            var key = string.Create(CultureInfo.InvariantCulture, $"{DeltaPrefix}{DateTime.UtcNow.Ticks:D19}-{_writer}-{Interlocked.Increment(ref _saves):D6}");
            await _table.AddEntityAsync(ToEntity(sourceId, key, delta), cancellationToken).ConfigureAwait(false);
            _baselines.AddOrUpdate(bounded, now);
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>
    /// Folds the oldest deltas into the base: one transaction per 99 deltas, each replacing the base with If-Match and
    /// deleting the deltas it folded. A transaction that loses to another instance's compaction (412, or a delta
    /// already gone) changes nothing, and the memory is already loaded: it stops there; so does one that fails.
    /// </summary>
    private async Task CompactAsync(string sourceId, StoredMemory stored, CancellationToken cancellationToken)
    {
        var merged = stored.Base;
        var etag = stored.BaseETag;
        foreach (var chunk in stored.Deltas.Chunk(DeltasPerCompaction).Take(MaxCompactionsPerLoad))
        {
            merged = chunk.Aggregate(merged, (m, delta) => BoilerplateSnapshotMerge.Apply(m, delta.Snapshot));
            var baseRow = ToEntity(sourceId, BaseRow, merged);
            var actions = new List<TableTransactionAction>
            {
                etag is { } match
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, baseRow, match)
                    : new TableTransactionAction(TableTransactionActionType.Add, baseRow),
            };
            actions.AddRange(chunk.Select(delta => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(sourceId, delta.RowKey), delta.ETag)));
            try
            {
                var response = await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                etag = response.Value[0].Headers.ETag; // the responses follow the actions: the base first
                if (etag is null) return;
            }
            catch (TableTransactionFailedException)
            {
                return; // another instance compacted these deltas first; the next load reads its base
            }
            catch (Exception e) when (e is RequestFailedException or InvalidOperationException)
            {
                return; // folding only saves the next loads some rows: the memory is loaded, the deltas stay for another try
            }
        }
    }

    /// <summary>The base row (empty when there is none) and the delta rows in key order. A damaged row reads as empty: it costs the learning, never the harvest.</summary>
    private async Task<StoredMemory> ReadAsync(string sourceId, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = BoilerplateSnapshotMerge.Empty;
        ETag? baseETag = null;
        var deltas = new List<StoredDelta>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey == BaseRow)
            {
                snapshot = Decode(entity);
                baseETag = entity.ETag;
            }
            else if (entity.RowKey.StartsWith(DeltaPrefix, StringComparison.Ordinal))
                deltas.Add(new StoredDelta(entity.RowKey, entity.ETag, Decode(entity)));
        }
        return new StoredMemory(snapshot, baseETag, deltas); // a partition query returns rows in RowKey order
    }

    private static BoilerplateSnapshot Decode(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        for (var i = 0; i < MaxChunks; i++)
        {
            var chunk = entity.GetBinary("Data" + i);
            if (chunk is null) break;
            buffer.Write(chunk);
        }
        if (buffer.Length == 0) return BoilerplateSnapshotMerge.Empty;
        try
        {
            var json = Gzip.Decompress(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            return JsonSerializer.Deserialize<BoilerplateSnapshot>(json) ?? BoilerplateSnapshotMerge.Empty;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return BoilerplateSnapshotMerge.Empty;
        }
    }

    private static TableEntity ToEntity(string sourceId, string rowKey, BoilerplateSnapshot snapshot)
    {
        // Through FromSnapshot so the merged memory keeps the memory's caps before it is written.
        var bounded = BoilerplateMemory.FromSnapshot(snapshot).ToSnapshot();
        var bytes = Gzip.Compress(JsonSerializer.SerializeToUtf8Bytes(bounded));
        if (bytes.Length > ChunkBytes * MaxChunks) throw new InvalidOperationException("boilerplate memory exceeds the entity size");
        var entity = new TableEntity(sourceId, rowKey) { ["PagesObserved"] = bounded.PagesObserved };
        for (var i = 0; i * ChunkBytes < bytes.Length; i++)
            entity["Data" + i] = bytes.AsSpan(i * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - i * ChunkBytes)).ToArray();
        return entity;
    }

    private sealed record StoredDelta(string RowKey, ETag ETag, BoilerplateSnapshot Snapshot);

    private sealed record StoredMemory(BoilerplateSnapshot Base, ETag? BaseETag, List<StoredDelta> Deltas);
}
