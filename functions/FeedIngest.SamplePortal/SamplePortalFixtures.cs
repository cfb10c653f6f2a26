using System.Text.Encodings.Web;
using System.Text.Json;
using FeedIngest.SamplePortal.Rendering;

namespace FeedIngest.SamplePortal;

/// <summary>
/// The expected extraction of every sample article in the shape of ../shared/samples/vn-portal/gold
/// (&lt;slug&gt;.txt: lead then paragraphs, one block per line; &lt;slug&gt;.json: metadata, captions, must_not_contain),
/// so the same scorer (tools/score_vn.py) and checks apply to the bundled portal.
/// </summary>
public static class SamplePortalFixtures
{
    public const string SourceId = "sample-portal";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The gold text file: the clean body and a final newline.</summary>
    public static string GoldText(SampleArticle article) => article.ExpectedText + "\n";

    /// <summary>The gold metadata file; keys as in the shared gold set (published, attribution, must_not_contain).</summary>
    public static string GoldJson(SampleArticle article)
    {
        var captions = article.Images.Select(i => i.Caption).ToList();
        var document = new Dictionary<string, object?>
        {
            ["page"] = article.Slug + ".html",
            ["family"] = article.Layout,
            ["encoding"] = "utf-8",
            ["url"] = article.CanonicalUrl,
            ["path"] = article.Path,
            ["title"] = article.Title,
            ["lead"] = article.Lead,
            ["published"] = VietnameseDates.Iso(article.PublishedAt),
            ["author"] = article.Author,
            ["attribution"] = article.SourceAttribution,
            ["category"] = article.Category,
            ["district"] = SiteChrome.District,
            ["source"] = SourceId,
            ["captions"] = captions,
            ["images"] = article.Images.Select(i => new Dictionary<string, string> { ["src"] = i.Src, ["caption"] = i.Caption }).ToList(),
            // Captions are listed on their own, as in the shared gold; every other page string that must stay out of the body is here.
            ["must_not_contain"] = article.BoilerplateStrings.Where(s => !captions.Contains(s)).Order(StringComparer.Ordinal).ToList(),
        };
        return JsonSerializer.Serialize(document, JsonOptions) + "\n";
    }

    /// <summary>Every fixture file name and its content.</summary>
    public static IReadOnlyDictionary<string, string> All() =>
        SamplePortalContent.Articles
            .SelectMany(a => new[] { (a.Slug + ".txt", GoldText(a)), (a.Slug + ".json", GoldJson(a)) })
            .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    /// <summary>Writes the fixtures into <paramref name="directory"/> (created when missing).</summary>
    public static void Export(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in All())
            File.WriteAllText(Path.Combine(directory, name), content, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
