using FeedIngest.Core.Common;
using System.Globalization;

namespace FeedIngest.Core.Storage;

/// <summary>Blob names of the documented layout (DESIGN.md, docs/CONTRACT.md).</summary>
public static class ArticleBlobPaths
{
    private static readonly TimeSpan VietnamOffset = VietnamTime.Offset;

    /// <summary><c>{sourceId}/{yyyy}/{MM}/{dd}/{articleId}</c>: the date is the publish date in Vietnam time, else the fetch date.</summary>
    public static string Stem(string sourceId, string articleId, DateTimeOffset? publishedAt, DateTimeOffset fetchedAt)
    {
        var day = (publishedAt ?? fetchedAt).ToOffset(VietnamOffset);
        return string.Create(CultureInfo.InvariantCulture, $"{sourceId}/{day:yyyy}/{day:MM}/{day:dd}/{articleId}");
    }

    public static string Text(string stem) => stem + ".txt";
    public static string Json(string stem) => stem + ".json";

    /// <summary>Previous versions of an article's text are kept under <c>versions/</c>.</summary>
    public static string Version(string sourceId, string articleId, int version, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"versions/{sourceId}/{articleId}/v{version}{extension}");

    /// <summary>Raw archive, content-addressed so an identical refetch writes nothing.</summary>
    public static string Raw(string sourceId, string articleId, string rawHash) => $"{sourceId}/{articleId}/{rawHash[..16]}.html.gz";
}
