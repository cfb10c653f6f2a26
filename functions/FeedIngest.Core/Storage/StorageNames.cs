namespace FeedIngest.Core.Storage;

/// <summary>Every container, table and queue FeedIngest uses; infra/ creates the same names.</summary>
public static class StorageNames
{
    /// <summary>Configuration name of the data connection (connection string, or service URIs + managed identity).</summary>
    public const string Connection = "FeedIngestStorage";

    public const string ArticlesContainer = "articles";
    public const string RawContainer = "raw";
    /// <summary>Attachments' bytes and text: <c>{sourceId}/{articleId}/{sha256}.{ext}</c> and <c>….txt</c> (docs/CONTRACT.md).</summary>
    public const string AttachmentsContainer = "attachments";

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
    /// <summary>Per-host politeness: the registry of each host's slot tokens (default of FeedIngest:Fetching:ThrottleTableName); the tokens are in queues named hostslots-….</summary>
    public const string HostThrottleTable = "HostThrottle";
    /// <summary>Validators (ETag, Last-Modified) per URL (default of FeedIngest:Fetching:FetchStateTableName).</summary>
    public const string FetchStateTable = "FetchState";
    /// <summary>Per-run health observations (article and discovery results) folded into SourceHealth.</summary>
    public const string HealthObservationsTable = "HealthObservations";
    /// <summary>One row per source: its health over recent runs, and the alerts sent.</summary>
    public const string SourceHealthTable = "SourceHealth";
    /// <summary>Attachment bytes by SHA-256 → their blobs and text status: the cross-article dedupe (Storage.AttachmentStore).</summary>
    public const string AttachmentsTable = "Attachments";
    /// <summary>Syndication index (Clustering.SyndicationIndex): band hash → articles, signatures, cluster members.</summary>
    public const string SyndicationBandsTable = "SyndicationBands";
    public const string SyndicationSignaturesTable = "SyndicationSignatures";
    public const string SyndicationClustersTable = "SyndicationClusters";

    public const string DiscoverQueue = "discover";
    public const string ArticlesQueue = "articles";
    public const string ArticleEventsQueue = "article-events";
    public const string ReprocessQueue = "reprocess";

    public static readonly string[] Containers = [ArticlesContainer, RawContainer, AttachmentsContainer];
    public static readonly string[] Tables = [ArticlesTable, RunsTable, UrlsTable, ContentIndexTable, ReprocessJobsTable, ArticleIndexTable, BoilerplateTable,
        HostThrottleTable, FetchStateTable, HealthObservationsTable, SourceHealthTable,
        AttachmentsTable, SyndicationBandsTable, SyndicationSignaturesTable, SyndicationClustersTable];
    public static readonly string[] Queues = [DiscoverQueue, ArticlesQueue, ArticleEventsQueue, ReprocessQueue];
}
