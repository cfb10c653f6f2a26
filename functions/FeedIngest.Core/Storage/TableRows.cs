using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

/// <summary>Read-modify-write of one table row that many instances update at once (run and job counters).</summary>
public static class TableRows
{
    /// <summary>Applies <paramref name="change"/> to the row and writes it with its ETag, re-reading and retrying on 412.</summary>
    public static async Task MutateAsync<T>(TableClient table, string partitionKey, string rowKey, Action<T> change, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        for (var attempt = 0; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
            var row = found.HasValue ? found.Value! : throw new InvalidOperationException($"Row {partitionKey}/{rowKey} of table {table.Name} does not exist.");
            change(row);
            try
            {
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 50)
            {
                await Task.Delay(Random.Shared.Next(5, 50), cancellationToken);
            }
        }
    }

    /// <summary>Appends lines to a text column, keeping the newest when it would outgrow a table property (64 KiB).</summary>
    public static string? AppendLines(string? existing, IReadOnlyCollection<string>? lines, int maxChars = 30_000)
    {
        if (lines is null || lines.Count == 0) return existing;
        var text = string.IsNullOrEmpty(existing) ? string.Join('\n', lines) : existing + "\n" + string.Join('\n', lines);
        return text.Length <= maxChars ? text : "…" + text[^(maxChars - 1)..];
    }
}
