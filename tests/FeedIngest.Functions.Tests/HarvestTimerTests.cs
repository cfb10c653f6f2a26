using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions.Tests;

/// <summary>The timer's fan-out: one run row and one discover message per enabled source, per schedule occurrence.</summary>
public sealed class HarvestTimerTests(PrivateAzuriteFixture storage) : IClassFixture<PrivateAzuriteFixture>
{
    [Fact]
    public async Task ConcurrentInvocationsForOneOccurrenceQueueEachSourceOnce()
    {
        await using var host = FunctionsTestHost.Create(storage.ConnectionString);
        await host.DrainAsync(StorageNames.DiscoverQueue);
        var second = DateTimeOffset.UtcNow.Second;
        if (second >= 50) await Task.Delay(TimeSpan.FromSeconds(61 - second));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.Get<HarvestTimer>().Run(new TimerInfo(), CancellationToken.None)));

        var messages = (await host.DrainAsync(StorageNames.DiscoverQueue)).Select(WorkQueues.Parse<DiscoverMessage>).ToList();
        var message = Assert.Single(messages);
        Assert.Equal(FunctionsTestHost.SourceId, message.SourceId);
        var run = Assert.Single(await new StoredState(storage.ConnectionString).RowsAsync<RunEntity>(StorageNames.RunsTable), r => r.PartitionKey == RunEntity.Partition && r.RunId == message.RunId);
        Assert.Equal(("functions", 1, FunctionsTestHost.SourceId), (run.Host, run.SourcesQueued, run.Sources));
    }
}
