using Azure.Data.Tables;
using Azure.Storage.Queues;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>Test classes share Azurite processes through accounts of their own: isolated as separate processes were.</summary>
public sealed class SharedAzuriteTests
{
    [Fact]
    public async Task TwoLeasedAccountsShareOneProcessButNotTheirTablesOrQueues()
    {
        await using var first = await AzuriteAccount.LeaseAsync();
        await using var second = await AzuriteAccount.LeaseAsync();

        Assert.NotEqual(first.Name, second.Name);
        Assert.Equal(first.TablePort, second.TablePort); // one process

        var table = new TableClient(first.ConnectionString, "Articles");
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r"));
        var queue = new QueueClient(first.ConnectionString, "articles");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("only in the first account");

        var otherTables = new List<string>();
        await foreach (var t in new TableServiceClient(second.ConnectionString).QueryAsync()) otherTables.Add(t.Name);
        Assert.Empty(otherTables);
        Assert.False(await new QueueClient(second.ConnectionString, "articles").ExistsAsync());
        Assert.Single(table.Query<TableEntity>());
    }
}
