using Azure.Data.Tables;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// Two FeedIngest "instances" (two service containers) sharing one Azurite: the host's limits hold across them.
/// Concurrency and spacing are measured by the test portal; spacing also where the instances' requests leave
/// (<see cref="SendRecorder"/>).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PolitenessAcrossInstancesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestPortal _portal = null!;
    private readonly string _throttleTable = FetchingTestHost.UniqueTableName("HostThrottle");
    private readonly SendRecorder _sends = new();

    public async Task InitializeAsync()
    {
        _portal = await TestPortal.StartAsync();
        _portal.SlowPageDelay = TimeSpan.FromMilliseconds(250);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private FetchingTestHost Instance(bool distributed = true) => new(azurite.ConnectionString, new Dictionary<string, string?>
    {
        ["FeedIngest:Fetching:ThrottleTableName"] = _throttleTable,
        ["FeedIngest:Fetching:DistributedPoliteness"] = distributed ? "true" : "false",
        ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "5",
        ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "20",
    }, _sends.AddTo);

    private async Task<FetchResult[]> FetchManyAsync(FetchingTestHost host, string prefix, int count, PolitenessSettings politeness) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            host.FetchAsync(_portal.Url($"/slow-page/{prefix}-{i}"), politeness)));

    [Fact]
    public async Task TwoInstancesTogetherNeverExceedTheHostsConcurrencyLimit()
    {
        await using var first = Instance();
        await using var second = Instance();
        var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 2, ObeyRobotsTxt = false };

        var results = await Task.WhenAll(FetchManyAsync(first, "a", 6, politeness), FetchManyAsync(second, "b", 6, politeness));

        Assert.All(results.SelectMany(r => r), r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
        Assert.Equal(12, _portal.CountPrefix("/slow-page/"));
        Assert.InRange(_portal.MaxConcurrentInFlight, 1, 2);
    }

    [Fact]
    public async Task EightInstancesTogetherNeverExceedTheHostsConcurrencyLimit()
    {
        // Eight service containers = eight instances of the app on one host's row, each with several fetches in flight.
        var instances = Enumerable.Range(0, 8).Select(_ => Instance()).ToList();
        try
        {
            var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 3, ObeyRobotsTxt = false };

            var results = await Task.WhenAll(instances.Select((host, i) => FetchManyAsync(host, $"i{i}", 3, politeness)));

            Assert.All(results.SelectMany(r => r), r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
            Assert.Equal(24, _portal.CountPrefix("/slow-page/"));
            Assert.InRange(_portal.MaxConcurrentInFlight, 1, 3);
        }
        finally
        {
            foreach (var host in instances) await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnInstanceWorkingAHostReusesItsSlotsInsteadOfAStorageRequestPerRequest()
    {
        // The old design wrote the host's row twice per request (take and give back); slots held across requests
        // cost a receive and a give-back per slot (and the host's tokens issued once), whatever the number of requests.
        var counter = new StorageRequestCounter();
        await using (var instance = new FetchingTestHost(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:ThrottleTableName"] = _throttleTable,
        }, s => Counted(s, counter)))
        {
            var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 2, ObeyRobotsTxt = false };
            for (var round = 0; round < 10; round++)
                await Task.WhenAll(instance.FetchAsync(_portal.Url($"/tin-tuc/bai-{round}-a-123456.html"), politeness),
                    instance.FetchAsync(_portal.Url($"/tin-tuc/bai-{round}-b-123456.html"), politeness));
            Assert.Equal(20, _portal.Seen.Count);
            Assert.InRange(_portal.MaxConcurrentInFlight, 1, 2);
        } // disposing the instance gives its slots back

        var throttle = counter.Snapshot().Where(p => p.Key == $"table {_throttleTable}" || p.Key == $"queue {HostSlotTokens.QueuePrefix}*").ToList();
        var shown = string.Join(", ", counter.Snapshot().Select(p => $"{p.Key}: {p.Value.Requests} ({p.Value.Conflicts} conflicts)"));
        // 20 fetches: the registry read and the issue (6), then a receive and a give-back per slot (a slot is given
        // back after 10 s, so a very slow run makes a few more).
        Assert.True(throttle.Sum(p => p.Value.Requests) < 20, shown);
        Assert.Equal(0, throttle.Sum(p => p.Value.Conflicts));
        // Both tokens are back in the host's queue, visible to the next instance.
        var tokens = (await Queues.GetQueueClient(HostSlotTokens.QueueName(_throttleTable, _portal.BaseUrl.Authority)).PeekMessagesAsync(10)).Value;
        Assert.Equal(2, tokens.Length);
    }

    [Fact]
    public async Task EightInstancesClaimingTwoSlotsOfOneHostNeverConflict()
    {
        // Slots are queue messages: a receive gives a token to one instance only, so eight instances waiting for the
        // host's two slots get no 409 or 412, as a claim by conditional write would when two see the same free slot.
        var counter = new StorageRequestCounter();
        var settings = new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:ThrottleTableName"] = _throttleTable,
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "5",
            ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "20",
        };
        var instances = Enumerable.Range(0, 8).Select(_ => new FetchingTestHost(azurite.ConnectionString, settings, s => Counted(s, counter))).ToList();
        try
        {
            var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 2, ObeyRobotsTxt = false };
            // The first instance issues the host's tokens; then all eight claim at once, several times each.
            await instances[0].FetchAsync(_portal.Url("/slow-page/first"), politeness);
            var results = await Task.WhenAll(instances.Select((host, i) => FetchManyAsync(host, $"c{i}", 4, politeness)));

            Assert.All(results.SelectMany(r => r), r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
            Assert.InRange(_portal.MaxConcurrentInFlight, 1, 2);
        }
        finally
        {
            foreach (var host in instances) await host.DisposeAsync();
        }
        var snapshot = counter.Snapshot();
        var shown = string.Join(", ", snapshot.Select(p => $"{p.Key}: {p.Value.Requests} ({p.Value.Conflicts} conflicts)"));
        Assert.True(snapshot.GetValueOrDefault($"queue {HostSlotTokens.QueuePrefix}*").Requests > 8, shown); // the slots went through the host's queue
        Assert.Equal(0, snapshot.Values.Sum(p => p.Conflicts));
    }

    /// <summary>The instance's table and queue clients count their requests (as the app's do).</summary>
    private void Counted(IServiceCollection services, StorageRequestCounter counter)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter.PolicyFor("table"), Azure.Core.HttpPipelinePosition.PerRetry);
        services.AddSingleton(new TableServiceClient(azurite.ConnectionString, tableOptions));
        var queueOptions = new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 };
        queueOptions.AddPolicy(counter.PolicyFor("queue"), Azure.Core.HttpPipelinePosition.PerRetry);
        services.AddSingleton(new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString, queueOptions));
    }

    [Fact]
    public async Task AWaitForTheHostsTurnLongerThanTheRequestsTimeoutDoesNotFailTheFetch()
    {
        // 4 rows with 1.5 s between starts: a row's turn comes every 6 s, longer than the 3 s a request may take.
        // The wait for the turn happens before the request's timeouts start (all but its last second).
        await using var instance = new FetchingTestHost(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:ThrottleTableName"] = _throttleTable,
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "2",
            ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "3",
        }, _sends.AddTo);
        var politeness = new PolitenessSettings { MinDelayMs = 1500, MaxConcurrency = 4, ObeyRobotsTxt = false };

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => instance.FetchAsync(_portal.Url($"/tin-tuc/luot-{i}-123456.html"), politeness)));

        Assert.All(results, r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
        var sends = _sends.Sends();
        var arrivals = _portal.Seen.Select(r => r.StartedAt).Order().ToList();
        Assert.Equal(4, sends.Count);
        var shown = $"sent {SendRecorder.Show(sends)} ms apart; arrived {SendRecorder.Show(arrivals)} ms apart";
        // Rows' phases 1.5 s apart; a send may leave up to a quarter of the delay after its phase.
        Assert.All(SendRecorder.GapsMs(sends), gap => Assert.True(gap >= 1500 * 3 / 4 - 5, shown));
        Assert.True((arrivals[^1] - arrivals[0]).TotalMilliseconds >= 3 * 1500 - 1500, shown);
    }

    [Fact]
    public async Task WithoutSharedStorageTwoInstancesDoExceedTheLimit()
    {
        // The control for the test above: each instance alone keeps 2, together they reach more.
        await using var first = Instance(distributed: false);
        await using var second = Instance(distributed: false);
        var politeness = new PolitenessSettings { MinDelayMs = 0, MaxConcurrency = 2, ObeyRobotsTxt = false };

        await Task.WhenAll(FetchManyAsync(first, "a", 6, politeness), FetchManyAsync(second, "b", 6, politeness));

        Assert.True(_portal.MaxConcurrentInFlight > 2, $"max in flight {_portal.MaxConcurrentInFlight}");
    }

    [Fact]
    public async Task TwoInstancesTogetherKeepTheHostsMinimumDelayBetweenRequestStarts()
    {
        await using var first = Instance();
        await using var second = Instance();
        var politeness = new PolitenessSettings { MinDelayMs = 300, MaxConcurrency = 4, ObeyRobotsTxt = false };
        // Warm both instances up: the delay spaces the moments requests are sent, and a cold container's first
        // request spends a while connecting (and JIT-compiling) after it got its turn.
        await first.FetchAsync(_portal.Url("/tin-tuc/warm-up-a-123456.html"), politeness);
        await second.FetchAsync(_portal.Url("/tin-tuc/warm-up-b-123456.html"), politeness);

        await Task.WhenAll(FetchManyAsync(first, "a", 3, politeness), FetchManyAsync(second, "b", 3, politeness));

        var arrivals = _portal.Seen.Where(r => r.PathAndQuery.StartsWith("/slow-page/", StringComparison.Ordinal))
            .Select(r => r.StartedAt).Order().ToList();
        var sends = _sends.Sends("/slow-page/");
        Assert.Equal(6, arrivals.Count);
        Assert.Equal(6, sends.Count);
        var shown = $"sent {SendRecorder.Show(sends)} ms apart; arrived {SendRecorder.Show(arrivals)} ms apart";
        // 300 ms asked between sends. A send may leave up to a quarter of the delay after its turn (more, and it takes
        // a later turn), so no two leave less than 225 ms apart; uncoordinated instances send pairs together. At the
        // portal a request can arrive a little after it left (its server shares this busy process), so there the span of all
        // six is the measure (about 600 ms when uncoordinated).
        Assert.All(SendRecorder.GapsMs(sends), gap => Assert.True(gap >= 300 * 3 / 4 - 5, shown));
        Assert.True((arrivals[^1] - arrivals[0]).TotalMilliseconds >= 5 * 300 - 300, shown);
    }

    [Fact]
    public async Task ARetryOnOneInstanceWaitsForTheHostsDelayAfterTheOtherInstancesRequests()
    {
        await using var first = Instance();
        await using var second = Instance();
        var politeness = new PolitenessSettings { MinDelayMs = 500, MaxConcurrency = 2, ObeyRobotsTxt = false };
        await first.FetchAsync(_portal.Url("/tin-tuc/warm-up-a-123456.html"), politeness);
        await second.FetchAsync(_portal.Url("/tin-tuc/warm-up-b-123456.html"), politeness);

        // The first instance's /503-twice is retried (back-off 50 ms) while the second instance fetches two pages.
        var results = await Task.WhenAll(
            first.FetchAsync(_portal.Url("/503-twice"), politeness),
            second.FetchAsync(_portal.Url("/tin-tuc/bai-mot-123456.html"), politeness),
            second.FetchAsync(_portal.Url("/tin-tuc/bai-hai-123456.html"), politeness));

        Assert.All(results, r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
        var sends = _sends.Sends();
        var arrivals = _portal.Seen.Select(r => r.StartedAt).Order().ToList();
        Assert.Equal(7, sends.Count);
        Assert.Equal(7, arrivals.Count);
        var shown = $"sent {SendRecorder.Show(sends)} ms apart; " + string.Join(" ", _portal.Seen.OrderBy(r => r.StartedAt).Select(r => r.PathAndQuery + "@" + r.StartedAt.ToString("ss.fff")));
        // 500 ms asked; a send may leave up to a quarter of the delay after its turn (see the test above).
        Assert.All(SendRecorder.GapsMs(sends), gap => Assert.True(gap >= 500 * 3 / 4 - 5, shown));
        Assert.True((arrivals[^1] - arrivals[0]).TotalMilliseconds >= 6 * 500 - 500, shown);
    }

    [Fact]
    public async Task ASendThatWakesLongAfterItsSlotsPhaseTakesTheSlotsNextPhaseOutsideTheRequestsTimeouts()
    {
        // A clock the test moves (phases are a grid of absolute times); the slot tokens are real, in Azurite.
        var window = TimeSpan.FromMilliseconds(2 * 300).Ticks; // two slots, 300 ms apart: the start is on the grid
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero) is var t ? t.AddTicks(-(t.UtcTicks % window)) : default);
        var tables = new TableServiceClient(azurite.ConnectionString);
        await using var throttle = new SharedHostThrottle(Queues, tables, _throttleTable, TimeSpan.FromMinutes(5), new InProcessHostThrottle(time), time,
            NullLogger<SharedHostThrottle>.Instance, Initializer(tables), holdFor: TimeSpan.FromMinutes(1));
        var politeness = new HostPoliteness(TimeSpan.FromMilliseconds(300), MaxConcurrency: 2);
        await using var lease = await throttle.AcquireAsync("late.example:80", politeness, CancellationToken.None);

        // Slot k of 2 starts at m·600 ms + k·300 ms: the phase reserved at the grant is at most 300 ms away. The
        // throttle holds one token; the other is the one left visible in the host's queue.
        var other = (await Queues.GetQueueClient(HostSlotTokens.QueueName(_throttleTable, "late.example:80")).PeekMessageAsync()).Value;
        var nextPhase = TimeSpan.FromMilliseconds(other.MessageText.EndsWith(":1", StringComparison.Ordinal) ? 1200 : 1500);

        // The process stalls for a second: sending now could fall in the other slot's phase, maybe another instance's.
        // Waiting for the next phase right there would run inside the request's timeouts (a whole round of the host's
        // slots: more than a timeout when the delay is long), so the throttle says the turn was missed, nothing is sent,
        // and the sender waits for the next phase outside them (RetakeTurnAsync) before it sends again.
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<MissedTurnException>(() => throttle.WaitForTurnAsync(lease, "late.example:80", politeness, retry: false, CancellationToken.None).AsTask());
        await throttle.RetakeTurnAsync(lease, politeness, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)); // less than its lead before the phase: at once
        var turn = throttle.WaitForTurnAsync(lease, "late.example:80", politeness, retry: false, CancellationToken.None).AsTask();

        Assert.False(turn.IsCompleted);
        time.Advance(nextPhase - TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.False(turn.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1)); // the slot's next phase
        await turn.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard
    }

    [Fact]
    public async Task SlotOfACrashedInstanceExpiresSoTheHostIsNotBlockedForever()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var politeness = new HostPoliteness(TimeSpan.Zero, MaxConcurrency: 1);
        var crashed = new SharedHostThrottle(Queues, tables, _throttleTable, TimeSpan.FromSeconds(1), new InProcessHostThrottle(), TimeProvider.System,
            NullLogger<SharedHostThrottle>.Instance, Initializer(tables));
        var survivor = new SharedHostThrottle(Queues, tables, _throttleTable, TimeSpan.FromSeconds(1), new InProcessHostThrottle(), TimeProvider.System,
            NullLogger<SharedHostThrottle>.Instance, Initializer(tables));
        _ = await crashed.AcquireAsync("portal.example:80", politeness, CancellationToken.None); // never released
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await using var lease = await survivor.AcquireAsync("portal.example:80", politeness, CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(700), $"took {clock.Elapsed}"); // a lower bound only: a slow machine cannot fail it
    }

    [Fact]
    public async Task AnInstanceStartedWithAnotherMaxConcurrencyReissuesTheTokensAndTheOldOnesAreSetAside()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        SharedHostThrottle NewInstance() => new(Queues, tables, _throttleTable, TimeSpan.FromMinutes(5), new InProcessHostThrottle(), TimeProvider.System,
            NullLogger<SharedHostThrottle>.Instance, Initializer(tables));
        await using var before = NewInstance();
        await (await before.AcquireAsync("change.example:80", new HostPoliteness(TimeSpan.Zero, MaxConcurrency: 3), CancellationToken.None)).DisposeAsync();
        await before.DisposeAsync(); // its three tokens are visible again

        // A deployment lowers maxConcurrency to 1: the first instance of it issues one token of a new generation.
        var one = new HostPoliteness(TimeSpan.Zero, MaxConcurrency: 1);
        await using var after = NewInstance();
        await using var other = NewInstance();
        var held = await after.AcquireAsync("change.example:80", one, CancellationToken.None);
        // Another instance of the new deployment meets the three old tokens first: it deletes them and waits.
        var waiting = other.AcquireAsync("change.example:80", one, CancellationToken.None).AsTask();
        await Task.Delay(1000);
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        await after.DisposeAsync();
        await using var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard

        var queue = Queues.GetQueueClient(HostSlotTokens.QueueName(_throttleTable, "change.example:80"));
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount); // the new token only
        var registry = (await tables.GetTableClient(_throttleTable).GetEntityAsync<TableEntity>("slots|change.example:80", "tokens")).Value;
        Assert.Equal(1, registry.GetInt32("Count"));
    }

    [Fact]
    public async Task ReleasedSlotIsFreeForTheOtherInstanceAtOnce()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var politeness = new HostPoliteness(TimeSpan.Zero, MaxConcurrency: 1);
        var one = new SharedHostThrottle(Queues, tables, _throttleTable, TimeSpan.FromMinutes(5), new InProcessHostThrottle(), TimeProvider.System,
            NullLogger<SharedHostThrottle>.Instance, Initializer(tables));
        var two = new SharedHostThrottle(Queues, tables, _throttleTable, TimeSpan.FromMinutes(5), new InProcessHostThrottle(), TimeProvider.System,
            NullLogger<SharedHostThrottle>.Instance, Initializer(tables));
        var held = await one.AcquireAsync("release.example:80", politeness, CancellationToken.None);
        var waiting = two.AcquireAsync("release.example:80", politeness, CancellationToken.None).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        await using var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ConditionalStateSavedByOneInstanceIsUsedByTheOther()
    {
        var settings = new Dictionary<string, string?> { ["FeedIngest:Fetching:FetchStateTableName"] = FetchingTestHost.UniqueTableName("FetchState") };
        await using var first = new FetchingTestHost(azurite.ConnectionString, settings);
        await using var second = new FetchingTestHost(azurite.ConnectionString, settings);
        var source = new SourceDefinition
        {
            Id = "etag-portal", Name = "ETag portal", BaseUrl = _portal.BaseUrl.AbsoluteUri, DiscoverFeeds = false,
            Feeds = [_portal.Url("/feed-etag.xml").AbsoluteUri], Politeness = FetchingTestHost.Fast(robots: false),
        };

        var fromFirst = await first.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);
        var fromSecond = await second.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);
        _portal.ContentVersion = 2;
        var afterChange = await second.Discoverer.DiscoverAsync(source, new KnownArticles(), CancellationToken.None);

        Assert.Equal(3, fromFirst.Articles.Count);
        Assert.Empty(fromSecond.Articles);
        Assert.Equal(3, afterChange.Articles.Count);
        Assert.Equal(2, _portal.CountStatus("/feed-etag.xml", 200));
        Assert.Equal(1, _portal.CountStatus("/feed-etag.xml", 304));
        Assert.Equal("\"feed-v1\"", _portal.Seen.Where(r => r.PathAndQuery == "/feed-etag.xml").ElementAt(1).IfNoneMatch);
        Assert.IsType<TableFetchStateStore>(second.Services.GetRequiredService<IFetchStateStore>());
    }

    private Azure.Storage.Queues.QueueServiceClient Queues => new(azurite.ConnectionString, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });

    /// <summary>The app's initializer over this Azurite, with this class's throttle table name (it creates that table).</summary>
    private FeedIngest.Core.Storage.StorageInitializer Initializer(TableServiceClient tables) => new(
        new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString), tables, new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString),
        Microsoft.Extensions.Options.Options.Create(new FetchingOptions { ThrottleTableName = _throttleTable }));
}

