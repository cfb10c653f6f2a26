using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Fetching;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Storage;

/// <summary>
/// Creates the containers, tables and queues once per process and service (infra/ creates them in Azure; Azurite
/// starts empty), instead of a CreateIfNotExists on each hot path. Each service separately, so an outage of one
/// (queues down) does not stop work on the others; a failure is not cached: the next caller tries again.
/// A service's names are listed first (one request) and only the missing ones created: every instance start would
/// otherwise send a create per table and container and get a 409 for each, failed requests in the dependency logs.
/// </summary>
public sealed class StorageInitializer
{
    private readonly Once _tables;
    private readonly Once _blobs;
    private readonly Once _queues;

    /// <param name="fetching">The throttle and fetch-state tables can be renamed by setting: the names in use are the ones created.</param>
    public StorageInitializer(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient queues, IOptions<FetchingOptions>? fetching = null)
    {
        var tableNames = StorageNames.Tables
            .Concat(fetching is null ? [] : [fetching.Value.ThrottleTableName, fetching.Value.FetchStateTableName])
            .Distinct(StringComparer.Ordinal).ToArray();
        // Table names are case-insensitive; container and queue names are lower case.
        _tables = new(() => CreateMissingAsync(tableNames, tables.QueryAsync().Select(t => t.Name), StringComparer.OrdinalIgnoreCase,
            name => tables.GetTableClient(name).CreateIfNotExistsAsync()));
        _blobs = new(() => CreateMissingAsync(StorageNames.Containers, blobs.GetBlobContainersAsync().Select(c => c.Name), StringComparer.Ordinal,
            name => blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync()));
        _queues = new(() => CreateMissingAsync(StorageNames.Queues, queues.GetQueuesAsync().Select(q => q.Name), StringComparer.Ordinal,
            name => queues.GetQueueClient(name).CreateIfNotExistsAsync()));
    }

    public Task EnsureTablesAsync(CancellationToken cancellationToken) => _tables.RunAsync(cancellationToken);
    public Task EnsureBlobsAsync(CancellationToken cancellationToken) => _blobs.RunAsync(cancellationToken);
    public Task EnsureQueuesAsync(CancellationToken cancellationToken) => _queues.RunAsync(cancellationToken);

    /// <summary>Everything (start-up of a host that wants to fail early).</summary>
    public Task EnsureAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(EnsureTablesAsync(cancellationToken), EnsureBlobsAsync(cancellationToken), EnsureQueuesAsync(cancellationToken));

    private static async Task CreateMissingAsync<T>(IEnumerable<string> wanted, IAsyncEnumerable<string> existing, StringComparer comparer, Func<string, Task<T>> create)
    {
        var present = await existing.ToHashSetAsync(comparer);
        await Task.WhenAll(wanted.Where(name => !present.Contains(name)).Select(async name =>
        {
            try { await create(name); }
            catch (RequestFailedException e) when (e.Status == 409) { } // created by another process at the same moment
        }));
    }

    private sealed class Once(Func<Task> create)
    {
        private readonly object _gate = new();
        private Task? _task;

        public Task RunAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_task is { IsCompletedSuccessfully: true } done) return done;
                if (_task is null || _task.IsFaulted || _task.IsCanceled) _task = create();
                return _task.WaitAsync(cancellationToken);
            }
        }
    }
}
