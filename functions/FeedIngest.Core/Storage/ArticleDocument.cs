namespace FeedIngest.Core.Storage;

/// <summary>The article JSON blob: the contract downstream programs read (docs/CONTRACT.md).</summary>
public sealed record ArticleDocument
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string ArticleId { get; init; }
    public required string SourceId { get; init; }
    public required string Url { get; init; }
    public required string CanonicalUrl { get; init; }
    public string? Title { get; init; }
    public string? Lead { get; init; }
    /// <summary>ISO 8601 with offset (+07:00 when the page gave no zone).</summary>
    public string? PublishedAt { get; init; }
    public string? Author { get; init; }
    public string? SourceAttribution { get; init; }
    public string? Category { get; init; }
    public string? District { get; init; }
    public string? Language { get; init; }
    public IReadOnlyList<ArticleImageDocument> Images { get; init; } = [];
    public required string Text { get; init; }
    public required string ContentHash { get; init; }
    public required string ExtractorVersion { get; init; }
    public required string FetchedAt { get; init; }
}

public sealed record ArticleImageDocument(string Src, string? Caption);
