namespace FeedIngest.Core.Pipeline;

public static class FetchMode
{
    /// <summary>A newly discovered URL: fetch unless it is already stored.</summary>
    public const string Harvest = "harvest";
    /// <summary>A stored article inside the re-crawl window: conditional GET, new version only if the text changed.</summary>
    public const string Recrawl = "recrawl";
    /// <summary>Reprocess by refetching: unconditional GET, then re-extract.</summary>
    public const string Refetch = "refetch";
}

/// <summary>Message on queue <c>discover</c>.</summary>
public sealed record DiscoverMessage(string RunId, string SourceId);

/// <summary>Message on queue <c>articles</c>.</summary>
public sealed record ArticleMessage(string RunId, string SourceId, string Url, string Mode = FetchMode.Harvest);

public enum ArticleResult { Stored, Updated, Reprocessed, Unchanged, Duplicate, Skipped, Failed }

/// <summary>What became of one article URL.</summary>
public sealed record ArticleOutcome(ArticleResult Result, string Url, string? ArticleId = null, string? Reason = null)
{
    /// <summary>Extraction-quality signals of the page, when it was extracted (health and drift).</summary>
    public Health.PageQuality? Quality { get; init; }

    public Storage.RunCounts ToCounts() => Result switch
    {
        ArticleResult.Stored => new(Stored: 1),
        ArticleResult.Updated or ArticleResult.Reprocessed => new(Updated: 1),
        ArticleResult.Unchanged => new(Unchanged: 1),
        ArticleResult.Duplicate => new(Duplicates: 1),
        ArticleResult.Skipped => new(Skipped: 1),
        _ => new(Failed: 1),
    };
}
