using FeedIngest.Core.Common;
using System.IO.Compression;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Storage;

/// <summary>A fetched page as archived: the bytes and the response facts needed to decode them again.</summary>
public sealed record RawPage(string BlobName, Uri Url, byte[] Body, string? ContentType, DateTimeOffset FetchedAt, string? ETag, string? LastModified);

/// <summary>The fetched bytes, gzipped, in container <c>raw</c>, with the response headers as blob metadata.</summary>
public sealed class RawArchive(BlobServiceClient blobs, StorageInitializer storage)
{
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.RawContainer);

    public async Task<string> ArchiveAsync(string sourceId, string articleId, FetchResult fetch, DateTimeOffset fetchedAt, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        var name = ArticleBlobPaths.Raw(sourceId, articleId, Convert.ToHexStringLower(SHA256.HashData(fetch.Body)));
        var blob = _container.GetBlobClient(name);
        using var gz = new MemoryStream(Gzip.Compress(fetch.Body));
        var metadata = new Dictionary<string, string>
        {
            ["url"] = (fetch.FinalUrl ?? fetch.RequestedUrl).AbsoluteUri,
            ["fetchedat"] = fetchedAt.ToString("O"),
            ["statuscode"] = fetch.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        AddAscii(metadata, "contenttype", fetch.ContentType);
        AddAscii(metadata, "etag", fetch.ETag);
        AddAscii(metadata, "lastmodified", fetch.LastModified?.ToString("R"));
        AddAscii(metadata, "charset", fetch.Charset);
        try
        {
            // Content-addressed: if the same bytes are already archived, there is nothing to write.
            await blob.UploadAsync(gz, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "text/html", ContentEncoding = "gzip" },
                Metadata = metadata,
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
        }
        return name;
    }

    public async Task<RawPage> ReadAsync(string blobName, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(blobName);
        var download = await blob.DownloadContentAsync(cancellationToken);
        var metadata = download.Value.Details.Metadata;
        var body = await Gzip.DecompressAsync(download.Value.Content.ToStream(), cancellationToken);
        metadata.TryGetValue("url", out var url);
        metadata.TryGetValue("contenttype", out var contentType);
        metadata.TryGetValue("fetchedat", out var fetchedAt);
        metadata.TryGetValue("etag", out var etag);
        metadata.TryGetValue("lastmodified", out var lastModified);
        return new RawPage(blobName, new Uri(url ?? "about:blank"), body, contentType,
            DateTimeOffset.TryParse(fetchedAt, out var at) ? at : download.Value.Details.LastModified, etag, lastModified);
    }

    private Task EnsureContainerAsync(CancellationToken cancellationToken) => storage.EnsureBlobsAsync(cancellationToken);

    private static void AddAscii(Dictionary<string, string> metadata, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value) && value.All(c => c is >= ' ' and <= '~')) metadata[key] = value;
    }
}
