using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Health;

/// <summary>
/// What one extracted page says about extraction quality: body length, whether a title and a date were
/// found, and (when the extractor reports them) how many blocks it dropped as boilerplate.
/// </summary>
public sealed record PageQuality(int BodyChars, bool HasTitle, bool HasDate, int? BlocksTotal = null, int? BlocksDropped = null)
{
    /// <summary>A body shorter than this (characters) counts as "empty or very short": a district news item runs to 600+.</summary>
    public const int ShortBodyChars = 300;

    public bool ShortBody => BodyChars < ShortBodyChars;

    public static PageQuality From(ExtractedArticle article) => new(
        article.Blocks.Sum(b => b.Length),
        !string.IsNullOrWhiteSpace(article.Title),
        article.PublishedAt is not null,
        article.BlocksTotal > 0 ? article.BlocksTotal : null,
        article.BlocksTotal > 0 ? article.BlocksDropped : null);
}
