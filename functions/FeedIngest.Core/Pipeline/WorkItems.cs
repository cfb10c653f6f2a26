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
    /// <summary>Why a Failed or Skipped URL was not stored.</summary>
    public Fetching.FailureCause Cause { get; init; }
    /// <summary>Extraction-quality signals of the page, when it was extracted (health and drift).</summary>
    public Health.PageQuality? Quality { get; init; }

    public Storage.RunCounts ToCounts() => Result switch
    {
        ArticleResult.Stored => new(Stored: 1),
        ArticleResult.Updated or ArticleResult.Reprocessed => new(Updated: 1),
        ArticleResult.Unchanged => new(Unchanged: 1),
        ArticleResult.Duplicate => new(Duplicates: 1),
        ArticleResult.Skipped => new Storage.RunCounts(Skipped: 1) + Storage.RunCounts.Cause(CauseOrOther),
        _ => new Storage.RunCounts(Failed: 1) + Storage.RunCounts.Cause(CauseOrOther),
    };

    private Fetching.FailureCause CauseOrOther => Cause == Fetching.FailureCause.None ? Fetching.FailureCause.Other : Cause;

    /// <summary>One line for people: "url: [cause] reason".</summary>
    public string FailureLine() => $"{Url}: [{Fetching.FailureCauses.Name(CauseOrOther)}] {Reason}";

    /// <summary>The row this outcome adds to its run, keyed by the id of the message's URL (one row per URL, however often delivered).</summary>
    public Storage.OutcomeRecord ToRecord(string sourceId, string messageUrl) =>
        new(sourceId, ItemKey(messageUrl), Result.ToString(), Url.Length > 0 ? Url : messageUrl, ArticleId, Reason,
            Result is ArticleResult.Failed or ArticleResult.Skipped && Cause != Fetching.FailureCause.None ? Fetching.FailureCauses.Name(Cause) : null);

    public static string ItemKey(string messageUrl) => Storage.UrlIndex.Key(Discovery.UrlCanonicalizer.Canonicalize(new Uri(messageUrl, UriKind.Absolute)));
}
