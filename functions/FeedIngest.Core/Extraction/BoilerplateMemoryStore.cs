using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Common;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Persists each source's boilerplate memory in table "Boilerplate" (PartitionKey = sourceId, RowKey = "memory"), so every
/// harvest run starts with what earlier runs learned. The snapshot is gzip'd JSON split over binary properties
/// (a property holds at most 64 KiB); the memory's own caps keep it far below the 1 MiB entity limit.
/// Many instances share it: a save adds what this memory observed since it was loaded (or last saved) onto the
/// stored row, written with the row's ETag and merged again on a conflict (<see cref="BoilerplateSnapshotMerge"/>).
/// </summary>
public sealed class BoilerplateMemoryStore(TableServiceClient tables, StorageInitializer storage)
{
    public const string TableName = StorageNames.BoilerplateTable;
    private const string RowKey = "memory";
    private const int ChunkBytes = 60 * 1024;
    private const int MaxChunks = 15;

    private readonly TableClient _table = tables.GetTableClient(TableName);
    // What each memory held when it was loaded or last saved: the base its next delta is measured from.
    private readonly ConditionalWeakTable<BoilerplateMemory, BoilerplateSnapshot> _baselines = new();
    // One save at a time per process, so two saves of one memory never add the same delta twice (saves are rare: every 20 pages).
    private readonly SemaphoreSlim _saving = new(1, 1);

    public async Task<IBoilerplateMemory> LoadAsync(string sourceId, CancellationToken cancellationToken)
    {
        var (snapshot, _) = await ReadAsync(sourceId, cancellationToken).ConfigureAwait(false);
        var memory = BoilerplateMemory.FromSnapshot(snapshot);
        _baselines.AddOrUpdate(memory, memory.ToSnapshot());
        return memory;
    }

    /// <summary>Adds what <paramref name="memory"/> learned since its load (or last save) to the stored memory, optimistically.</summary>
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
            await OptimisticConcurrency.RetryAsync(async _ =>
            {
                var (stored, etag) = await ReadAsync(sourceId, cancellationToken).ConfigureAwait(false);
                var entity = ToEntity(sourceId, BoilerplateSnapshotMerge.Apply(stored, delta));
                if (etag is { } match) await _table.UpdateEntityAsync(entity, match, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                else await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            _baselines.AddOrUpdate(bounded, now);
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>The stored snapshot and its ETag (none when there is no row). A damaged row reads as empty: it costs the learning, never the harvest.</summary>
    private async Task<(BoilerplateSnapshot Snapshot, ETag? ETag)> ReadAsync(string sourceId, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(sourceId, RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue || response.Value is not { } entity) return (BoilerplateSnapshotMerge.Empty, null);
        using var buffer = new MemoryStream();
        for (var i = 0; i < MaxChunks; i++)
        {
            var chunk = entity.GetBinary("Data" + i);
            if (chunk is null) break;
            buffer.Write(chunk);
        }
        if (buffer.Length == 0) return (BoilerplateSnapshotMerge.Empty, entity.ETag);
        try
        {
            var json = Gzip.Decompress(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            return (JsonSerializer.Deserialize<BoilerplateSnapshot>(json) ?? BoilerplateSnapshotMerge.Empty, entity.ETag);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return (BoilerplateSnapshotMerge.Empty, entity.ETag);
        }
    }

    private static TableEntity ToEntity(string sourceId, BoilerplateSnapshot snapshot)
    {
        // Through FromSnapshot so the merged memory keeps the memory's caps before it is written.
        var bounded = BoilerplateMemory.FromSnapshot(snapshot).ToSnapshot();
        var bytes = Gzip.Compress(JsonSerializer.SerializeToUtf8Bytes(bounded));
        if (bytes.Length > ChunkBytes * MaxChunks) throw new InvalidOperationException("boilerplate memory exceeds the entity size");
        var entity = new TableEntity(sourceId, RowKey) { ["PagesObserved"] = bounded.PagesObserved };
        for (var i = 0; i * ChunkBytes < bytes.Length; i++)
            entity["Data" + i] = bytes.AsSpan(i * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - i * ChunkBytes)).ToArray();
        return entity;
    }

    // Created with the others by StorageInitializer (once per process; a completed task after that).
    private Task EnsureTableAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);
}
