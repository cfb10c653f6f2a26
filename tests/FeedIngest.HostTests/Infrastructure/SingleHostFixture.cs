using Azure.Data.Tables;
using FeedIngest.SamplePortal;

namespace FeedIngest.HostTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class SingleHostCollection : ICollectionFixture<SingleHostFixture>
{
    public const string Name = "one host";
}

/// <summary>
/// One host over a private Azurite and the sample portal, shared by the cases that can share it (one start-up
/// for all of them). Its timer fires every 15 s from start, so the first completed run is the sample harvest.
/// </summary>
public sealed class SingleHostFixture : IAsyncLifetime
{
    private Task<TableEntity>? _firstHarvest;

    public HostEnvironment Environment { get; private set; } = null!;
    public FunctionsHost Host { get; private set; } = null!;
    public StorageView Storage => Environment.Storage;
    public SamplePortalServer Portal => Environment.Portal;
    public static int SampleArticles => SamplePortalContent.Articles.Count;

    public async Task InitializeAsync()
    {
        if (HostLauncher.Available is null) return; // every test skips with the reason
        Environment = await HostEnvironment.StartAsync();
        // Retries 2 s apart instead of host.json's 30 s: the poison case waits through five deliveries. (The host reads
        // this app-setting override of host.json, as Azure does; the app reads maxDequeueCount the same way.)
        Host = await Environment.StartHostAsync("single", new Dictionary<string, string> { ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:02" });
    }

    /// <summary>The host's log when the first harvest was found complete (before any case sent failures on purpose).</summary>
    public IReadOnlyList<string> LogAtFirstHarvest { get; private set; } = [];

    /// <summary>The run row of the first harvest, once it completed with every sample article stored.</summary>
    public Task<TableEntity> FirstHarvestAsync() => _firstHarvest ??= FindFirstHarvestAsync();

    private async Task<TableEntity> FindFirstHarvestAsync()
    {
        var run = await Poll.UntilAsync(
            // The earliest run, once it ended (a later occurrence can end first: its discovery finds the pages unchanged
            // (304) and the first run's URLs still in flight, so it queues nothing).
            async () => (await Storage.TimerRunsAsync()).FirstOrDefault(),
            run => run is not null && run.GetString("State") != "running", "the first timer run to complete", diagnostics: () => Host.Tail());
        if ((await Storage.StoredArticlesAsync()).Count == 0)
            throw new Xunit.Sdk.XunitException("The first run stored nothing:\n" + await Storage.DescribeRunsAsync() + "\n" + Host.Tail(200));
        LogAtFirstHarvest = Host.LogLines;
        return run!;
    }

    public async Task DisposeAsync()
    {
        if (Environment is not null) await Environment.DisposeAsync();
    }
}
