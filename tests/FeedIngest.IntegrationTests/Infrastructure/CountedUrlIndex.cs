using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>A <see cref="UrlIndex"/> on an account of the shared Azurite, with its table requests counted.</summary>
public sealed class CountedUrlIndex : IAsyncDisposable
{
    private readonly AzuriteAccount _azurite;
    private readonly StorageRequestCounter _counter;

    private CountedUrlIndex(AzuriteAccount azurite, StorageRequestCounter counter, UrlIndex urls, TableClient table) =>
        (_azurite, _counter, Urls, Table) = (azurite, counter, urls, table);

    public UrlIndex Urls { get; }
    /// <summary>Table Urls, without the counter (for rows a test writes or reads behind the index's back).</summary>
    public TableClient Table { get; }

    public static async Task<CountedUrlIndex> StartAsync()
    {
        var azurite = await AzuriteAccount.LeaseAsync();
        var counter = new StorageRequestCounter();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter.PolicyFor("table"), HttpPipelinePosition.PerRetry);
        var tables = new TableServiceClient(azurite.ConnectionString, tableOptions);
        var storage = new StorageInitializer(new BlobServiceClient(azurite.ConnectionString), tables, new QueueServiceClient(azurite.ConnectionString));
        await storage.EnsureTablesAsync(CancellationToken.None);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(StorageNames.UrlsTable);
        return new CountedUrlIndex(azurite, counter, new UrlIndex(tables, storage), table);
    }

    /// <summary>Table requests so far whose resource ("table Urls", "table $batch", …) passes <paramref name="counts"/>.</summary>
    public long Requests(Func<string, bool> counts) => _counter.Snapshot().Where(p => counts(p.Key)).Sum(p => p.Value.Requests);

    public ValueTask DisposeAsync() => _azurite.DisposeAsync();
}
