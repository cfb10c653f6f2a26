using System.Reflection;
using System.Text;
using System.Text.Json;
using FeedIngest.SamplePortal.Content;
using FeedIngest.SamplePortal.Rendering;

namespace FeedIngest.SamplePortal;

/// <summary>The articles of the bundled portal, read from the embedded Site/articles/*.json, and their rendered pages.</summary>
public static class SamplePortalContent
{
    /// <summary>The origin every canonical link uses, whatever host and port serve the pages.</summary>
    public const string CanonicalOrigin = "https://sample-portal.feedingest.dev";

    private static readonly Lazy<RenderedPortal> Portal = new(Build);

    /// <summary>All articles, newest first.</summary>
    public static IReadOnlyList<SampleArticle> Articles => Portal.Value.Articles;

    internal static RenderedPortal Rendered => Portal.Value;

    internal static Stream? OpenResource(string logicalName) =>
        typeof(SamplePortalContent).Assembly.GetManifestResourceStream(logicalName);

    private static RenderedPortal Build()
    {
        var assembly = typeof(SamplePortalContent).Assembly;
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip };
        var data = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Site/articles/", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => Load(assembly, n, options))
            .OrderByDescending(a => a.PublishedAt)
            .ToList();
        var site = new SiteChrome(data);

        var articles = new List<SampleArticle>();
        var pages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in data)
        {
            var page = a.Layout == "news" ? NewsArticlePage.Render(site, a) : GovArticlePage.Render(site, a);
            var path = SiteChrome.ArticlePath(a);
            pages[path] = page.ToString();
            var paragraphs = a.Body.SelectMany(b => b.BodyLines()).ToList();
            var body = string.Join('\n', (a.Lead is null ? [] : new[] { a.Lead }).Concat(paragraphs));
            // A boilerplate string that also occurs in the article text would make the "must not contain" check contradict itself.
            var boilerplate = page.Boilerplate
                .Select(s => s.Trim())
                .Where(s => s.Length > 0 && !body.Contains(s, StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var images = a.Body.Where(b => b.Img is not null).Select(b => new SampleImage(b.Img!, b.Caption ?? "")).ToList();
            articles.Add(new SampleArticle(a.Slug, path, a.Title, a.Lead, paragraphs, a.PublishedAt, a.Author, a.Source,
                a.Category, a.Layout, images, boilerplate));
        }
        return new RenderedPortal(site, articles, pages);
    }

    private static ArticleData Load(Assembly assembly, string name, JsonSerializerOptions options)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        var article = JsonSerializer.Deserialize<ArticleData>(stream, options)
            ?? throw new InvalidDataException($"{name}: empty article file");
        var texts = new[] { article.Title, article.Lead, article.Author, article.Source, article.Category }
            .Concat(article.Body.SelectMany(b => b.BodyLines().Append(b.Caption)));
        foreach (var text in texts)
            if (text is not null && !text.IsNormalized(NormalizationForm.FormC))
                throw new InvalidDataException($"{name}: text is not Unicode NFC: {text[..Math.Min(40, text.Length)]}");
        if (name != $"Site/articles/{article.Slug}.json")
            throw new InvalidDataException($"{name}: slug {article.Slug} does not match the file name");
        return article;
    }
}

/// <summary>The site's article list and the HTML of every article page, rendered once.</summary>
internal sealed record RenderedPortal(SiteChrome Site, IReadOnlyList<SampleArticle> Articles, IReadOnlyDictionary<string, string> ArticlePages);
