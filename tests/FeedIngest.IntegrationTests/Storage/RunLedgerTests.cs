using Azure.Data.Tables;
using FeedIngest.Cli;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>
/// The run ledger on a private Azurite: counts are one row per article, written by many instances at once and
/// summed on read, so they are exact; runs are read newest first.
/// </summary>
public sealed class RunLedgerTests : IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteAccount.LeaseAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    /// <summary>One instance of the app: its own service container and storage clients.</summary>
    private ServiceProvider Instance() => CliHost.Build(new Dictionary<string, string?> { ["FeedIngestStorage"] = _azurite.ConnectionString });

    private static readonly string[] Results = [OutcomeResult.Stored, OutcomeResult.Updated, OutcomeResult.Unchanged, OutcomeResult.Duplicate, OutcomeResult.Skipped, OutcomeResult.Failed];

    [Fact]
    public async Task EightConcurrentWritersCountEveryArticleExactlyOnceAndTheRunCompletesWhenTheLastIsIn()
    {
        const int Writers = 8, PerWriter = 40;
        var instances = Enumerable.Range(0, Writers).Select(_ => Instance()).ToList();
        try
        {
            var runId = RunLedger.NewRunId(DateTimeOffset.UtcNow);
            var ledger = instances[0].GetRequiredService<RunLedger>();
            await ledger.StartAsync(runId, "harvest", "functions", ["src"], 1, CancellationToken.None);
            await ledger.RecordSourceAsync(runId, new SourceRunSummary("src", Writers * PerWriter, 0, Writers * PerWriter, 0, []), CancellationToken.None);
            OutcomeRecord Outcome(int writer, int i, string? result = null) =>
                new("src", $"{writer:D2}{i:D14}", result ?? Results[(writer + i) % Results.Length], $"https://portal.test/{writer}/{i}", null, "why");

            // All but the last article of writer 0, from 8 instances at once; each instance also redelivers 10 of
            // its articles with another result (a redelivery that found the article done): those must not count.
            await Task.WhenAll(instances.Select((instance, writer) => Task.Run(async () =>
            {
                var mine = instance.GetRequiredService<RunLedger>();
                var items = Enumerable.Range(0, PerWriter).Where(i => writer != 0 || i != PerWriter - 1).ToList();
                await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
                    await mine.RecordOutcomeAsync(runId, Outcome(writer, i), ct));
                foreach (var i in items.Take(10))
                    await mine.RecordOutcomeAsync(runId, Outcome(writer, i, OutcomeResult.Unchanged), CancellationToken.None);
            })));

            var open = (await ledger.GetAsync(runId, CancellationToken.None))!;
            Assert.Equal(RunState.Running, open.State);
            Assert.Equal(Writers * PerWriter - 1, open.Stored + open.Updated + open.Unchanged + open.Duplicates + open.Skipped + open.Failed);

            await instances[3].GetRequiredService<RunLedger>().RecordOutcomeAsync(runId, Outcome(0, PerWriter - 1), CancellationToken.None);
            var run = (await ledger.GetAsync(runId, CancellationToken.None))!;

            var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, PerWriter).Select(i => Results[(w + i) % Results.Length]))
                .GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(
                (expected[OutcomeResult.Stored], expected[OutcomeResult.Updated], expected[OutcomeResult.Unchanged], expected[OutcomeResult.Duplicate], expected[OutcomeResult.Skipped], expected[OutcomeResult.Failed]),
                (run.Stored, run.Updated, run.Unchanged, run.Duplicates, run.Skipped, run.Failed));
            // What storage holds: one outcome row per article, none of them on the run's header.
            var rows = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.RunsTable)
                .Query<OutcomeEntity>(o => o.PartitionKey == runId && o.RowKey.CompareTo("a|") >= 0 && o.RowKey.CompareTo("a}") < 0).ToList();
            Assert.Equal(Writers * PerWriter, rows.Count);
            Assert.Equal(expected.OrderBy(e => e.Key), rows.GroupBy(r => r.Result).ToDictionary(g => g.Key, g => g.Count()).OrderBy(e => e.Key));
            // Complete: settled into the header, which now answers alone.
            Assert.Equal(RunState.CompletedWithFailures, run.State);
            var header = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.RunsTable)
                .GetEntity<RunEntity>(RunEntity.Partition, RunKeys.RowKey(runId)).Value;
            Assert.Equal((RunState.CompletedWithFailures, run.Stored, run.Failed, Writers * PerWriter), (header.State, header.Stored, header.Failed, header.Queued));
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }

    [Fact]
    public async Task RunsAreListedNewestFirstReadingOnlyAsManyRowsAsAskedIncludingRowsOfTheOldLayout()
    {
        await using var services = Instance();
        var ledger = services.GetRequiredService<RunLedger>();
        var start = new DateTimeOffset(2031, 5, 1, 8, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 12).Select(i => RunLedger.NewRunId(start.AddMinutes(i * 7))).ToList();
        foreach (var id in ids.OrderBy(_ => Random.Shared.Next()))
            await ledger.StartAsync(id, "harvest", "cli", ["src"], 1, CancellationToken.None);
        // A row written before inverted-time keys (PartitionKey "run", RowKey = run id), older than all of them.
        var table = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.RunsTable);
        var legacyId = RunLedger.NewRunId(start.AddDays(-1));
        await table.AddEntityAsync(new RunEntity { PartitionKey = RunEntity.LegacyPartition, RowKey = legacyId, StartedAt = start.AddDays(-1), State = RunState.Completed });

        var newest = new List<string>();
        await foreach (var run in ledger.ListRecentAsync(5, CancellationToken.None)) newest.Add(run.RunId);
        var all = new List<string>();
        await foreach (var run in ledger.ListRecentAsync(50, CancellationToken.None)) all.Add(run.RunId);

        Assert.Equal(ids.AsEnumerable().Reverse().Take(5), newest);
        Assert.Equal(ids.AsEnumerable().Reverse().Append(legacyId), all);
        // The keys themselves sort newest first: the service returns them in that order without a sort of ours.
        var keys = table.Query<RunEntity>(r => r.PartitionKey == RunEntity.Partition).Select(r => r.RunId).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), keys);
        Assert.Equal(RunState.Completed, (await ledger.GetAsync(legacyId, CancellationToken.None))!.State);
    }
}
