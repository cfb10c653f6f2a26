using System.Globalization;
using System.Text;
using System.Text.Json;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Fetching;

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
    private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "fixtures", "outside-layouts");

    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(FixtureRoot, "pages"), "*.html").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

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

        var body = Norm(article.Text);
        var goldFlat = Norm(gold);
        var leaks = meta.GetProperty("must_not_contain").EnumerateArray().Select(x => Norm(x.GetString()!))
            .Where(s => !goldFlat.Contains(s, StringComparison.Ordinal) && body.Contains(s, StringComparison.Ordinal))
            .ToList();

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

        var body = Norm(article.Text);
        var captions = meta.GetProperty("captions").EnumerateArray().Select(x => Norm(x.GetString()!)).ToList();

        Assert.DoesNotContain(captions, c => body.Contains(c, StringComparison.Ordinal));
        Assert.All(captions, c => Assert.Contains(article.Images, i => i.Caption is not null && Norm(i.Caption) == c));
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

    private static (ExtractedArticle Article, string Gold, JsonElement Meta) Extract(string page)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureRoot, "pages", page + ".html"));
        var html = CharsetDecoder.Decode(bytes, "text/html").Text;
        var article = new ArticleExtractor().Extract(html, new Uri("https://example.invalid/" + page));
        var gold = File.ReadAllText(Path.Combine(FixtureRoot, "gold", page + ".txt"));
        var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureRoot, "gold", page + ".json"))).RootElement.Clone();
        return (article, gold, meta);
    }

    private static List<string> GoldLines(string gold) =>
        gold.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l)).Select(Norm).ToList();

    private static string Norm(string s) =>
        string.Join(' ', s.Normalize(NormalizationForm.FormC).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
