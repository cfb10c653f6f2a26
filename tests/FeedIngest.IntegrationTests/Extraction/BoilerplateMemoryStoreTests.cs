using Azure.Data.Tables;
using FeedIngest.Core.Extraction;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Extraction;

/// <summary>The per-source boilerplate memory survives between runs in table "Boilerplate" (Azurite).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BoilerplateMemoryStoreTests(AzuriteFixture fixture)
{
    private static string NewSourceId() => "src-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task AnUnknownSourceStartsWithAnEmptyMemory()
    {
        var store = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());

        var memory = await store.LoadAsync(NewSourceId(), CancellationToken.None);

        Assert.Equal(0, memory.PagesObserved);
        Assert.Equal(0, memory.PageCount("anything"));
    }

    [Fact]
    public async Task SavedMemoryIsLoadedByTheNextRun()
    {
        var sourceId = NewSourceId();
        var firstRun = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());
        var memory = await firstRun.LoadAsync(sourceId, CancellationToken.None);
        for (var i = 0; i < 6; i++) memory.Observe("https://portal.example.vn/tin/" + i, ["footer", "own-" + i]);

        await firstRun.SaveAsync(sourceId, memory, CancellationToken.None);
        var nextRun = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());
        var loaded = await nextRun.LoadAsync(sourceId, CancellationToken.None);
        loaded.Observe("https://portal.example.vn/tin/0", ["footer"]);

        Assert.Equal(6, loaded.PagesObserved);
        Assert.Equal(6, loaded.PageCount("footer"));
        Assert.Equal(1, loaded.PageCount("own-3"));
    }

    [Fact]
    public async Task AFullMemoryStillFitsInOneEntity()
    {
        var sourceId = NewSourceId();
        var store = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());
        var memory = new BoilerplateMemory();
        for (var page = 0; page < 3000; page++)
            memory.Observe($"https://portal.example.vn/tin/{page}", Enumerable.Range(0, 30).Select(i => Fingerprint.Of($"đoạn {page} {i}")).Append(Fingerprint.Of("chân trang")));

        await store.SaveAsync(sourceId, memory, CancellationToken.None);
        var loaded = await store.LoadAsync(sourceId, CancellationToken.None);

        Assert.Equal(3000, loaded.PagesObserved);
        Assert.Equal(3000, loaded.PageCount(Fingerprint.Of("chân trang")));
    }

    [Fact]
    public async Task MemoryLearnedOnOneRunDropsTheRepeatedBlockOnTheNext()
    {
        const string Footer = "Ghi rõ nguồn Cổng thông tin điện tử quận khi phát hành lại thông tin từ website này, xin cảm ơn.";
        var sourceId = NewSourceId();
        var store = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());
        var extractor = new ArticleExtractor();
        var memory = await store.LoadAsync(sourceId, CancellationToken.None);
        for (var i = 0; i < 6; i++)
            extractor.Extract(Page(i, Footer), new Uri($"https://portal.example.vn/tin/{i}"), new ExtractionContext { SourceId = sourceId, Boilerplate = memory });
        await store.SaveAsync(sourceId, memory, CancellationToken.None);

        var nextRun = await store.LoadAsync(sourceId, CancellationToken.None);
        var article = extractor.Extract(Page(99, Footer), new Uri("https://portal.example.vn/tin/99"), new ExtractionContext { SourceId = sourceId, Boilerplate = nextRun });

        Assert.DoesNotContain(Footer, article.Blocks);
        Assert.Contains(article.Blocks, b => b.Contains("bài số 99", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EightInstancesSavingAtOnceAddUpTheirCountsInsteadOfOverwritingEachOther()
    {
        var sourceId = NewSourceId();
        var seed = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());
        var known = await seed.LoadAsync(sourceId, CancellationToken.None);
        for (var i = 0; i < 4; i++) known.Observe($"https://portal.example.vn/seed/{i}", ["footer"]);
        await seed.SaveAsync(sourceId, known, CancellationToken.None);

        // Eight instances load the same memory, each sees its own 5 pages, then all save at the same moment.
        var instances = Enumerable.Range(0, 8).Select(_ => new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage())).ToList();
        var memories = await Task.WhenAll(instances.Select(store => store.LoadAsync(sourceId, CancellationToken.None)));
        for (var n = 0; n < 8; n++)
            for (var i = 0; i < 5; i++) memories[n].Observe($"https://portal.example.vn/{n}/{i}", ["footer", $"menu-{n}"]);
        await Task.WhenAll(instances.Select((store, n) => store.SaveAsync(sourceId, memories[n], CancellationToken.None)));
        // A second save of one of them adds nothing it already added.
        await instances[0].SaveAsync(sourceId, memories[0], CancellationToken.None);

        var merged = await seed.LoadAsync(sourceId, CancellationToken.None);
        Assert.Equal(4 + 8 * 5, merged.PagesObserved);
        Assert.Equal(4 + 8 * 5, merged.PageCount("footer"));
        Assert.All(Enumerable.Range(0, 8), n => Assert.Equal(5, merged.PageCount($"menu-{n}")));
    }

    [Fact]
    public async Task SavesAppendRowsOfTheirOwnAndLoadsFoldThemIntoTheBaseCountingEachOnce()
    {
        var sourceId = NewSourceId();
        var table = new TableServiceClient(fixture.ConnectionString).GetTableClient(BoilerplateMemoryStore.TableName);
        // More saves than a load leaves unfolded, each by its own instance (a row of its own: no ETag, no 412).
        var saves = BoilerplateMemoryStore.CompactAfter + 10;
        await Task.WhenAll(Enumerable.Range(0, saves).Select(async n =>
        {
            var memory = new BoilerplateMemory(); // not loaded: a load here could already fold the others' rows
            memory.Observe($"https://portal.example.vn/tin/{n}", ["footer", $"own-{n}"]);
            await new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage()).SaveAsync(sourceId, memory, CancellationToken.None);
        }));
        Assert.Equal(saves, await table.QueryAsync<TableEntity>(e => e.PartitionKey == sourceId).CountAsync());

        // Two instances load at once: both fold the deltas, one transaction wins and the other changes nothing.
        var loads = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage()).LoadAsync(sourceId, CancellationToken.None)));
        var afterwards = await new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage()).LoadAsync(sourceId, CancellationToken.None);

        Assert.All(loads.Append(afterwards), memory => Assert.Equal((saves, saves, 1), (memory.PagesObserved, memory.PageCount("footer"), memory.PageCount("own-7"))));
        var rows = await table.QueryAsync<TableEntity>(e => e.PartitionKey == sourceId).ToListAsync();
        Assert.Equal(["memory"], rows.Select(r => r.RowKey));
    }

    [Fact]
    public async Task AFailedLoadIsNeitherCachedNorSavedOverTheStoredMemory()
    {
        var sourceId = NewSourceId();
        var seed = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString), Storage());
        var known = await seed.LoadAsync(sourceId, CancellationToken.None);
        for (var i = 0; i < 6; i++) known.Observe($"https://portal.example.vn/tin/{i}", ["footer"]);
        await seed.SaveAsync(sourceId, known, CancellationToken.None);
        // The first read of the memory fails (a storage hiccup); storage itself is real and fine afterwards.
        var hiccup = new FailFirstRead();
        var options = new TableClientOptions();
        options.AddPolicy(hiccup, Azure.Core.HttpPipelinePosition.PerCall);
        options.Retry.MaxRetries = 0;
        var factory = new FeedIngest.Core.Pipeline.ExtractionContextFactory(new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString, options), Storage()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<FeedIngest.Core.Pipeline.ExtractionContextFactory>.Instance);
        var source = new FeedIngest.Core.Sources.SourceDefinition { Id = sourceId };

        var during = await factory.ForSourceAsync(source, CancellationToken.None);
        during.Boilerplate!.Observe("https://portal.example.vn/tin/99", ["other"]);
        await factory.SaveAsync(sourceId, CancellationToken.None);
        var after = await factory.ForSourceAsync(source, CancellationToken.None);

        Assert.True(hiccup.Failed);
        Assert.Equal(0, during.Boilerplate.PageCount("footer"));
        Assert.Equal(6, after.Boilerplate!.PageCount("footer")); // loaded again, not the empty one kept
        var stored = await seed.LoadAsync(sourceId, CancellationToken.None);
        Assert.Equal((6, 6, 0), (stored.PagesObserved, stored.PageCount("footer"), stored.PageCount("other")));
    }

    /// <summary>Fails the first GET of an entity with a 503 from the client side, as a storage hiccup would.</summary>
    private sealed class FailFirstRead : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private int _failed;
        public bool Failed => _failed == 1;

        public override void OnSendingRequest(Azure.Core.HttpMessage message)
        {
            if (message.Request.Method == Azure.Core.RequestMethod.Get && message.Request.Uri.ToString().Contains("Boilerplate", StringComparison.Ordinal)
                && Interlocked.Exchange(ref _failed, 1) == 0)
                throw new Azure.RequestFailedException(503, "storage hiccup (injected)");
        }
    }

    private static string Page(int i, string footer) =>
        $"<html><body><article><h1>Bài số {i}</h1><p>Nội dung riêng của bài số {i}, một đoạn văn đủ dài để được chọn làm thân bài của trang, có dấu phẩy.</p><p>{footer}</p></article></body></html>";

    private FeedIngest.Core.Storage.StorageInitializer Storage() => new(
        new Azure.Storage.Blobs.BlobServiceClient(fixture.ConnectionString), new TableServiceClient(fixture.ConnectionString),
        new Azure.Storage.Queues.QueueServiceClient(fixture.ConnectionString));
}
