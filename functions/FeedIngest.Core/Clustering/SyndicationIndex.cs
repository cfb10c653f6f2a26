using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Clustering;

/// <summary>A copy of a story: which article, from which source, first seen when.</summary>
public sealed record ClusterMember(string ArticleId, string SourceId, DateTimeOffset FirstSeen, double Similarity);

/// <summary>The cluster an article was put in, and the stored copies it matched.</summary>
public sealed record ClusterAssignment(string ClusterId, IReadOnlyList<ClusterMember> Matches);

/// <summary>
/// Near-duplicate index over Azure Tables with MinHash LSH: an article's signature is cut into <see cref="Bands"/>
/// bands of <see cref="RowsPerBand"/> values; two articles become candidates when any band is equal, and a candidate
/// joins the cluster when the signatures' estimated Jaccard similarity reaches <see cref="Threshold"/>. A band's row
/// names the first article that had it; a later article compares itself with those first writers (its bands inserted
/// in at most <see cref="BandPartitions"/> batches; band by band, with a point read where a band was taken, only in a
/// batch that failed), never a scan: the cost per article does not grow with the archive.
/// A copy of a later copy that shares no band first written by that copy is still found through the cluster's first
/// copy whenever it resembles it above the threshold (copies score 0.6 and more, the threshold is 0.30).
/// <list type="bullet">
/// <item><c>SyndicationBands</c>: PartitionKey <c>p{bandHash mod 4}</c>, RowKey <c>{band:00}-{bandHash:x16}</c> → ArticleId,
/// SourceId of the first article with this band.</item>
/// <item><c>SyndicationSignatures</c>: PartitionKey articleId[..2], RowKey articleId → Signature (Base64, 512 bytes),
/// ShingleCount, SourceId, FirstSeen, ClusterId. Written first without ClusterId (in progress) and again with it last:
/// a ClusterId means the article is fully indexed.</item>
/// <item><c>SyndicationClusters</c>: PartitionKey clusterId, RowKey articleId → SourceId, FirstSeen, Similarity: the
/// copies of one story in one partition query.</item>
/// </list>
/// </summary>
public sealed class SyndicationIndex(TableServiceClient tables, StorageInitializer storage)
{
    public const string BandsTable = StorageNames.SyndicationBandsTable;
    public const string SignaturesTable = StorageNames.SyndicationSignaturesTable;
    public const string ClustersTable = StorageNames.SyndicationClustersTable;

    public const int Bands = 32;
    public const int RowsPerBand = MinHashSignature.Size / Bands;
    /// <summary>Calibrated on tests/fixtures/syndication (docs/SYNDICATION.md).</summary>
    public const double Threshold = 0.30;
    /// <summary>Most copies a lookup lists (a story republished more often than this is listed in part).</summary>
    public const int MaxMembers = 200;
    /// <summary>
    /// Longest a copy in progress may take from its last write to publishing what its lookup saw (a few requests): a row
    /// left unpublished longer was written by a delivery that died, and is not waited for.
    /// </summary>
    internal TimeSpan PublishWait { get; init; } = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InProgressPoll = TimeSpan.FromMilliseconds(100);
    /// <summary>Most copies read while deciding among copies in progress: bounded by how many are indexed at once.</summary>
    public const int MaxCopiesInProgress = 64;
    /// <summary>
    /// Band rows spread over this many partitions: an article's 32 bands go out in at most this many batches. Each
    /// partition takes about 2,000 entities/s on Azure Tables, so 4 carry ~250 newly indexed articles per second
    /// across all instances — far above what per-host politeness lets a harvest fetch.
    /// </summary>
    public const int BandPartitions = 4;

    private readonly TableClient _bands = tables.GetTableClient(BandsTable);
    private readonly TableClient _signatures = tables.GetTableClient(SignaturesTable);
    private readonly TableClient _clusters = tables.GetTableClient(ClustersTable);

    /// <summary>The tables exist: created once per process by <see cref="StorageInitializer"/>, never on the hot path.</summary>
    public Task CreateTablesAsync(CancellationToken cancellationToken = default) => storage.EnsureTablesAsync(cancellationToken);

