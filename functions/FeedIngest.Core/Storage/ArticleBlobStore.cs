using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FeedIngest.Core.Storage;

/// <summary>Container <c>articles</c>: an article's .txt and .json blobs, and its previous versions under <c>versions/</c>.</summary>
public sealed class ArticleBlobStore(BlobServiceClient blobs, StorageInitializer storage)
{
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.ArticlesContainer);

    public async Task<string> ReadAsync(string blobName, CancellationToken cancellationToken)
    {
        var content = await _container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToString();
    }

    /// <summary>The stored document, or null when its blob is gone (or does not parse).</summary>
    public async Task<ArticleDocument?> TryReadDocumentAsync(string jsonBlob, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient(jsonBlob).DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize<ArticleDocument>(content.Value.Content, ContractJson.Options);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the current text and document (metadata: schemaVersion, extractorVersion, contentHash).</summary>
    public async Task WriteAsync(ArticleDocument document, string textBlob, string jsonBlob, CancellationToken cancellationToken)
    {
        await storage.EnsureBlobsAsync(cancellationToken);
        var metadata = new Dictionary<string, string>
        {
            ["schemaVersion"] = document.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["extractorVersion"] = document.ExtractorVersion,
            ["contentHash"] = document.ContentHash,
        };
        await _container.GetBlobClient(textBlob).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(document.Text)), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" },
            Metadata = metadata,
        }, cancellationToken);
        await _container.GetBlobClient(jsonBlob).UploadAsync(new BinaryData(JsonSerializer.SerializeToUtf8Bytes(document, ContractJson.Options)), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" },
            Metadata = metadata,
        }, cancellationToken);
    }

    /// <summary>Copies the row's current blobs to <c>versions/</c>; deletes them when the new version lives under another name.</summary>
    public async Task KeepPreviousVersionAsync(ArticleEntity previous, string newTextBlob, string newJsonBlob, CancellationToken cancellationToken)
    {
        await storage.EnsureBlobsAsync(cancellationToken);
        foreach (var (blobName, extension, replacement) in new[] { (previous.TextBlob!, ".txt", newTextBlob), (previous.JsonBlob!, ".json", newJsonBlob) })
        {
            var source = _container.GetBlobClient(blobName);
            var target = _container.GetBlobClient(ArticleBlobPaths.Version(previous.PartitionKey, previous.RowKey, previous.Version, extension));
            if (!await source.ExistsAsync(cancellationToken)) continue;
            var content = await source.DownloadContentAsync(cancellationToken);
            await target.UploadAsync(content.Value.Content, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = content.Value.Details.ContentType },
                Metadata = content.Value.Details.Metadata,
            }, cancellationToken);
            // The publish date may have moved the article to another day's folder.
            if (blobName != replacement) await source.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
