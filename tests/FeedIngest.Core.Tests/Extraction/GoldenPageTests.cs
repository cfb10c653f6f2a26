using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>
/// The Vietnamese sample pages against their gold (tests/fixtures/vn-portal): the same checks as score_vn.py, in C#.
/// One case per page; the pages come in two layout families (district portal gov-*, news site news-*).
/// </summary>
public sealed partial class GoldenPageTests
{
    private static readonly GoldPageSet Set = new("vn-portal");
    private static readonly string FixtureRoot = Set.Root;

    public static TheoryData<string> Pages() => Set.Pages();

    [Fact]
    public void BothPageFamiliesAreCovered()
    {
        var names = Directory.GetFiles(Path.Combine(FixtureRoot, "pages"), "*.html").Select(f => Path.GetFileName(f)).ToList();

        Assert.Contains(names, n => n.StartsWith("gov-", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("news-", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryGoldParagraphIsALineOfTheBody(string page)
    {
        var (article, gold, _) = Extract(page);

        var lines = article.Blocks.Select(Norm).ToHashSet(StringComparer.Ordinal);
        var missing = GoldLines(gold).Where(g => !lines.Contains(g)).ToList();

        Assert.True(missing.Count == 0, $"{page}: {missing.Count} gold paragraphs missing or glued, first: {missing.FirstOrDefault()}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void ShingleF1ReachesTheTarget(string page)
    {
        var (article, gold, _) = Extract(page);

        var f1 = ShingleF1(gold, article.Text);

        Assert.True(f1 >= 0.99, $"{page}: shingle F1 {f1:F3}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void NoBoilerplateStringLeaksIntoTheBody(string page)
    {
        var (article, gold, meta) = Extract(page);

        var leaks = GoldPageSet.Leaks(article, gold, meta, minChars: 8);

        Assert.True(leaks.Count == 0, $"{page}: leaks {string.Join(" / ", leaks)}");
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
    public void BodyIsNfc(string page)
    {
        var (article, _, _) = Extract(page);

        Assert.True(article.Text.IsNormalized(NormalizationForm.FormC));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void TitleDateAuthorAndAttributionMatchTheGold(string page)
    {
        var (article, _, meta) = Extract(page);

        Assert.Equal(Norm(meta.GetProperty("title").GetString()!), Norm(article.Title ?? ""));
        var published = DateTimeOffset.Parse(meta.GetProperty("published").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(published, article.PublishedAt);
        Assert.Equal(TimeSpan.FromHours(7), article.PublishedAt!.Value.Offset);
        if (meta.GetProperty("author").ValueKind == JsonValueKind.String)
            Assert.Equal(meta.GetProperty("author").GetString(), article.Author);
        if (meta.GetProperty("attribution").ValueKind == JsonValueKind.String)
            Assert.Equal(meta.GetProperty("attribution").GetString(), article.SourceAttribution);
        Assert.Equal(Norm(meta.GetProperty("category").GetString()!), Norm(article.Category ?? ""), ignoreCase: true);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void CanonicalUrlAndLanguageAreRead(string page)
    {
        var (article, _, meta) = Extract(page);

        Assert.StartsWith(meta.GetProperty("url").GetString()!, article.CanonicalUrl);
        Assert.Equal("vi", article.Language);
    }

    private static (ExtractedArticle Article, string Gold, JsonElement Meta) Extract(string page) => Set.Extract(page);

    private static List<string> GoldLines(string gold) => GoldPageSet.GoldLines(gold);

    private static string Norm(string s) => GoldPageSet.Norm(s);

    [GeneratedRegex(@"\w+")]
    private static partial Regex Word();

    /// <summary>score_vn.py's shingle F1: word 4-grams, NFC + lower-case, as multisets.</summary>
    internal static double ShingleF1(string gold, string predicted)
    {
        static Dictionary<string, int> Shingles(string text)
        {
            var words = Word().Matches(text.Normalize(NormalizationForm.FormC).ToLowerInvariant()).Select(m => m.Value).ToList();
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var n = Math.Max(1, words.Count - 3);
            for (var i = 0; i < n; i++)
            {
                var key = string.Join('\u0001', words.Skip(i).Take(4));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
            return counts;
        }
        var g = Shingles(gold);
        var p = Shingles(predicted);
        var tp = g.Sum(kv => Math.Min(kv.Value, p.GetValueOrDefault(kv.Key)));
        var precision = p.Count == 0 ? 0 : (double)tp / p.Values.Sum();
        var recall = (double)tp / g.Values.Sum();
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
}
