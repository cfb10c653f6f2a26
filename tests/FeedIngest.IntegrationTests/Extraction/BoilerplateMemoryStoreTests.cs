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
        var store = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString));

        var memory = await store.LoadAsync(NewSourceId(), CancellationToken.None);

        Assert.Equal(0, memory.PagesObserved);
        Assert.Equal(0, memory.PageCount("anything"));
    }

    [Fact]
    public async Task SavedMemoryIsLoadedByTheNextRun()
    {
        var sourceId = NewSourceId();
        var firstRun = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString));
        var memory = await firstRun.LoadAsync(sourceId, CancellationToken.None);
        for (var i = 0; i < 6; i++) memory.Observe("https://portal.example.vn/tin/" + i, ["footer", "own-" + i]);

        await firstRun.SaveAsync(sourceId, memory, CancellationToken.None);
        var nextRun = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString));
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
        var store = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString));
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
        var store = new BoilerplateMemoryStore(new TableServiceClient(fixture.ConnectionString));
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

    private static string Page(int i, string footer) =>
        $"<html><body><article><h1>Bài số {i}</h1><p>Nội dung riêng của bài số {i}, một đoạn văn đủ dài để được chọn làm thân bài của trang, có dấu phẩy.</p><p>{footer}</p></article></body></html>";
}
