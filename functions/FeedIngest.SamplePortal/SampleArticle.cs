namespace FeedIngest.SamplePortal;

/// <summary>One image of a sample article: its site-relative source and its caption.</summary>
public sealed record SampleImage(string Src, string Caption);

/// <summary>
/// One article of the bundled portal with everything a perfect extractor would return for its page,
/// plus the strings of that page that must never reach the body.
/// </summary>
/// <param name="Paragraphs">The clean body blocks after the lead: paragraphs, sub-headings, list items, table rows (cells joined with " | ").</param>
/// <param name="Layout">"gov" (district government portal template) or "news" (news-site template).</param>
/// <param name="BoilerplateStrings">Menus, banners, counters, related titles, captions, footer lines… of the rendered page.</param>
public sealed record SampleArticle(
    string Slug,
    string Path,
    string Title,
    string? Lead,
    IReadOnlyList<string> Paragraphs,
    DateTimeOffset PublishedAt,
    string? Author,
    string? SourceAttribution,
    string Category,
    string Layout,
    IReadOnlyList<SampleImage> Images,
    IReadOnlyList<string> BoilerplateStrings)
{
    /// <summary>The numeric id at the end of the path (…-1203.html).</summary>
    public int Id => int.Parse(Path[(Path.LastIndexOf('-') + 1)..^".html".Length], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The page's canonical URL, on the fixed origin whatever port serves it.</summary>
    public string CanonicalUrl => SamplePortalContent.CanonicalOrigin + Path;

    /// <summary>The expected clean body: lead (when present) then paragraphs, one block per line.</summary>
    public string ExpectedText => string.Join('\n', (Lead is null ? [] : new[] { Lead }).Concat(Paragraphs));
}
