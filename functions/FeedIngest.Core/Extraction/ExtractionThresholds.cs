namespace FeedIngest.Core.Extraction;

/// <summary>
/// Tunables of the extractor, each with where it comes from. Calibrated together on the Vietnamese sample set and the
/// article-extraction benchmark (docs/QUALITY.md); change one and re-run the quality gate, not the other way round.
/// </summary>
internal static class ExtractionThresholds
{
    /// <summary>Input beyond this many characters is cut at a tag boundary: the article sits near the top of real pages,
    /// and a 50 MB page must not cost seconds and gigabytes (trafilatura refuses files above 20 MB).</summary>
    public const int MaxInputChars = 4_000_000;

    /// <summary>A data-table cell is a value or a label; past this many characters it is a layout cell holding prose.</summary>
    public const int DataTableMaxCellChars = 300;

    /// <summary>Share of control characters / U+FFFD in the first 8 KB above which the input is not a page.</summary>
    public const double MaxGarbageShare = 0.10;

    /// <summary>Body shorter than this (characters) sends the extractor down the cascade (trafilatura MIN_EXTRACTED_SIZE = 250).</summary>
    public const int MinExtractedChars = 250;

    /// <summary>Paragraphs shorter than this are not scored (Readability DEFAULT_CHAR_THRESHOLD per paragraph: 25).</summary>
    public const int MinScoredParagraphChars = 25;

    /// <summary>Candidate ancestors that receive a paragraph's score (Readability scores 5 levels).</summary>
    public const int ScoreAncestorLevels = 5;

    /// <summary>Sibling of the top candidate joins when its score reaches this share of the top score (Readability 0.2).</summary>
    public const double SiblingScoreShare = 0.2;

    /// <summary>An unlikely-looking element is still kept when it holds this share of the page's non-link text.</summary>
    public const double KeepUnlikelyTextShare = 0.35;

    /// <summary>A form, aside, nav, header or footer is kept when it holds more than this share of the page's non-link text:
    /// it is then the page (ASP.NET's page-wide &lt;form&gt;, an article in &lt;aside&gt;), not its chrome.</summary>
    public const double KeepChromeTextShare = 0.5;

    /// <summary>An element named like related/comment/share furniture is still kept when it holds this share of the page's
    /// non-link text (a CMS that wraps the whole post in "share_wrapper").</summary>
    public const double KeepStrongUnlikelyTextShare = 0.6;

    /// <summary>Sanity check (cascade step 4): a body under this many words, or under this share of the page's dominant
    /// prose cluster, is retried with the rules loosened one at a time.</summary>
    public const int TinyBodyWords = 12;
    /// <summary>A paragraph counts towards a prose cluster from this many non-link characters (menus and labels do not).</summary>
    public const int ProseUnitChars = 80;
    public const double DominantProseShare = 0.5;

    /// <summary>A related-list container is link text for at least this share of what is not its label.</summary>
    public const double RelatedBoxLinkShare = 0.5;

    /// <summary>A body block that is link text for at least this share, and short, is a link line, not prose.</summary>
    public const double LinkLineShare = 0.85;
    public const int LinkLineMaxChars = 220;

    /// <summary>Furniture patterns ("Lượt xem", "Chia sẻ") only apply to lines shorter than this.</summary>
    public const int FurnitureMaxChars = 160;

    /// <summary>A trailing signature is at most this long (names, initials, "Nhóm PV").</summary>
    public const int SignatureMaxChars = 50;

    /// <summary>Cross-page memory: a block seen on at least this many other pages of the source, and on this share of
    /// the pages observed, is boilerplate. Both must hold, so a block that a short series repeats is kept.</summary>
    public const int BoilerplateMinPages = 3;
    public const double BoilerplateMinShare = 0.3;
    /// <summary>Pages a source must have shown before repetition counts at all.</summary>
    public const int BoilerplateMinObserved = 5;
}
