using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

/// <summary>
/// Table <c>ContentIndex</c> (PartitionKey sourceId, RowKey contentHash → ArticleId): exact duplicates within a source,
/// one point read per stored article, never a scan.
/// </summary>
public sealed class ContentIndex(TableServiceClient tables, ArticleRows rows, StorageInitializer storage)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.ContentIndexTable);

    /// <summary>The id of another stored article of the source with exactly this text, or null.</summary>
    public async Task<string?> FindDuplicateAsync(string sourceId, string contentHash, string articleId, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var hit = await _table.GetEntityIfExistsAsync<TableEntity>(sourceId, contentHash, cancellationToken: cancellationToken);
        if (!hit.HasValue || hit.Value!.GetString("ArticleId") is not { } other || other == articleId) return null;
        var otherRow = await rows.GetAsync(sourceId, other, cancellationToken);
        return otherRow is { Status: ArticleStatus.Stored } && otherRow.ContentHash == contentHash ? other : null;
    }

    public async Task RecordAsync(string sourceId, string contentHash, string articleId, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(sourceId, contentHash) { ["ArticleId"] = articleId }, TableUpdateMode.Replace, cancellationToken);
    }
}
