using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FeedIngest.HostTests.Infrastructure;

/// <summary>What a consumer or an operator sees in storage (docs/CONTRACT.md), read with the plain Azure SDK.</summary>
public sealed class StorageView(string connectionString)
{
    private readonly TableServiceClient _tables = new(connectionString);
    private readonly QueueServiceClient _queues = new(connectionString);
    private readonly BlobServiceClient _blobs = new(connectionString);

    public async Task<List<TableEntity>> RowsAsync(string table)
    {
        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in _tables.GetTableClient(table).QueryAsync<TableEntity>()) rows.Add(row);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        return rows;
    }

    /// <summary>Stored articles (Articles rows with status stored).</summary>
    public async Task<List<TableEntity>> StoredArticlesAsync() =>
        (await RowsAsync("Articles")).Where(r => r.GetString("Status") == "stored").ToList();

    /// <summary>
    /// Timer runs, oldest first, as their header rows say (docs/CONTRACT.md "Runs"): counts are frozen there when the app
    /// finalizes a run (at the next timer occurrence), so a header that is no longer "running" was settled by the app.
    /// </summary>
    public async Task<List<TableEntity>> TimerRunsAsync() =>
        (await RowsAsync("Runs")).Where(r => r.PartitionKey == "runs" && (r.GetString("RunId") ?? "").EndsWith("-timer", StringComparison.Ordinal))
            .OrderBy(r => r.GetDateTimeOffset("StartedAt")).ToList();

    /// <summary>Every timer run with its state and counts, for failure messages.</summary>
    public async Task<string> DescribeRunsAsync() => string.Join('\n', (await TimerRunsAsync()).Select(r =>
        $"{r.GetString("RunId")} {r.GetString("State")} started {r.GetDateTimeOffset("StartedAt"):HH:mm:ss.fff} ended {r.GetDateTimeOffset("EndedAt"):HH:mm:ss.fff} " +
        string.Join(" ", new[] { "Discovered", "AlreadyStored", "Queued", "Stored", "Updated", "Unchanged", "Duplicates", "Skipped", "Failed", "SourcesDone" }.Select(c => $"{c}={r.GetInt32(c)}")) +
        $" errors: {r.GetString("Errors")}"));

    /// <summary>Message bodies (decoded from Base64, as the app writes them) without taking them.</summary>
    public async Task<List<string>> PeekAsync(string queue)
    {
        var client = _queues.GetQueueClient(queue);
        if (!await client.ExistsAsync()) return [];
        var messages = await client.PeekMessagesAsync(32);
        return messages.Value.Select(m => Decode(m.Body.ToString())).ToList();
    }

    public async Task<int> ApproximateCountAsync(string queue)
    {
        var client = _queues.GetQueueClient(queue);
        return await client.ExistsAsync() ? (await client.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    /// <summary>Sends a message as the app's queues expect it (Base64, host.json messageEncoding).</summary>
    public async Task SendAsync(string queue, string body)
    {
        var client = _queues.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(body)));
    }

    public async Task<List<string>> BlobNamesAsync(string container)
    {
        var client = _blobs.GetBlobContainerClient(container);
        var names = new List<string>();
        if (!await client.ExistsAsync()) return names;
        await foreach (var blob in client.GetBlobsAsync()) names.Add(blob.Name);
        return names;
    }

    private static string Decode(string body)
    {
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(body)); }
        catch (FormatException) { return body; }
    }
}
