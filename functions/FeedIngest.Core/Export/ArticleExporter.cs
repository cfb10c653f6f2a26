using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FeedIngest.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace FeedIngest.Core.Export;

public enum ExportFormat { Jsonl, Csv, Parquet }

/// <summary>Which stored articles to export: those whose date (publish date, else fetch date — the date of the blob path) is on or after <see cref="Since"/>.</summary>
public sealed record ExportRequest(DateTimeOffset Since, string? SourceId, ExportFormat Format);

/// <summary>One exported article: the row's metadata and the stored text (columns documented in docs/CONTRACT.md).</summary>
public sealed record ExportedArticle(
    string ArticleId, string SourceId, string? Url, string? CanonicalUrl, string? Title, string? PublishedAt, string? Author,
    string? Category, string? District, string? FetchedAt, int Version, string? ContentHash, string? ExtractorVersion, string? TextBlob, string Text);

/// <summary>
/// Streams stored articles out of storage as JSON Lines, CSV (RFC 4180) or Parquet. Memory stays constant:
/// rows are read page by page from table Articles, one text blob at a time, and Parquet is written in row
/// groups of <see cref="ParquetRowGroupSize"/> articles.
/// </summary>
public sealed class ArticleExporter(TableServiceClient tables, BlobServiceClient blobs)
{
    public const int ParquetRowGroupSize = 500;
    // The contract's JSON policy (relaxed escaping, camelCase), on one line per article.
    private static readonly JsonSerializerOptions JsonLine = new(ContractJson.Options) { WriteIndented = false };
    private readonly TableClient _articles = tables.GetTableClient(StorageNames.ArticlesTable);
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.ArticlesContainer);

    public static readonly string[] Columns =
        ["articleId", "sourceId", "url", "canonicalUrl", "title", "publishedAt", "author", "category", "district", "fetchedAt", "version", "contentHash", "extractorVersion", "textBlob", "text"];

    /// <summary>Writes the export to <paramref name="output"/>; returns how many articles were written.</summary>
    public async Task<int> ExportAsync(ExportRequest request, Stream output, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var articles = ReadAsync(request, cancellationToken);
        return request.Format switch
        {
            ExportFormat.Jsonl => await WriteJsonLinesAsync(articles, output, progress, cancellationToken),
            ExportFormat.Csv => await WriteCsvAsync(articles, output, progress, cancellationToken),
            _ => await WriteParquetAsync(articles, output, progress, cancellationToken),
        };
    }

    /// <summary>Stored articles in table order (source, then article id), each with its text.</summary>
    public async IAsyncEnumerable<ExportedArticle> ReadAsync(ExportRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var since = request.Since.UtcDateTime;
        var filter = TableClient.CreateQueryFilter($"Status eq {ArticleStatus.Stored} and (PublishedAtUtc ge {since} or FetchedAt ge {request.Since})");
        if (request.SourceId is { } source) filter = TableClient.CreateQueryFilter($"PartitionKey eq {source}") + " and " + filter;
        await foreach (var row in _articles.QueryAsync<ArticleEntity>(filter, maxPerPage: 200, cancellationToken: cancellationToken))
        {
            // The date of the blob path decides: an article with a publish date before `since` is out even if fetched later.
            var date = row.PublishedAtUtc ?? row.FetchedAt;
            if (date is null || date < request.Since || row.TextBlob is null) continue;
            var text = (await _container.GetBlobClient(row.TextBlob).DownloadContentAsync(cancellationToken)).Value.Content.ToString();
            yield return new ExportedArticle(row.RowKey, row.PartitionKey, row.Url, row.CanonicalUrl, row.Title, row.PublishedAt, row.Author,
                row.Category, row.District, row.FetchedAt?.ToString("O", CultureInfo.InvariantCulture), row.Version, row.ContentHash, row.ExtractorVersion, row.TextBlob, text);
        }
    }

    private static async Task<int> WriteJsonLinesAsync(IAsyncEnumerable<ExportedArticle> articles, Stream output, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var count = 0;
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await foreach (var article in articles)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(article, JsonLine).AsMemory(), cancellationToken);
            Report(progress, ++count);
        }
        return count;
    }

    private static async Task<int> WriteCsvAsync(IAsyncEnumerable<ExportedArticle> articles, Stream output, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var count = 0;
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', Columns));
        await foreach (var a in articles)
        {
            string?[] fields = [a.ArticleId, a.SourceId, a.Url, a.CanonicalUrl, a.Title, a.PublishedAt, a.Author, a.Category, a.District, a.FetchedAt,
                a.Version.ToString(CultureInfo.InvariantCulture), a.ContentHash, a.ExtractorVersion, a.TextBlob, a.Text];
            await writer.WriteLineAsync(string.Join(',', fields.Select(CsvField)).AsMemory(), cancellationToken);
            Report(progress, ++count);
        }
        return count;
    }

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.</summary>
    internal static string CsvField(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";

    private static async Task<int> WriteParquetAsync(IAsyncEnumerable<ExportedArticle> articles, Stream output, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var stringFields = Columns.Where(c => c != "version").ToDictionary(c => c, c => new DataField<string>(c));
        var version = new DataField<int>("version");
        var schema = new ParquetSchema(Columns.Select(c => c == "version" ? (Field)version : stringFields[c]).ToArray());
        var count = 0;
        await using var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: cancellationToken);
        var batch = new List<ExportedArticle>(ParquetRowGroupSize);
        await foreach (var article in articles)
        {
            batch.Add(article);
            Report(progress, ++count);
            if (batch.Count < ParquetRowGroupSize) continue;
            await WriteRowGroupAsync(writer, stringFields, version, batch, cancellationToken);
            batch.Clear();
        }
        if (batch.Count > 0 || count == 0) await WriteRowGroupAsync(writer, stringFields, version, batch, cancellationToken);
        return count;
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, Dictionary<string, DataField<string>> fields, DataField<int> version, List<ExportedArticle> batch, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        foreach (var column in Columns)
        {
            if (column == "version")
            {
                await group.WriteAsync<int>(version, batch.Select(a => a.Version).ToArray().AsMemory(), null, null, cancellationToken);
                continue;
            }
            Func<ExportedArticle, string?> value = column switch
            {
                "articleId" => a => a.ArticleId, "sourceId" => a => a.SourceId, "url" => a => a.Url, "canonicalUrl" => a => a.CanonicalUrl,
                "title" => a => a.Title, "publishedAt" => a => a.PublishedAt, "author" => a => a.Author, "category" => a => a.Category,
                "district" => a => a.District, "fetchedAt" => a => a.FetchedAt, "contentHash" => a => a.ContentHash,
                "extractorVersion" => a => a.ExtractorVersion, "textBlob" => a => a.TextBlob, _ => a => a.Text,
            };
            await group.WriteAsync(fields[column], batch.Select(value).ToArray()!, null);
        }
    }

    private static void Report(IProgress<int>? progress, int count)
    {
        if (count % 100 == 0) progress?.Report(count);
    }
}
