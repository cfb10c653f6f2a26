using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Clustering;

/// <summary>One copy of a story, as a listing shows it.</summary>
public sealed record ClusterCopy(string ArticleId, string SourceId, string? Title, string? Url, string? PublishedAt, DateTimeOffset FirstSeen, double Similarity);

/// <summary>An article's syndication cluster: the copies of its story, earliest first (the first is the cluster's id).</summary>
public sealed record ClusterView(string ArticleId, string SourceId, string ClusterId, IReadOnlyList<ClusterCopy> Copies);

/// <summary>
/// <c>feedingest articles cluster ID</c> and <c>GET /api/articles/{source}/{id}/cluster</c>: the article's row names its
/// cluster; one partition query lists the copies, and one point read per copy adds its title and URL. No scan.
/// </summary>
public sealed class ClusterLookup(ArticleRows rows, ArticleIndex index, SyndicationIndex syndication)
{
    public enum Missing { None, Article, Cluster }

    /// <summary>The cluster, or why there is none: no stored article, or one stored before clusters existed (reprocess it).</summary>
    public async Task<(ClusterView? View, Missing Why)> GetAsync(string? sourceId, string articleId, CancellationToken cancellationToken)
    {
        sourceId ??= (await index.SourcesOfAsync(articleId, cancellationToken)).FirstOrDefault();
        var row = sourceId is null ? null : await rows.GetAsync(sourceId, articleId, cancellationToken);
        if (row is not { Status: ArticleStatus.Stored }) return (null, Missing.Article);
        if (row.ClusterId is null) return (null, Missing.Cluster);

        var members = await syndication.MembersAsync(row.ClusterId, cancellationToken);
        // An article alone has no member rows until a copy joins: it is its own cluster of one.
        if (members.Count == 0) members = [new ClusterMember(row.RowKey, row.PartitionKey, row.PublishedAtUtc ?? row.FetchedAt ?? DateTimeOffset.MinValue, 1.0)];
        var copies = new ClusterCopy[members.Count];
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(members.Select(async (m, i) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var copy = m.ArticleId == row.RowKey && m.SourceId == row.PartitionKey ? row : await rows.GetAsync(m.SourceId, m.ArticleId, cancellationToken);
                copies[i] = new ClusterCopy(m.ArticleId, m.SourceId, copy?.Title, copy?.Url, copy?.PublishedAt, m.FirstSeen, m.Similarity);
            }
            finally { gate.Release(); }
        }));
        return (new ClusterView(row.RowKey, row.PartitionKey, row.ClusterId, copies), Missing.None);
    }
}
