using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues.Models;
using FeedIngest.Core.Storage;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>Reads what the pipeline left in storage, straight from the account (not through the app's classes).</summary>
public sealed class StoredState(string connectionString)
{
    public async Task<List<T>> RowsAsync<T>(string table) where T : class, ITableEntity, new()
    {
        var client = new TableClient(connectionString, table);
        await client.CreateIfNotExistsAsync();
        var rows = new List<T>();
        await foreach (var row in client.QueryAsync<T>()) rows.Add(row);
        return rows;
    }

    public async Task<Dictionary<string, BlobSnapshot>> BlobsAsync(string container = StorageNames.ArticlesContainer)
    {
        var client = new BlobContainerClient(connectionString, container);
        var blobs = new Dictionary<string, BlobSnapshot>(StringComparer.Ordinal);
        if (!await client.ExistsAsync()) return blobs;
        await foreach (var blob in client.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.Metadata))
            blobs[blob.Name] = new BlobSnapshot(blob.Name, blob.Properties.ETag?.ToString() ?? "", blob.Metadata);
        return blobs;
    }

    public async Task<string> BlobTextAsync(string name, string container = StorageNames.ArticlesContainer) =>
        (await new BlobContainerClient(connectionString, container).GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();

    /// <summary>The article-events messages, left on the queue (peeked, up to 32).</summary>
    public async Task<List<(ArticleEvent Event, string Json)>> EventsAsync()
    {
        var queue = new Azure.Storage.Queues.QueueClient(connectionString, StorageNames.ArticleEventsQueue,
            new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        if (!await queue.ExistsAsync()) return [];
        PeekedMessage[] messages = await queue.PeekMessagesAsync(32);
        return messages.Select(m => (JsonSerializer.Deserialize<ArticleEvent>(m.Body.ToString(), ContractJson.Options)!, m.Body.ToString())).ToList();
    }
}

public sealed record BlobSnapshot(string Name, string ETag, IDictionary<string, string> Metadata);