/// <summary>
/// Storage outages: the fetcher neither fetches impolitely nor blames the page. An unreachable politeness store is
/// <see cref="StorageUnavailableException"/> (the CLI stops with exit 4; a queue message is delivered again).
/// </summary>
public sealed class PolitenessStoreOutageTests : IAsyncLifetime
{
    private TestPortal _portal = null!;
    private AzuriteInstance _azurite = null!;

    public async Task InitializeAsync()
    {
        _portal = await TestPortal.StartAsync();
        _azurite = await AzuriteInstance.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task AnUnreachablePolitenessTableStopsTheFetchAsAStorageOutageWithoutContactingTheHost()
    {
        await using var host = new FetchingTestHost(_azurite.ConnectionString, extraServices: NoRetries);
        await _azurite.StopAsync();

        var outage = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-123456.html"), FetchingTestHost.Fast(robots: false)));

        Assert.Contains("Connection refused", outage.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_portal.Seen);
    }

    [Fact]
    public async Task ASlotThatCouldNotBeGivenBackDuringAnOutageIsGivenBackOnceStorageReturns()
    {
        // Slots live 10 minutes: without the give-back tried again, the other instance would wait that long.
        var settings = new Dictionary<string, string?> { ["FeedIngest:Fetching:SlotLeaseSeconds"] = "600" };
        await using var host = new FetchingTestHost(_azurite.ConnectionString, settings, NoRetries);
        await using var otherInstance = new FetchingTestHost(_azurite.ConnectionString, settings);
        var throttle = host.Services.GetRequiredService<IHostThrottle>();
        Assert.IsType<SharedHostThrottle>(throttle);
        var politeness = new HostPoliteness(TimeSpan.Zero, MaxConcurrency: 1);

        var lease = await throttle.AcquireAsync("outage.example", politeness, CancellationToken.None);
        await _azurite.StopGracefullyAsync();
        await lease.DisposeAsync(); // the slot is held idle; its give-back, after the linger, cannot reach the queue
        await Task.Delay(SharedHostThrottle.Linger * 4);
        await _azurite.StartAsync();

        // A hang guard only (the slot's lease is ten times longer).
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var next = await otherInstance.Services.GetRequiredService<IHostThrottle>().AcquireAsync("outage.example", politeness, guard.Token);
        var queue = new Azure.Storage.Queues.QueueClient(_azurite.ConnectionString, HostSlotTokens.QueueName(
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FetchingOptions>>().Value.ThrottleTableName, "outage.example"));
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount); // the one token, now the other instance's
    }

