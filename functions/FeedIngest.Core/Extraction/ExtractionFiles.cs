using FeedIngest.Core.Common;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Extraction;

/// <summary>Saved pages on disk (<c>.html</c>, <c>.html.gz</c>) and the JSON form of an extraction, for the CLI and reprocessing tools.</summary>
public static class ExtractionFiles
{
    public static JsonSerializerOptions Json => ContractJson.Options;

    public static bool IsPageFile(string path) =>
        path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".html.gz", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file name without <c>.html</c> / <c>.html.gz</c>.</summary>
    public static string PageName(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var suffix in new[] { ".html.gz", ".html", ".htm" })
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return name[..^suffix.Length];
        return name;
    }

    /// <summary>Reads and decodes a saved page (gzip when the name ends in .gz), charset detected as for fetched pages.</summary>
    public static async Task<DecodedText> ReadPageAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            await using var file = File.OpenRead(path);
            bytes = await Gzip.DecompressAsync(file, cancellationToken).ConfigureAwait(false);
        }
        else bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return CharsetDecoder.Decode(bytes);
    }

    /// <summary>The extraction document: the article document's extraction fields (camelCase, publishedAt with offset).</summary>
    public static string ToJson(ExtractedArticle article, string? url) => JsonSerializer.Serialize(new
    {
        url,
        canonicalUrl = article.CanonicalUrl,
        title = article.Title,
        lead = article.Lead,
        publishedAt = article.PublishedAt is { } published ? ContractJson.FormatTimestamp(published) : null,
        author = article.Author,
        sourceAttribution = article.SourceAttribution,
        category = article.Category,
        language = article.Language,
        images = article.Images.Select(i => new { src = i.Src, caption = i.Caption }),
        text = article.Text,
        truncated = article.Truncated,
        extractorVersion = ArticleExtractor.Version,
    }, Json);
}
