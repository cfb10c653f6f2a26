using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

public static class ArticleStatus
{
    public const string Stored = "stored";
    public const string Failed = "failed";
    public const string Duplicate = "duplicate";
}

/// <summary>One row per article in table Articles (PartitionKey sourceId, RowKey articleId).</summary>
public sealed class ArticleEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string? Url { get; set; }
    public string? CanonicalUrl { get; set; }
    public string? Title { get; set; }
    /// <summary>ISO 8601 with offset, exactly as in the JSON document.</summary>
    public string? PublishedAt { get; set; }
    /// <summary>The same instant as a typed value, for range queries.</summary>
    public DateTimeOffset? PublishedAtUtc { get; set; }
    public string? Author { get; set; }
    public string? Category { get; set; }
    public string? District { get; set; }
    public string? ContentHash { get; set; }
    public string? TextBlob { get; set; }
    public string? JsonBlob { get; set; }
    public string? RawBlob { get; set; }
    public string? ExtractorVersion { get; set; }
    public DateTimeOffset? FetchedAt { get; set; }
    /// <summary>Last re-crawl check (a conditional GET that may have found nothing new).</summary>
    public DateTimeOffset? LastCheckedAt { get; set; }

    /// <summary>When the page was last fetched or re-checked, whichever is later: the re-crawl window's clock (a method: not a column).</summary>
    public DateTimeOffset? LastSeenAt() => FetchedAt is null ? LastCheckedAt : LastCheckedAt is null || FetchedAt > LastCheckedAt ? FetchedAt : LastCheckedAt;
    public string Status { get; set; } = ArticleStatus.Stored;
    public string? Error { get; set; }
    /// <summary>1 for the first stored text, +1 for every change of text.</summary>
    public int Version { get; set; }
    /// <summary>The last version an article-events message went out for (so a redelivery can finish the job).</summary>
    public int EventVersion { get; set; }
    /// <summary>Set while one delivery is sending the event, so racing deliveries do not send it twice.</summary>
    public DateTimeOffset? EventClaimedUntil { get; set; }
    public string? HttpETag { get; set; }
    public string? HttpLastModified { get; set; }
    public string? DuplicateOf { get; set; }
    /// <summary>The syndication cluster (the earliest copy's article id), as in the document.</summary>
    public string? ClusterId { get; set; }
    /// <summary>SHA-256 of the document's <c>attachments[]</c> JSON: a change of attachments is a new version like a change of text.</summary>
    public string? AttachmentsHash { get; set; }
    public int AttachmentCount { get; set; }
    /// <summary>The document's <c>schemaVersion</c> (for the event of this version).</summary>
    public int SchemaVersion { get; set; }
    public string? LastRunId { get; set; }
}