    /// <summary>
    /// Finds the stored copies of the article and records it: its clusterId is the clusterId of the earliest matching
    /// copy (itself the earliest copy's id when the cluster formed), or its own id when nothing matches. Idempotent: an
    /// article already indexed gets its recorded clusterId back with no write.
    /// <para>Safe between copies indexed at the same moment (parallel articles, other instances): each first writes its
    /// signature (without a clusterId: "in progress") and its bands, and only then looks for candidates, so of two
    /// concurrent copies at least one sees the other. A copy that found copies in progress publishes whom it saw (<c>Sees</c>)
    /// and reads whom they saw, and all of them decide by the same rule over that graph (<see cref="CopyGraph"/>), so they
    /// agree whatever the timing; the only wait is for a copy's lookup to be published (at most 30 s, a dead delivery).</para>
    /// </summary>
    public async Task<ClusterAssignment> AssignAsync(string sourceId, string articleId, DateTimeOffset firstSeen, MinHashSignature signature, CancellationToken cancellationToken = default)
    {
        await storage.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        // Signature first (in progress; a too-short text is its own cluster at once), then bands, then the lookup: a crash
        // anywhere before the last write leaves no clusterId, so the retry redoes it all. Inserted rather than read first:
        // a new article (almost every call) costs one request, and only a row that exists (409) is read.
        var clusterIdNow = signature.TooShort ? articleId : null;
        if (!await TryInsertSignatureAsync(sourceId, articleId, firstSeen, signature, clusterIdNow, cancellationToken).ConfigureAwait(false))
        {
            var existing = await _signatures.GetEntityIfExistsAsync<TableEntity>(SignaturePartition(articleId), articleId, select: ["ClusterId"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (existing.HasValue && existing.Value!.GetString("ClusterId") is { } recorded) return new ClusterAssignment(recorded, []);
            await WriteSignatureAsync(sourceId, articleId, firstSeen, signature, clusterIdNow, cancellationToken).ConfigureAwait(false);
        }
        if (signature.TooShort) return new ClusterAssignment(articleId, []);

        // Each band names its first writer. The article's bands are inserted in one batch per band partition (at most
        // BandPartitions): when none of them was written before — almost every article — that is the whole lookup, and
        // the article is now the first writer of all its bands. A batch that fails (409: some band of it was written
        // first by another article) is redone band by band: an insert, and where it fails a point read naming the
        // earlier article, which becomes a candidate.
        var candidates = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var groups = Enumerable.Range(0, Bands).Select(band => BandKey(band, signature)).GroupBy(key => key.Partition).ToList();
        await Task.WhenAll(groups.Select(async group =>
        {
            try
            {
                await _bands.SubmitTransactionAsync(group.Select(key => new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(key.Partition, key.Row) { ["ArticleId"] = articleId, ["SourceId"] = sourceId })), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status == 409)
            {
            }
            foreach (var key in group)
                if (await FirstWriterOfBandAsync(key, sourceId, articleId, cancellationToken).ConfigureAwait(false) is { } earlier && earlier != articleId)
                    candidates.TryAdd(earlier, 0);
        })).ConfigureAwait(false);

        var matches = new List<(ClusterMember Member, CopyNode Node)>();
        foreach (var candidate in candidates.Keys.Order(StringComparer.Ordinal)) // at most one per band
        {
            // Null: its bands outlived a signature that was never written (a crash): nothing to compare.
            if (await ReadSignatureRowAsync(candidate, cancellationToken).ConfigureAwait(false) is not { } row) continue;
            var other = MinHashSignature.FromBase64(row.GetString("Signature"), row.GetInt32("ShingleCount") ?? MinHashSignature.MinShingles);
            var similarity = signature.Similarity(other);
            if (similarity < Threshold) continue;
            var node = ToNode(row);
            matches.Add((new ClusterMember(candidate, node.SourceId, node.FirstSeen, similarity), node));
        }

        // Who saw whom decides (CopyGraph): with every match settled — almost always — that is the earliest match's
        // cluster. A match in progress may be deciding at this moment: this article publishes what it saw, reads what
        // the copies in progress it reaches saw, and computes the same answer they do.
        var sees = matches.Select(m => m.Member.ArticleId).ToList();
        var nodes = new Dictionary<string, CopyNode>(StringComparer.Ordinal) { [articleId] = new(articleId, sourceId, firstSeen, null, sees, []) };
        if (matches.All(m => m.Node.Settled))
            foreach (var (_, node) in matches) nodes[node.ArticleId] = node;
        else
        {
            await _signatures.UpdateEntityAsync(new TableEntity(SignaturePartition(articleId), articleId) { ["Sees"] = string.Join(' ', sees) },
                ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            await ReadCopiesInProgressAsync(nodes, articleId, matches.ToDictionary(m => m.Node.ArticleId, m => m.Node, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        }
        var (clusterId, component) = CopyGraph.Decide(articleId, nodes);
        var founder = clusterId != articleId ? nodes.GetValueOrDefault(clusterId) : null;

        var best = matches.Count == 0 || clusterId == articleId ? 1.0 : matches.Max(m => m.Member.Similarity);
        await _clusters.UpsertEntityAsync(new TableEntity(clusterId, articleId)
        {
            ["SourceId"] = sourceId, ["FirstSeen"] = firstSeen, ["Similarity"] = best,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        if (founder is not null)
        {
            // The cluster's first copy may have been stored alone (or is being stored now): it is listed as a member.
            await _clusters.UpsertEntityAsync(new TableEntity(clusterId, founder.ArticleId)
            {
                ["SourceId"] = founder.SourceId, ["FirstSeen"] = founder.FirstSeen, ["Similarity"] = 1.0,
            }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        await WriteSignatureAsync(sourceId, articleId, firstSeen, signature, clusterId, cancellationToken, sees, component).ConfigureAwait(false);
        return new ClusterAssignment(clusterId, matches.Select(m => m.Member).OrderBy(m => m.FirstSeen).ToList());
    }

    /// <summary>The copies of a story, earliest first: one partition query.</summary>
    public async Task<IReadOnlyList<ClusterMember>> MembersAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var members = new List<ClusterMember>();
        await foreach (var row in _clusters.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId, maxPerPage: MaxMembers, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (members.Count >= MaxMembers) break;
            members.Add(new ClusterMember(row.RowKey, row.GetString("SourceId") ?? "", row.GetDateTimeOffset("FirstSeen") ?? DateTimeOffset.MinValue, row.GetDouble("Similarity") ?? 1));
        }
        return members.OrderBy(m => m.FirstSeen).ThenBy(m => m.ArticleId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The article that first wrote this band (null: this article, just now).</summary>
    private async Task<string?> FirstWriterOfBandAsync(BandRowKey key, string sourceId, string articleId, CancellationToken cancellationToken)
    {
        try
        {
            await _bands.AddEntityAsync(new TableEntity(key.Partition, key.Row) { ["ArticleId"] = articleId, ["SourceId"] = sourceId }, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var row = await _bands.GetEntityIfExistsAsync<TableEntity>(key.Partition, key.Row, select: ["ArticleId"], cancellationToken: cancellationToken).ConfigureAwait(false);
            return row.HasValue ? row.Value!.GetString("ArticleId") : null;
        }
    }

    /// <summary>Inserts the signature row; false when the article has one already (an earlier or racing delivery).</summary>
    private async Task<bool> TryInsertSignatureAsync(string sourceId, string articleId, DateTimeOffset firstSeen, MinHashSignature signature, string? clusterId, CancellationToken cancellationToken)
    {
        try
        {
            await _signatures.AddEntityAsync(SignatureRow(sourceId, articleId, firstSeen, signature, clusterId), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    private Task<Response> WriteSignatureAsync(string sourceId, string articleId, DateTimeOffset firstSeen, MinHashSignature signature, string? clusterId, CancellationToken cancellationToken,
        IReadOnlyList<string>? sees = null, IReadOnlyList<string>? component = null) =>
        _signatures.UpsertEntityAsync(SignatureRow(sourceId, articleId, firstSeen, signature, clusterId, sees, component), TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Adds to <paramref name="nodes"/> the copies in progress that this article reaches through what each saw, and the
    /// settled copies where that ends. A copy whose lookup is not published yet is read again until it is; one that
    /// does not publish within <see cref="PublishWait"/> of its last write (its delivery died; a retry indexes it again) is
    /// left out.
    /// </summary>
    private async Task ReadCopiesInProgressAsync(Dictionary<string, CopyNode> nodes, string articleId, Dictionary<string, CopyNode> readBefore, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var next = new Queue<string>(nodes[articleId].Sees);
        while (next.TryDequeue(out var id) && nodes.Count < MaxCopiesInProgress)
        {
            if (nodes.ContainsKey(id)) continue;
            var node = readBefore.GetValueOrDefault(id) ?? await ReadCopyAsync(id, cancellationToken).ConfigureAwait(false);
            // Waited for only while its last write is recent: a row its dead delivery left (until the retry, or for good
            // when the message was given up) must not cost every later copy of the story the wait.
            while (node is { Settled: false, Published: false } && waited.Elapsed < PublishWait && DateTimeOffset.UtcNow - node.WrittenAt < PublishWait)
            {
                await Task.Delay(InProgressPoll, cancellationToken).ConfigureAwait(false);
                node = await ReadCopyAsync(id, cancellationToken).ConfigureAwait(false);
            }
            if (node is null or { Settled: false, Published: false }) continue;
            nodes[id] = node;
            if (!node.Settled)
                foreach (var seen in node.Sees) next.Enqueue(seen);
        }
    }

    private async Task<CopyNode?> ReadCopyAsync(string articleId, CancellationToken cancellationToken) =>
        await ReadSignatureRowAsync(articleId, cancellationToken).ConfigureAwait(false) is { } row ? ToNode(row) : null;

    /// <summary>An article's whole signature row, or null when it has none.</summary>
    private async Task<TableEntity?> ReadSignatureRowAsync(string articleId, CancellationToken cancellationToken)
    {
        var row = await _signatures.GetEntityIfExistsAsync<TableEntity>(SignaturePartition(articleId), articleId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>A signature row as the copy graph reads it: <c>Sees</c> absent means its lookup is not published yet.</summary>
    private static CopyNode ToNode(TableEntity row) => new(row.RowKey, row.GetString("SourceId") ?? "", row.GetDateTimeOffset("FirstSeen") ?? DateTimeOffset.MaxValue,
        row.GetString("ClusterId"), Ids(row.GetString("Sees")), Ids(row.GetString("Component")))
    {
        Published = row.ContainsKey("Sees"), WrittenAt = row.Timestamp ?? DateTimeOffset.MinValue,
    };

    private static string[] Ids(string? joined) => string.IsNullOrEmpty(joined) ? [] : joined.Split(' ');

    private static TableEntity SignatureRow(string sourceId, string articleId, DateTimeOffset firstSeen, MinHashSignature signature, string? clusterId,
        IReadOnlyList<string>? sees = null, IReadOnlyList<string>? component = null) =>
        new(SignaturePartition(articleId), articleId)
        {
            ["Signature"] = signature.ToBase64(), ["ShingleCount"] = signature.ShingleCount, ["SourceId"] = sourceId,
            ["FirstSeen"] = firstSeen, ["ClusterId"] = clusterId,
            // Written with the ClusterId: what this copy saw (at most one id per band) and, when it was decided together
            // with copies in progress, that component (at most MaxCopiesInProgress ids): far under 32K characters.
            ["Sees"] = sees is null ? null : string.Join(' ', sees),
            ["Component"] = component is { Count: > 1 } ? string.Join(' ', component) : null,
        };

    /// <summary>Where a band's row lives: one of <see cref="BandPartitions"/> partitions (by the band's hash), RowKey band and hash.</summary>
    internal static BandRowKey BandKey(int band, MinHashSignature signature)
    {
        var hash = signature.BandHash(band, RowsPerBand);
        return new BandRowKey(
            string.Create(CultureInfo.InvariantCulture, $"p{hash % BandPartitions}"),
            string.Create(CultureInfo.InvariantCulture, $"{band:00}-{hash:x16}"));
    }

    internal readonly record struct BandRowKey(string Partition, string Row);

    /// <summary>Signatures spread over 256 partitions by the id's first two hex characters.</summary>
    private static string SignaturePartition(string articleId) => articleId.Length >= 2 ? articleId[..2] : articleId;
}
