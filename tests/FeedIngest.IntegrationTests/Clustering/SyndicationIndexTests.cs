using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FeedIngest.Core.Clustering;
using FeedIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FeedIngest.IntegrationTests.Clustering;

/// <summary>The band index against a real (private) Azurite: copies across sources form one cluster; other reports do not.</summary>
public sealed class SyndicationIndexTests(ITestOutputHelper output) : IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;
    private readonly RequestCounter _requests = new();
    private SyndicationIndex _index = null!;
    private static readonly DateTimeOffset T0 = new(2024, 11, 21, 9, 0, 0, TimeSpan.FromHours(7));

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        _index = new SyndicationIndex(new TableServiceClient(_azurite.ConnectionString, options));
        await _index.CreateTablesAsync();
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    private static MinHashSignature Signature(string fixture) =>
        MinHashSignature.Compute(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "syndication", fixture)));

    [Fact]
    public async Task CopiesAcrossSourcesJoinTheEarliestCopysClusterAndOtherReportsStayAlone()
    {
        var release = await _index.AssignAsync("hanoimoi", "a000000000000001", T0, Signature("release.txt"));
        Assert.Equal("a000000000000001", release.ClusterId);
        Assert.Empty(release.Matches);

        _requests.Reset();
        var lead = await _index.AssignAsync("haibatrung", "b000000000000002", T0.AddHours(3), Signature("release-other-lead.txt"));
        var perArticleWithOneMatch = _requests.Count;
        var cut = await _index.AssignAsync("hoankiem", "c000000000000003", T0.AddHours(5), Signature("release-cut-ending.txt"));
        var signature = await _index.AssignAsync("dongda", "d000000000000004", T0.AddDays(1), Signature("release-other-signature.txt"));
        _requests.Reset();
        var reportA = await _index.AssignAsync("haibatrung", "e000000000000005", T0.AddHours(6), Signature("report-same-event-a.txt"));
        var perArticleAlone = _requests.Count;
        var reportB = await _index.AssignAsync("hanoimoi", "f000000000000006", T0.AddHours(7), Signature("report-same-event-b.txt"));

        output.WriteLine($"requests per article: {perArticleAlone} with no match, {perArticleWithOneMatch} with one match");
        Assert.All([lead, cut, signature], a => Assert.Equal("a000000000000001", a.ClusterId));
        Assert.Equal(["a000000000000001", "a000000000000001", "a000000000000001"], new[] { lead, cut, signature }.Select(a => a.Matches[0].ArticleId));
        Assert.Equal("e000000000000005", reportA.ClusterId);
        Assert.Equal("f000000000000006", reportB.ClusterId);

        var members = await _index.MembersAsync("a000000000000001");
        Assert.Equal(["a000000000000001", "b000000000000002", "c000000000000003", "d000000000000004"], members.Select(m => m.ArticleId));
        Assert.Equal(["hanoimoi", "haibatrung", "hoankiem", "dongda"], members.Select(m => m.SourceId));
        Assert.Equal(T0, members[0].FirstSeen);
        Assert.Single(await _index.MembersAsync("e000000000000005"));

        // Cost per article, in storage requests: 1 idempotency read + 32 band queries + 1 read per candidate
        // + 32 band upserts + 1 cluster-member upsert (+1 when the first copy gets company) + 1 signature upsert.
        Assert.Equal(1 + 32 + 0 + 32 + 1 + 1, perArticleAlone);
        Assert.Equal(1 + 32 + 1 + 32 + 1 + 1 + 1, perArticleWithOneMatch);
    }

    [Fact]
    public async Task ReindexingAnArticleReturnsItsClusterAndWritesNothing()
    {
        await _index.AssignAsync("hanoimoi", "a100000000000001", T0, Signature("release.txt"));
        var first = await _index.AssignAsync("haibatrung", "b100000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"));
        _requests.Reset();

        var again = await _index.AssignAsync("haibatrung", "b100000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"));

        Assert.Equal(first.ClusterId, again.ClusterId);
        Assert.Equal(1, _requests.Count);
        Assert.Equal(2, (await _index.MembersAsync("a100000000000001")).Count);
    }

    [Fact]
    public async Task ShortNoticesKeepTheirOwnIdAndAreNotBanded()
    {
        var notice = MinHashSignature.Compute("Thông báo lịch tiếp công dân tháng 12.");
        var a = await _index.AssignAsync("s1", "a200000000000001", T0, notice);
        var b = await _index.AssignAsync("s2", "b200000000000002", T0, notice);
        Assert.Equal("a200000000000001", a.ClusterId);
        Assert.Equal("b200000000000002", b.ClusterId);
    }

    private sealed class RequestCounter : HttpPipelinePolicy
    {
        private int _count;
        public int Count => Volatile.Read(ref _count);
        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref _count);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref _count);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
