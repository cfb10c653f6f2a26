using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Clustering;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FeedIngest.IntegrationTests.Clustering;

/// <summary>The band index against a real (private) Azurite: copies across sources form one cluster; other reports do not.</summary>
public sealed class SyndicationIndexTests(ITestOutputHelper output) : IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;
    private readonly RequestCounter _requests = new();
    private SyndicationIndex _index = null!;
    private TableServiceClient _tables = null!;
    private StorageInitializer _storage = null!;
    private static readonly DateTimeOffset T0 = new(2024, 11, 21, 9, 0, 0, TimeSpan.FromHours(7));

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        _tables = new TableServiceClient(_azurite.ConnectionString, options);
        _storage = new StorageInitializer(new BlobServiceClient(_azurite.ConnectionString), _tables, new QueueServiceClient(_azurite.ConnectionString));
        _index = new SyndicationIndex(_tables, _storage);
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

        // Cost per article, in storage requests: signature inserted (in progress; no read first) + one batch per band partition
        // (a batch that fails because another article wrote one of its bands first: again band by band, with a read per
        // band taken) + one read per candidate + member row(s) + signature (done).
        static List<SyndicationIndex.BandRowKey> Keys(string fixture) =>
            Enumerable.Range(0, SyndicationIndex.Bands).Select(b => SyndicationIndex.BandKey(b, Signature(fixture))).ToList();
        var releaseKeys = Keys("release.txt").ToHashSet();
        var leadGroups = Keys("release-other-lead.txt").GroupBy(k => k.Partition).ToList();
        var redone = leadGroups.Where(g => g.Any(releaseKeys.Contains)).Sum(g => g.Count() + g.Count(releaseKeys.Contains));
        Assert.InRange(redone, 2, 2 * SyndicationIndex.Bands); // the copy shares bands with the release
        var aloneGroups = Keys("report-same-event-a.txt").Select(k => k.Partition).Distinct().Count();
        Assert.InRange(aloneGroups, 1, SyndicationIndex.BandPartitions);
        Assert.Equal(1 + aloneGroups + 1 + 1, perArticleAlone);
        Assert.Equal(1 + leadGroups.Count + redone + 1 + 2 + 1, perArticleWithOneMatch);
    }

    [Fact]
    public async Task ReindexingAnArticleReturnsItsClusterAndWritesNothing()
    {
        await _index.AssignAsync("hanoimoi", "a100000000000001", T0, Signature("release.txt"));
        var first = await _index.AssignAsync("haibatrung", "b100000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"));
        _requests.Reset();

        var again = await _index.AssignAsync("haibatrung", "b100000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"));

        Assert.Equal(first.ClusterId, again.ClusterId);
        Assert.Equal(2, _requests.Count); // the signature insert, refused (409), and a read of the recorded clusterId
        Assert.Equal(2, (await _index.MembersAsync("a100000000000001")).Count);
    }

    [Fact]
    public async Task AnArticleLeftInProgressByACrashIsIndexedByTheNextDelivery()
    {
        await _index.AssignAsync("hanoimoi", "a400000000000001", T0, Signature("release.txt"));
        // A delivery that died after its first write: the signature is there, without a clusterId, and no bands.
        var tables = new TableServiceClient(_azurite.ConnectionString);
        await tables.GetTableClient(SyndicationIndex.SignaturesTable).AddEntityAsync(new TableEntity("b4", "b400000000000002")
        {
            ["Signature"] = Signature("release-cut-ending.txt").ToBase64(), ["ShingleCount"] = Signature("release-cut-ending.txt").ShingleCount,
            ["SourceId"] = "haibatrung", ["FirstSeen"] = T0.AddHours(1),
        });

        var redelivered = await _index.AssignAsync("haibatrung", "b400000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"));

        Assert.Equal("a400000000000001", redelivered.ClusterId);
        Assert.Equal(["a400000000000001", "b400000000000002"], (await _index.MembersAsync("a400000000000001")).Select(m => m.ArticleId));
        _requests.Reset();
        Assert.Equal("a400000000000001", (await _index.AssignAsync("haibatrung", "b400000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"))).ClusterId);
        Assert.Equal(2, _requests.Count); // recorded now: found, nothing written
    }

    [Fact]
    public async Task ACopyLeftInProgressByADeliveryThatDiedCostsLaterCopiesNoWait()
    {
        // A delivery died after its signature and its bands, before publishing what it saw, and its message was given up:
        // the row stays in progress, and every later copy of the story finds it through the bands it wrote first.
        var tables = new TableServiceClient(_azurite.ConnectionString);
        var dead = Signature("release.txt");
        await tables.GetTableClient(SyndicationIndex.SignaturesTable).AddEntityAsync(new TableEntity("a5", "a500000000000001")
        {
            ["Signature"] = dead.ToBase64(), ["ShingleCount"] = dead.ShingleCount, ["SourceId"] = "hanoimoi", ["FirstSeen"] = T0,
        });
        foreach (var key in Enumerable.Range(0, SyndicationIndex.Bands).Select(band => SyndicationIndex.BandKey(band, dead)).Distinct())
            await tables.GetTableClient(SyndicationIndex.BandsTable).AddEntityAsync(new TableEntity(key.Partition, key.Row) { ["ArticleId"] = "a500000000000001", ["SourceId"] = "hanoimoi" });
        var index = new SyndicationIndex(_tables, _storage) { PublishWait = TimeSpan.FromSeconds(1) };
        await Task.Delay(TimeSpan.FromSeconds(2)); // older than the wait: a lookup takes a few requests, not that long

        _requests.Reset();
        var copy = await index.AssignAsync("haibatrung", "b500000000000002", T0.AddHours(1), Signature("release-cut-ending.txt"));

        Assert.Equal("b500000000000002", copy.ClusterId); // a copy that never finished is no cluster to join
        Assert.Equal(1, _requests.ReadsOf("a500000000000001")); // read once as a candidate, never polled
    }

    [Fact]
    public async Task CopiesIndexedAtTheSameMomentEndInOneCluster()
    {
        // Eight instances index eight copies of a story at once, in three rounds of different stories: whoever sees whom,
        // they agree on one cluster. (While copies waited on each other under a timeout, a loaded CI machine split one.)
        var random = new Random(20261203);
        for (var round = 0; round < 3; round++)
        {
            var story = Enumerable.Range(0, 400).Select(_ => Syllables[random.Next(Syllables.Length)]).ToArray();
            var copies = Enumerable.Range(0, 8).Select(i => (
                Id: $"{"abcdef01"[i]}{round}{new string('0', 13)}{i}",
                Hours: random.Next(0, 4), // ties on the date are broken by id
                Signature: MinHashSignature.Compute(string.Join(' ', Edited(story, random))))).ToList();
            // Every two copies share a band, as copies of one story do (SyndicationCalibrationTests): copies that shared none
            // could not find each other, concurrently or not.
            Assert.All(from x in copies from y in copies where string.CompareOrdinal(x.Id, y.Id) < 0 select (x, y), pair =>
                Assert.Contains(Enumerable.Range(0, SyndicationIndex.Bands), band => SyndicationIndex.BandKey(band, pair.x.Signature) == SyndicationIndex.BandKey(band, pair.y.Signature)));
            var start = new TaskCompletionSource();
            var tasks = copies.Select((c, i) => Task.Run(async () => { await start.Task; return await _index.AssignAsync("s" + i, c.Id, T0.AddHours(c.Hours), c.Signature); })).ToList();
            start.SetResult();
            var assigned = await Task.WhenAll(tasks);

            // The earliest copy known when the cluster formed: which copy that is depends on who saw whom first.
            var clusterId = assigned[0].ClusterId;
            Assert.True(assigned.All(a => a.ClusterId == clusterId), $"round {round}: {string.Join(", ", copies.Zip(assigned, (c, a) => $"{c.Id}→{a.ClusterId}"))}");
            Assert.Contains(clusterId, copies.Select(c => c.Id));
            Assert.Equal(copies.OrderBy(c => c.Hours).ThenBy(c => c.Id, StringComparer.Ordinal).Select(c => c.Id), (await _index.MembersAsync(clusterId)).Select(m => m.ArticleId));
        }
    }

    private static readonly string[] Syllables = "người dân phường quận thành phố hà nội ủy ban nhân tổ chức hội nghị triển khai kế hoạch năm công tác cán bộ đoàn thể giao thông môi trường trật tự đô thị an ninh văn hóa giáo dục y tế kinh tế xã hội phát triển chính quyền lãnh đạo chỉ đạo thực hiện nhiệm vụ".Split(' ');

    /// <summary>A copy as portals republish one: another lead, a cut ending, a few words changed.</summary>
    private static IEnumerable<string> Edited(string[] story, Random random)
    {
        var words = story.Skip(random.Next(0, 20)).Take(story.Length - 20 - random.Next(0, 30)).ToArray();
        for (var i = 0; i < words.Length / 50; i++) words[random.Next(words.Length)] = Syllables[random.Next(Syllables.Length)];
        return words;
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
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Method, string Uri)> _sent = new();
        public int Count => Volatile.Read(ref _count);
        public void Reset()
        {
            Interlocked.Exchange(ref _count, 0);
            _sent.Clear();
        }

        /// <summary>Point reads of one row, by its RowKey.</summary>
        public int ReadsOf(string rowKey) => _sent.Count(r => r.Method == "GET" && r.Uri.Contains($"RowKey='{rowKey}'", StringComparison.Ordinal));

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message)
        {
            Interlocked.Increment(ref _count);
            _sent.Enqueue((message.Request.Method.ToString(), Uri.UnescapeDataString(message.Request.Uri.ToString())));
        }
    }
}
