using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>What a process start costs in storage requests: every name ready, and no create answered 409 on a ready account.</summary>
public sealed class StorageInitializerTests : IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteAccount.LeaseAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task AnEmptyAccountGetsEveryTableContainerAndQueue()
    {
        var (initializer, _) = Start();
        await initializer.EnsureAsync(CancellationToken.None);

        var (tables, containers, queues) = await ListAsync();
        Assert.Subset(tables, StorageNames.Tables.ToHashSet());
        Assert.Subset(containers, StorageNames.Containers.ToHashSet());
        Assert.Subset(queues, StorageNames.Queues.ToHashSet());
    }

    [Fact]
    public async Task AnotherProcessOnAReadyAccountListsOncePerServiceAndCreatesNothing()
    {
        await Start().Initializer.EnsureAsync(CancellationToken.None);

        var (next, counter) = Start();
        await next.EnsureAsync(CancellationToken.None);
        await next.EnsureAsync(CancellationToken.None); // once per process: the second call sends nothing

        var counts = counter.Snapshot();
        var shown = string.Join(", ", counts.Select(p => $"{p.Key}: {p.Value.Requests} ({p.Value.Conflicts} conflicts)"));
        Assert.Equal(3, counts.Values.Sum(c => c.Requests)); // one listing each of tables, containers and queues
        Assert.True(counts.Values.All(c => c.Conflicts == 0), shown);
    }

    [Fact]
    public async Task OnlyWhatIsMissingIsCreated()
    {
        await Start().Initializer.EnsureAsync(CancellationToken.None);
        await new TableServiceClient(_azurite.ConnectionString).DeleteTableAsync(StorageNames.UrlsTable);
        await new BlobServiceClient(_azurite.ConnectionString).DeleteBlobContainerAsync(StorageNames.RawContainer);

        var (next, counter) = Start();
        await next.EnsureAsync(CancellationToken.None);

        var (tables, containers, _) = await ListAsync();
        Assert.Contains(StorageNames.UrlsTable, tables);
        Assert.Contains(StorageNames.RawContainer, containers);
        var counts = counter.Snapshot();
        var shown = string.Join(", ", counts.Select(p => $"{p.Key}: {p.Value.Requests} ({p.Value.Conflicts} conflicts)"));
        Assert.Equal(5, counts.Values.Sum(c => c.Requests)); // three listings, one table and one container created
        Assert.True(counts.Values.All(c => c.Conflicts == 0), shown);
    }

    private (StorageInitializer Initializer, StorageRequestCounter Counter) Start()
    {
        var counter = new StorageRequestCounter();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter.PolicyFor("table"), HttpPipelinePosition.PerRetry);
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(counter.PolicyFor("blob"), HttpPipelinePosition.PerRetry);
        var queueOptions = new QueueClientOptions();
        queueOptions.AddPolicy(counter.PolicyFor("queue"), HttpPipelinePosition.PerRetry);
        var initializer = new StorageInitializer(new BlobServiceClient(_azurite.ConnectionString, blobOptions),
            new TableServiceClient(_azurite.ConnectionString, tableOptions), new QueueServiceClient(_azurite.ConnectionString, queueOptions));
        return (initializer, counter);
    }

    private async Task<(HashSet<string> Tables, HashSet<string> Containers, HashSet<string> Queues)> ListAsync()
    {
        var tables = await new TableServiceClient(_azurite.ConnectionString).QueryAsync().Select(t => t.Name).ToHashSetAsync();
        var containers = await new BlobServiceClient(_azurite.ConnectionString).GetBlobContainersAsync().Select(c => c.Name).ToHashSetAsync();
        var queues = await new QueueServiceClient(_azurite.ConnectionString).GetQueuesAsync().Select(q => q.Name).ToHashSetAsync();
        return (tables, containers, queues);
    }
}
