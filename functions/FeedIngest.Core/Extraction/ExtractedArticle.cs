namespace FeedIngest.Core.Extraction;

public sealed record ArticleImage(string Src, string? Caption);

/// <summary>What the extractor takes from one page: the clean body and its metadata.</summary>
public sealed record ExtractedArticle
{
    public string? Title { get; init; }
    public string? Lead { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public string? Author { get; init; }
    public string? SourceAttribution { get; init; }
    public string? Category { get; init; }
    public string? CanonicalUrl { get; init; }
    public string? Language { get; init; }
    public IReadOnlyList<ArticleImage> Images { get; init; } = [];
    /// <summary>Body blocks (lead first), one per output line, NFC, whitespace collapsed.</summary>
    public IReadOnlyList<string> Blocks { get; init; } = [];

    /// <summary>True when the page was larger than the extractor reads and only its beginning was used.</summary>
    public bool Truncated { get; init; }

    /// <summary>Blocks (lines) the extractor wrote from the content it chose, before the line rules.</summary>
    public int BlocksTotal { get; init; }
    /// <summary>Of <see cref="BlocksTotal"/>, the blocks the line rules dropped as boilerplate (furniture, date and link lines,
    /// title repeats, closing attribution/signature moved to metadata, cross-page boilerplate).</summary>
    public int BlocksDropped { get; init; }
    /// <summary>Of <see cref="BlocksDropped"/>, those dropped because the source repeats them on many pages.</summary>
    public int BlocksDroppedByMemory { get; init; }

    /// <summary>The clean body: one block per line.</summary>
    public string Text => string.Join('\n', Blocks);

    /// <summary>
    /// The element chosen as the body, as its position in document order (<c>document.All</c>) of the page parsed
    /// untouched; null when the text came from the baseline rescue (no single element holds it). Lets later stages
    /// (attachment links) look at the body and what follows it as the page had them, before any cleanup.
    /// </summary>
    public int? BodyElementIndex { get; init; }
}

/// <summary>What the extractor may know beyond the page: the source, and its learned boilerplate.</summary>
public sealed class ExtractionContext
{
    public string? SourceId { get; init; }
    public Sources.ExtractionOverrides? Overrides { get; init; }
    /// <summary>Fingerprints of blocks seen on many pages of this source (cross-page boilerplate).</summary>
    public IBoilerplateMemory? Boilerplate { get; init; }
}

/// <summary>Per-source memory of block fingerprints seen across pages.</summary>
public interface IBoilerplateMemory
{
    /// <summary>How many distinct pages of the source carried this block fingerprint.</summary>
    int PageCount(string fingerprint);
    /// <summary>Pages observed for this source in total.</summary>
    int PagesObserved { get; }
    /// <summary>Records the block fingerprints of one page.</summary>
    void Observe(string pageKey, IEnumerable<string> fingerprints);
}

public interface IArticleExtractor
{
    /// <summary>Extracts the article from decoded HTML. Never throws for bad markup; throws <see cref="ExtractionException"/> for input that is not a page.</summary>
    ExtractedArticle Extract(string html, Uri? pageUrl = null, ExtractionContext? context = null);
}

public sealed class ExtractionException(string message) : Exception(message);
