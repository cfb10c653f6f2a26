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
    /// <summary>Article id → source, and publish day → articles (see <see cref="ArticleIndex"/>).</summary>
    public const string ArticleIndexTable = "ArticleIndex";
    /// <summary>Learned boilerplate per source (Extraction.BoilerplateMemoryStore).</summary>
    public const string BoilerplateTable = "Boilerplate";
    /// <summary>Per-host politeness rows (default of FeedIngest:Fetching:ThrottleTableName).</summary>
    public const string HostThrottleTable = "HostThrottle";
    /// <summary>Validators (ETag, Last-Modified) per URL (default of FeedIngest:Fetching:FetchStateTableName).</summary>
    public const string FetchStateTable = "FetchState";
    /// <summary>Per-run health observations (article and discovery results) folded into SourceHealth.</summary>
    public const string HealthObservationsTable = "HealthObservations";
    /// <summary>One row per source: its health over recent runs, and the alerts sent.</summary>
    public const string SourceHealthTable = "SourceHealth";

    public const string DiscoverQueue = "discover";
    public const string ArticlesQueue = "articles";
    public const string ArticleEventsQueue = "article-events";
    public const string ReprocessQueue = "reprocess";

    public static readonly string[] Containers = [ArticlesContainer, RawContainer];
    public static readonly string[] Tables = [ArticlesTable, RunsTable, UrlsTable, ContentIndexTable, ReprocessJobsTable, ArticleIndexTable, BoilerplateTable,
        HostThrottleTable, FetchStateTable, HealthObservationsTable, SourceHealthTable];
    public static readonly string[] Queues = [DiscoverQueue, ArticlesQueue, ArticleEventsQueue, ReprocessQueue];
}