    [Fact]
    public async Task TokensLostFromAHostsQueueAreIssuedAgain()
    {
        // Someone cleared the host's queue: after a lease (at least 5 s) with no token visible, a waiting instance
        // counts the queue's messages, finds fewer than the host's slots and issues a new generation.
        var settings = new Dictionary<string, string?> { ["FeedIngest:Fetching:SlotLeaseSeconds"] = "1", ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "1",
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "1" };
        await using var first = new FetchingTestHost(_azurite.ConnectionString, settings);
        await using var second = new FetchingTestHost(_azurite.ConnectionString, settings);
        var politeness = new HostPoliteness(TimeSpan.Zero, MaxConcurrency: 1);
        await (await first.Services.GetRequiredService<IHostThrottle>().AcquireAsync("lost.example", politeness, CancellationToken.None)).DisposeAsync();
        var tableName = first.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FetchingOptions>>().Value.ThrottleTableName;
        var registry = new TableServiceClient(_azurite.ConnectionString).GetTableClient(tableName);
        var issued = (await registry.GetEntityAsync<TableEntity>("slots|lost.example", "tokens")).Value.GetString("Generation");
        await new Azure.Storage.Queues.QueueClient(_azurite.ConnectionString, HostSlotTokens.QueueName(tableName, "lost.example")).ClearMessagesAsync();

        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hang guard only
        await using var lease = await second.Services.GetRequiredService<IHostThrottle>().AcquireAsync("lost.example", politeness, guard.Token);

        var reissued = (await registry.GetEntityAsync<TableEntity>("slots|lost.example", "tokens")).Value;
        Assert.NotEqual(issued, reissued.GetString("Generation"));
        Assert.Equal(1, reissued.GetInt32("Count"));
        Assert.True(reissued.GetBoolean("Complete"));
    }

    /// <summary>Table and queue clients that fail at once when Azurite is down (the tests are about the fetcher, not Azure.Core's retries).</summary>
    private void NoRetries(IServiceCollection services)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.Retry.MaxRetries = 0;
        services.AddSingleton(new TableServiceClient(_azurite.ConnectionString, tableOptions));
        var queueOptions = new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 };
        queueOptions.Retry.MaxRetries = 0;
        services.AddSingleton(new Azure.Storage.Queues.QueueServiceClient(_azurite.ConnectionString, queueOptions));
    }
}
