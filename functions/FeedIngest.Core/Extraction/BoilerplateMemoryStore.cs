using System.IO.Compression;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Persists each source's boilerplate memory in table "Boilerplate" (PartitionKey = sourceId, RowKey = "memory"), so every
/// harvest run starts with what earlier runs learned. The snapshot is gzip'd JSON split over binary properties
/// (a property holds at most 64 KiB); the memory's own caps keep it far below the 1 MiB entity limit.
/// Last writer wins: two runs of one source saving at once lose at most one run's observations.
/// </summary>
public sealed class BoilerplateMemoryStore(TableServiceClient tables)
{
    public const string TableName = "Boilerplate";
    private const string RowKey = "memory";
    private const int ChunkBytes = 60 * 1024;
    private const int MaxChunks = 15;

    private readonly TableClient _table = tables.GetTableClient(TableName);
    private volatile bool _tableReady;

    public async Task<IBoilerplateMemory> LoadAsync(string sourceId, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(sourceId, RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue || response.Value is not { } entity) return new BoilerplateMemory();
        using var buffer = new MemoryStream();
        for (var i = 0; i < MaxChunks; i++)
        {
            var chunk = entity.GetBinary("Data" + i);
            if (chunk is null) break;
            buffer.Write(chunk);
        }
        if (buffer.Length == 0) return new BoilerplateMemory();
        buffer.Position = 0;
        try
        {
            await using var gzip = new GZipStream(buffer, CompressionMode.Decompress);
            var snapshot = await JsonSerializer.DeserializeAsync<BoilerplateSnapshot>(gzip, cancellationToken: cancellationToken).ConfigureAwait(false);
            return snapshot is null ? new BoilerplateMemory() : BoilerplateMemory.FromSnapshot(snapshot);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return new BoilerplateMemory(); // a damaged row only costs the learning, never the harvest
        }
    }

    public async Task SaveAsync(string sourceId, IBoilerplateMemory memory, CancellationToken cancellationToken)
    {
        if (memory is not BoilerplateMemory bounded)
            throw new ArgumentException("only BoilerplateMemory can be persisted", nameof(memory));
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            await JsonSerializer.SerializeAsync(gzip, bounded.ToSnapshot(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        if (bytes.Length > ChunkBytes * MaxChunks) throw new InvalidOperationException("boilerplate memory exceeds the entity size");
        var entity = new TableEntity(sourceId, RowKey) { ["PagesObserved"] = bounded.PagesObserved };
        for (var i = 0; i * ChunkBytes < bytes.Length; i++)
            entity["Data" + i] = bytes.AsSpan(i * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - i * ChunkBytes)).ToArray();
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_tableReady) return;
        try { await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false); }
        catch (RequestFailedException e) when (e.Status == 409) { }
        _tableReady = true;
    }
}
