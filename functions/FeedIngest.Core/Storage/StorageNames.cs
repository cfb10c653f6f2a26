namespace FeedIngest.Core.Storage;

/// <summary>Every container, table and queue FeedIngest uses; infra/ creates the same names.</summary>
public static class StorageNames
{
    /// <summary>Configuration name of the data connection (connection string, or service URIs + managed identity).</summary>
    public const string Connection = "FeedIngestStorage";

    public const string ArticlesContainer = "articles";
    public const string RawContainer = "raw";

    public const string ArticlesTable = "Articles";
    public const string RunsTable = "Runs";
    /// <summary>Every discovered URL and what became of it (stored, failed with a reason, skipped).</summary>
    public const string UrlsTable = "Urls";
    /// <summary>Content hash → article, for deduplication across URLs.</summary>
    public const string ContentIndexTable = "ContentIndex";
    public const string ReprocessJobsTable = "ReprocessJobs";

    public const string DiscoverQueue = "discover";
    public const string ArticlesQueue = "articles";
    public const string ArticleEventsQueue = "article-events";
    public const string ReprocessQueue = "reprocess";
}
