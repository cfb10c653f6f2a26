using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Discovery;

/// <summary>An article URL found by discovery, with what the feed or listing said of it.</summary>
public sealed record DiscoveredArticle(Uri Url, string? Title = null, DateTimeOffset? PublishedAt = null, string Via = "listing");

public sealed record DiscoveryResult(IReadOnlyList<DiscoveredArticle> Articles, IReadOnlyList<string> Errors)
{
    /// <summary>The cause of each of <see cref="Errors"/>, index for index (Other where none was given).</summary>
    public IReadOnlyList<Fetching.FailureCause> ErrorCauses { get; init; } = [];

    public Fetching.FailureCause CauseOf(int index) => index < ErrorCauses.Count ? ErrorCauses[index] : Fetching.FailureCause.Other;

    /// <summary>Every discovery channel failed (nothing found and at least one error).</summary>
    public bool Failed => Articles.Count == 0 && Errors.Count > 0;
}

/// <summary>Answers whether an article is already stored, so discovery can stop paging early.</summary>
public interface IKnownArticles
{
    ValueTask<bool> IsKnownAsync(string sourceId, Uri canonicalUrl, CancellationToken cancellationToken);
}

public interface IArticleDiscoverer
{
    Task<DiscoveryResult> DiscoverAsync(SourceDefinition source, IKnownArticles known, CancellationToken cancellationToken);
}
