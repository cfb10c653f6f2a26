using Azure.Data.Tables;
using Azure.Storage.Queues;
using FeedIngest.Cli;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>A reprocess job through its queue messages on a private Azurite: the plan resumes when redelivered, and counts are exact.</summary>
public sealed class ReprocessPlanTests : IAsyncLifetime
{
    private const string SourceId = "src";
    private AzuriteAccount _azurite = null!;
    private ServiceProvider _services = null!;
    private List<string> _ids = [];

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        _services = CliHost.Build(new Dictionary<string, string?>
        {
            ["FeedIngestStorage"] = _azurite.ConnectionString,
            ["FeedIngest:SourcesPath"] = HarvestEnvironment.WriteSources(new Uri("http://127.0.0.1:9/"), SourceId),
        });
        // 250 stored articles published on 10 March 2024 (Vietnam time), without raw archives: each re-extraction fails with its reason.
        _ids = Enumerable.Range(0, 250).Select(i => $"{i * 7919 + 4096:x16}").Order(StringComparer.Ordinal).ToList();
        var articles = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable);
        await articles.CreateIfNotExistsAsync();
        foreach (var chunk in _ids.Chunk(100))
            await articles.SubmitTransactionAsync(chunk.Select(id => new TableTransactionAction(TableTransactionActionType.Add, new ArticleEntity
            {
                PartitionKey = SourceId, RowKey = id, Status = ArticleStatus.Stored, Url = $"https://portal.test/{id}.html",
                PublishedAtUtc = new DateTimeOffset(2024, 3, 10, 2, 0, 0, TimeSpan.Zero), Version = 1,
            })));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private async Task<List<string>> DrainAsync()
    {
        var queue = new QueueClient(_azurite.ConnectionString, StorageNames.ReprocessQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var bodies = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0) return bodies;
            foreach (var message in batch)
            {
                bodies.Add(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    [Fact]
    public async Task ARedeliveredPlanQueuesWhatTheFirstDeliveryDidNotAndTheJobCompletesWithExactCounts()
    {
        var service = _services.GetRequiredService<ReprocessService>();
        var jobs = _services.GetRequiredService<ReprocessJobStore>();
        var queues = _services.GetRequiredService<WorkQueues>();
        var jobId = await service.SubmitAsync(new ReprocessRequest { SourceId = SourceId, From = "2024-03-10", To = "2024-03-10" }, CancellationToken.None);
        var plan = WorkQueues.Parse<ReprocessMessage>(Assert.Single(await DrainAsync()));
        // The first delivery of the plan sent its first chunk, noted it, and died (host recycled, timeout).
        await queues.SendManyAsync(StorageNames.ReprocessQueue, _ids.Take(ReprocessService.PlanChunk).Select(id => new ReprocessMessage(jobId, "article", SourceId, id)), CancellationToken.None);
        await jobs.RecordPlanProgressAsync(jobId, ReprocessService.PlanChunk, _ids[ReprocessService.PlanChunk - 1], planned: false, [], CancellationToken.None);
        Assert.Equal("running", (await service.GetStatusAsync(jobId, CancellationToken.None))!.State);

        await service.HandleAsync(plan, dequeueCount: 2, maxDequeueCount: 5, CancellationToken.None);

        var work = (await DrainAsync()).Select(WorkQueues.Parse<ReprocessMessage>).ToList();
        Assert.Equal(_ids, work.Select(m => m.ArticleId!).Order(StringComparer.Ordinal)); // every article once, the first chunk not again
        var planned = (await jobs.GetHeaderAsync(jobId, CancellationToken.None))!;
        Assert.Equal((true, _ids.Count), (planned.Planned, planned.Queued));

        // Every article message, some of them delivered twice: each article counts once.
        foreach (var message in work.Concat(work.Take(7)))
            await service.HandleAsync(message, CancellationToken.None);
        // A third delivery of the plan, after it finished, queues nothing.
        await service.HandleAsync(plan, dequeueCount: 3, maxDequeueCount: 5, CancellationToken.None);

        Assert.Empty(await DrainAsync());
        var status = (await service.GetStatusAsync(jobId, CancellationToken.None))!;
        Assert.Equal(("completed", _ids.Count, 0, 0, _ids.Count), (status.State, status.Queued, status.Done, status.Unchanged, status.Failed));
        Assert.All(status.Errors, e => Assert.Contains("no raw archive", e));
        var outcomeRows = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ReprocessJobsTable)
            .Query<OutcomeEntity>(o => o.PartitionKey == jobId).ToList();
        Assert.Equal(_ids.Count, outcomeRows.Count);
    }

    [Fact]
    public async Task ReprocessByIdFindsTheSourceThroughTheIdIndexAndReportsAnUnknownIdAsFailed()
    {
        var service = _services.GetRequiredService<ReprocessService>();
        var index = _services.GetRequiredService<ArticleIndex>();
        var articles = _services.GetRequiredService<ArticleRepository>();
        await index.AddAsync((await articles.GetRowAsync(SourceId, _ids[3], CancellationToken.None))!, null, CancellationToken.None);

        var status = await service.RunInProcessAsync(new ReprocessRequest { ArticleIds = [_ids[3], "00000000000000ff"] }, null, CancellationToken.None);

        Assert.Equal(("completed", 1, 2), (status.State, status.Queued, status.Failed));
        Assert.Contains(status.Errors, e => e.StartsWith("00000000000000ff: no such article", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Contains("no raw archive", StringComparison.Ordinal));
    }
}
