using System.Text;
using System.Text.Json;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>
/// A fixture folder of pages with their gold, laid out as score_vn.py reads it: <c>pages/&lt;name&gt;.html</c>,
/// <c>gold/&lt;name&gt;.txt</c> (the clean body, one block per line) and <c>gold/&lt;name&gt;.json</c> (metadata, captions,
/// <c>must_not_contain</c>). The scoring helpers shared by the golden-page and outside-layout tests.
/// </summary>
internal sealed class GoldPageSet(string fixtureFolder)
{
    public string Root { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", fixtureFolder);

    public TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(Root, "pages"), "*.html").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    /// <summary>Decodes and extracts one page as the pipeline would, and reads its gold text and metadata.</summary>
    public (ExtractedArticle Article, string Gold, JsonElement Meta) Extract(string page)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Root, "pages", page + ".html"));
        var html = CharsetDecoder.Decode(bytes, "text/html").Text;
        var article = new ArticleExtractor().Extract(html, new Uri("https://example.invalid/" + page));
        var gold = File.ReadAllText(Path.Combine(Root, "gold", page + ".txt"));
        var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "gold", page + ".json"))).RootElement.Clone();
        return (article, gold, meta);
    }

    public static List<string> GoldLines(string gold) =>
        gold.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l)).Select(Norm).ToList();

    /// <summary>NFC, whitespace runs as one space, ends trimmed.</summary>
    public static string Norm(string s) =>
        string.Join(' ', s.Normalize(NormalizationForm.FormC).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The <c>must_not_contain</c> strings (at least <paramref name="minChars"/> long, and not part of the gold)
    /// found in the body.</summary>
    public static List<string> Leaks(ExtractedArticle article, string gold, JsonElement meta, int minChars = 0)
    {
        var body = Norm(article.Text);
        var goldFlat = Norm(gold);
        return meta.GetProperty("must_not_contain").EnumerateArray().Select(x => Norm(x.GetString()!))
            .Where(s => s.Length >= minChars && !goldFlat.Contains(s, StringComparison.Ordinal) && body.Contains(s, StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>No gold caption in the body, and every one in <c>images[]</c>.</summary>
    public static void AssertCaptionsAreMetadataNotBody(ExtractedArticle article, JsonElement meta)
    {
        var body = Norm(article.Text);
        var captions = meta.GetProperty("captions").EnumerateArray().Select(x => Norm(x.GetString()!)).ToList();

        Assert.DoesNotContain(captions, c => body.Contains(c, StringComparison.Ordinal));
        Assert.All(captions, c => Assert.Contains(article.Images, i => i.Caption is not null && Norm(i.Caption) == c));
    }
}
