using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FeedIngest.Core.Storage;

/// <summary>
/// Creates every container, table and queue once per process (infra/ creates them in Azure; Azurite starts
/// empty), instead of a CreateIfNotExists on each hot path. A failure is not cached: the next caller tries again.
/// </summary>
public sealed class StorageInitializer(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient queues)
{
    private readonly object _gate = new();
    private Task? _ready;

    /// <summary>Completes when everything exists; after the first success it costs nothing.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ready is { IsCompletedSuccessfully: true } done) return done;
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled) _ready = CreateAllAsync();
            return _ready.WaitAsync(cancellationToken);
        }
    }

    private async Task CreateAllAsync()
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Containers.Select(name => blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync()));
        work.AddRange(StorageNames.Tables.Select(name => IgnoreConflict(tables.GetTableClient(name).CreateIfNotExistsAsync())));
        work.AddRange(StorageNames.Queues.Select(name => queues.GetQueueClient(name).CreateIfNotExistsAsync()));
        await Task.WhenAll(work);
    }

    private static async Task IgnoreConflict(Task create)
    {
        try { await create; }
        catch (RequestFailedException e) when (e.Status == 409) { } // created by another process at the same moment
    }
}
