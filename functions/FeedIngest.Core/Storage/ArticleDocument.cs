namespace FeedIngest.Core.Storage;

/// <summary>The article JSON blob: the contract downstream programs read (docs/CONTRACT.md).</summary>
public sealed record ArticleDocument
{
    /// <summary>2: <see cref="Attachments"/> and <see cref="ClusterId"/> (docs/CONTRACT.md, "Versioning").</summary>
    public const int CurrentSchemaVersion = 2;

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

    /// <summary><see cref="PublishedAt"/> as a value; null when the page gave no date (methods: not part of the JSON).</summary>
    public DateTimeOffset? PublishedAtValue() => PublishedAt is null ? null : DateTimeOffset.Parse(PublishedAt, System.Globalization.CultureInfo.InvariantCulture);

    public DateTimeOffset FetchedAtValue() => DateTimeOffset.Parse(FetchedAt, System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>The documents the article links to, in page order; <c>[]</c> when none.</summary>
    public IReadOnlyList<ArticleAttachmentDocument> Attachments { get; init; } = [];
    /// <summary>The syndication cluster: the earliest copy's article id, or the article's own id.</summary>
    public required string ClusterId { get; init; }
}

public sealed record ArticleImageDocument(string Src, string? Caption);

/// <summary>One entry of <c>attachments[]</c> (docs/CONTRACT.md): what was found, fetched, stored and read.</summary>
public sealed record ArticleAttachmentDocument
{
    public required string Name { get; init; }
    public required string Url { get; init; }
    /// <summary>The type the bytes are (magic bytes); the server's claim when the bytes never arrived.</summary>
    public string? ContentType { get; init; }
    public long? Bytes { get; init; }
    public string? Sha256 { get; init; }
    /// <summary>Blob in container <c>attachments</c>; null when nothing was stored.</summary>
    public string? Blob { get; init; }
    public string? TextBlob { get; init; }
    public int? Pages { get; init; }
    public required string TextStatus { get; init; }
    public string? Reason { get; init; }
}
