using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FeedIngest.Core.Storage;

/// <summary>What is stored for one attachment's bytes, whichever article linked them first (table <c>Attachments</c>).</summary>
public sealed record StoredAttachment(string Sha256, string ContentType, long Bytes, string Blob, string? TextBlob, int? Pages, string TextStatus, string? Reason, string ReaderVersion);

/// <summary>
/// Attachments' bytes and text in container <c>attachments</c>, named <c>{sourceId}/{articleId}/{sha256}.{ext}</c> and
/// <c>{sourceId}/{articleId}/{sha256}.txt</c> after the first article that linked them, and table <c>Attachments</c>
/// (PartitionKey sha256, RowKey "") that makes them content-addressed across articles: bytes seen before are neither
/// stored nor read again. The row is claimed first (state pending) and completed last, so a complete row means both
/// blobs are complete; a crash in between leaves a claim that the retry (or, once expired, anyone) takes over.
/// </summary>
public sealed class AttachmentStore(BlobServiceClient blobs, TableServiceClient tables, StorageInitializer storage)
{
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.AttachmentsContainer);
    private readonly TableClient _table = tables.GetTableClient(StorageNames.AttachmentsTable);

    public static string BlobName(string sourceId, string articleId, string sha256, string extension) => $"{sourceId}/{articleId}/{sha256}.{extension}";
    public static string TextBlobName(string sourceId, string articleId, string sha256) => $"{sourceId}/{articleId}/{sha256}.txt";

    /// <summary>The stored copy of these bytes, or null (one point read).</summary>
    public async Task<StoredAttachment?> FindAsync(string sha256, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(sha256, "", cancellationToken: cancellationToken);
        if (!row.HasValue) return null;
        var e = row.Value!;
        if (e.GetString("State") == PendingState) return null; // being stored by another delivery: not there yet
        return From(sha256, e);
    }

    private static StoredAttachment From(string sha256, TableEntity e) =>
        new StoredAttachment(sha256, e.GetString("ContentType") ?? "application/octet-stream", e.GetInt64("Bytes") ?? 0, e.GetString("Blob") ?? "",
            e.GetString("TextBlob"), e.GetInt32("Pages"), e.GetString("TextStatus") ?? "", e.GetString("Reason"), e.GetString("ReaderVersion") ?? "");

    private const string PendingState = "pending";
    /// <summary>How long a claim to store some bytes holds before another delivery may take it over (its owner died).</summary>
    private static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ClaimWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Stores the bytes once across articles and deliveries: the first claims the hash (a row in state pending, added
    /// only if absent), writes bytes and text, then completes the row; another article meeting the same bytes meanwhile
    /// waits for that row and gets the first copy's blobs back. A claim whose owner died expires and is taken over.
    /// </summary>
    /// <returns>What is stored for these bytes: <paramref name="attachment"/>, or the first copy.</returns>
    public async Task<StoredAttachment> SaveAsync(StoredAttachment attachment, byte[] bytes, string? text, Uri url, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var waitUntil = DateTimeOffset.UtcNow + ClaimWait;
        while (true)
        {
            var claim = new TableEntity(attachment.Sha256, "") { ["State"] = PendingState, ["Blob"] = attachment.Blob, ["ClaimedUntil"] = DateTimeOffset.UtcNow + ClaimDuration };
            try
            {
                await _table.AddEntityAsync(claim, cancellationToken);
                return await WriteAllAsync(attachment, bytes, text, url, cancellationToken);
            }
            catch (Azure.RequestFailedException e) when (e.Status == 409)
            {
            }
            var row = await _table.GetEntityIfExistsAsync<TableEntity>(attachment.Sha256, "", cancellationToken: cancellationToken);
            if (!row.HasValue) continue; // removed in between: claim again
            var current = row.Value!;
            if (current.GetString("State") != PendingState) return From(attachment.Sha256, current);
            // Our own claim (a retry of this article), or one whose owner died: taken over, with the row's ETag.
            if (current.GetString("Blob") == attachment.Blob || current.GetDateTimeOffset("ClaimedUntil") < DateTimeOffset.UtcNow)
            {
                try
                {
                    await _table.UpdateEntityAsync(claim, current.ETag, TableUpdateMode.Replace, cancellationToken);
                    return await WriteAllAsync(attachment, bytes, text, url, cancellationToken);
                }
                catch (Azure.RequestFailedException e) when (e.Status == 412)
                {
                    continue;
                }
            }
            if (DateTimeOffset.UtcNow > waitUntil)
                throw new InvalidOperationException($"Attachment {attachment.Sha256} is being stored by another delivery until {current.GetDateTimeOffset("ClaimedUntil"):O}; retry later.");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Bytes, then text (when there is one), then the completed row: the order that leaves nothing half.</summary>
    private async Task<StoredAttachment> WriteAllAsync(StoredAttachment attachment, byte[] bytes, string? text, Uri url, CancellationToken cancellationToken)
    {
        await storage.EnsureBlobsAsync(cancellationToken);
        var metadata = Metadata(url, attachment.ContentType, attachment.TextStatus);
        await _container.GetBlobClient(attachment.Blob).UploadAsync(new BinaryData(bytes), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = attachment.ContentType },
            Metadata = metadata,
        }, cancellationToken);
        await WriteTextAndRowAsync(attachment, text, metadata, cancellationToken);
        return attachment;
    }

    /// <summary>The stored bytes (reprocessing reads them instead of the network).</summary>
    public async Task<byte[]> ReadBytesAsync(string blob, CancellationToken cancellationToken)
    {
        var content = await _container.GetBlobClient(blob).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToArray();
    }

    public async Task<string?> ReadTextAsync(string textBlob, CancellationToken cancellationToken)
    {
        try
        {
            return (await _container.GetBlobClient(textBlob).DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>A new reading of stored bytes (reprocessing): the text blob (if any) and then the row are replaced.</summary>
    public async Task<StoredAttachment> UpdateReadingAsync(StoredAttachment attachment, string? text, Uri url, CancellationToken cancellationToken)
    {
        await storage.EnsureBlobsAsync(cancellationToken);
        await WriteTextAndRowAsync(attachment, text, Metadata(url, attachment.ContentType, attachment.TextStatus), cancellationToken);
        return attachment;
    }

    private async Task WriteTextAndRowAsync(StoredAttachment attachment, string? text, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (text is not null && attachment.TextBlob is not null)
        {
            await _container.GetBlobClient(attachment.TextBlob).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(text)), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" },
                Metadata = metadata,
            }, cancellationToken);
        }
        await storage.EnsureTablesAsync(cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(attachment.Sha256, "")
        {
            ["ContentType"] = attachment.ContentType, ["Bytes"] = attachment.Bytes, ["Blob"] = attachment.Blob, ["TextBlob"] = attachment.TextBlob,
            ["Pages"] = attachment.Pages, ["TextStatus"] = attachment.TextStatus, ["Reason"] = StorageLimits.Cap(attachment.Reason, 4_000),
            ["ReaderVersion"] = attachment.ReaderVersion,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    private static Dictionary<string, string> Metadata(Uri url, string contentType, string textStatus)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["textstatus"] = textStatus };
        // Blob metadata is ASCII only; a URL that is not (an IRI) is left out rather than mangled.
        if (IsAscii(url.AbsoluteUri) && url.AbsoluteUri.Length <= 2_000) metadata["url"] = url.AbsoluteUri;
        if (IsAscii(contentType)) metadata["contenttype"] = contentType;
        return metadata;
    }

    private static bool IsAscii(string s) => s.All(c => c is >= ' ' and <= '~');
}
