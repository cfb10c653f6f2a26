using System.Globalization;
using System.Text.Json;
using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>
/// The outside check (tests/fixtures/outside-layouts): full pages of layout families unlike the shared samples, each
/// written with its gold text and metadata — an ASP.NET WebForms portal (page-wide &lt;form&gt;, &lt;font&gt;/&lt;br&gt;/tables,
/// no &lt;p&gt;), a WordPress post with taxonomy classes inside a share_wrapper div, HTML5 &lt;section class="content"&gt; and
/// article-in-&lt;aside&gt; layouts, a one-paragraph post beside a longer "About the author", a Vietnamese table layout
/// whose date and title are glued to the first body line, closing "Theo Báo …" / "Nguồn: …" lines and right-aligned
/// signatures. The quality gate scores the same set with score_vn.py.
/// </summary>
public sealed class OutsideLayoutTests
{
    private static readonly GoldPageSet Set = new("outside-layouts");
    private static readonly string FixtureRoot = Set.Root;

    public static TheoryData<string> Pages() => Set.Pages();

    [Fact]
    public void TheSetCoversTheLayoutFamiliesOfTheIssue()
    {
        var families = Directory.GetFiles(Path.Combine(FixtureRoot, "gold"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("family").GetString())
            .ToHashSet();

        Assert.Superset(new HashSet<string?> { "aspnet-webforms", "wordpress", "html5", "blog", "vn-legacy-table" }, families);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void TheBodyIsTheGoldTextLineForLine(string page)
    {
        var (article, gold, _) = Extract(page);

        Assert.Equal(GoldLines(gold), article.Blocks.Select(Norm).ToList());
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void NoChromeSidebarOrHeaderLineLeaksIntoTheBody(string page)
    {
        var (article, gold, meta) = Extract(page);

        var leaks = GoldPageSet.Leaks(article, gold, meta);

        Assert.True(leaks.Count == 0, $"{page}: leaks {string.Join(" / ", leaks)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void TitleDateAuthorAttributionAndCategoryMatchTheGold(string page)
    {
        var (article, _, meta) = Extract(page);

        Assert.Equal(Norm(meta.GetProperty("title").GetString()!), Norm(article.Title ?? ""));
        var published = DateTimeOffset.Parse(meta.GetProperty("published").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(published, article.PublishedAt);
        Assert.Equal(published.Offset, article.PublishedAt!.Value.Offset);
        Assert.Equal(NullableString(meta, "author"), article.Author);
        Assert.Equal(NullableString(meta, "attribution"), article.SourceAttribution);
        if (NullableString(meta, "category") is { } category) Assert.Equal(category, article.Category);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void CaptionsAreMetadataNotBody(string page)
    {
        var (article, _, meta) = Extract(page);

        GoldPageSet.AssertCaptionsAreMetadataNotBody(article, meta);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void QualitySignalsCountTheBlocksTheLineRulesDropped(string page)
    {
        var (article, _, _) = Extract(page);

        Assert.True(article.BlocksTotal >= article.Blocks.Count, $"{page}: total {article.BlocksTotal} < kept {article.Blocks.Count}");
        Assert.Equal(article.BlocksTotal - article.Blocks.Count, article.BlocksDropped);
        Assert.Equal(0, article.BlocksDroppedByMemory);
    }

    private static string? NullableString(JsonElement meta, string name) =>
        meta.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static (ExtractedArticle Article, string Gold, JsonElement Meta) Extract(string page) => Set.Extract(page);

    private static List<string> GoldLines(string gold) => GoldPageSet.GoldLines(gold);

    private static string Norm(string s) => GoldPageSet.Norm(s);
}
