namespace FeedIngest.SamplePortal.Content;

/// <summary>An article as written in Site/articles/&lt;slug&gt;.json.</summary>
internal sealed class ArticleData
{
    public int Id { get; init; }
    public string Slug { get; init; } = "";
    public string Layout { get; init; } = "gov";
    public string Category { get; init; } = "";
    public string Title { get; init; } = "";
    public string? Lead { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public string? Author { get; init; }
    /// <summary>The source named in the closing "(Nguồn: …)" line, without the parentheses.</summary>
    public string? Source { get; init; }
    public int Views { get; init; }
    public List<string> Tags { get; init; } = [];
    public List<BodyBlock> Body { get; init; } = [];
}

/// <summary>
/// One block of an article body; exactly one of the content properties is set.
/// <c>Related</c> marks where the page template puts an in-body related list ("xem-them" or "box"): boilerplate, not body.
/// </summary>
internal sealed class BodyBlock
{
    public string? P { get; init; }
    public string? H2 { get; init; }
    /// <summary>A sub-heading written as a bold paragraph, as many portal editors do.</summary>
    public string? Strong { get; init; }
    public List<string>? Ul { get; init; }
    /// <summary>Rows of cells; the first row is the header.</summary>
    public List<List<string>>? Table { get; init; }
    public string? Img { get; init; }
    public string? Caption { get; init; }
    /// <summary>Lazy image: a placeholder in src, the real path in data-src.</summary>
    public bool Lazy { get; init; }
    public string? Related { get; init; }

    /// <summary>The clean body lines this block contributes (none for images and related lists).</summary>
    public IEnumerable<string> BodyLines()
    {
        if (P is not null) yield return P;
        if (H2 is not null) yield return H2;
        if (Strong is not null) yield return Strong;
        foreach (var item in Ul ?? []) yield return item;
        foreach (var row in Table ?? []) yield return string.Join(" | ", row);
    }
}
