using System.Collections.Concurrent;
using System.Net;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Fetching;

/// <summary>The validators a server gave for a URL last time, sent back as If-None-Match / If-Modified-Since.</summary>
public sealed record ConditionalState(string? ETag, DateTimeOffset? LastModified);

/// <summary>Conditional-GET state of discovery channels (feeds, listing pages, sitemaps, home pages).</summary>
public interface IFetchStateStore
{
    Task<ConditionalState?> GetAsync(Uri url, CancellationToken cancellationToken);
    Task SaveAsync(Uri url, ConditionalState state, CancellationToken cancellationToken);
}

/// <summary>Per-process state, used when no TableServiceClient is registered (unit tests, a bare CLI).</summary>
public sealed class InMemoryFetchStateStore : IFetchStateStore
{
    private readonly ConcurrentDictionary<string, ConditionalState> _states = new(StringComparer.Ordinal);

    public Task<ConditionalState?> GetAsync(Uri url, CancellationToken cancellationToken) =>
        Task.FromResult(_states.TryGetValue(url.AbsoluteUri, out var s) ? s : null);

    public Task SaveAsync(Uri url, ConditionalState state, CancellationToken cancellationToken)
    {
        _states[url.AbsoluteUri] = state;
        return Task.CompletedTask;
    }
}

/// <summary>
/// One row per URL in table "FetchState": PartitionKey = host, RowKey = the URL's 16-hex id (same hash as article
/// ids, so a row can be found from the URL alone); the URL itself is stored for people reading the table.
/// </summary>
public sealed class TableFetchStateStore(TableServiceClient tables, string tableName, Storage.StorageInitializer storage) : IFetchStateStore
{
    private readonly TableClient _table = tables.GetTableClient(tableName);

    public async Task<ConditionalState?> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(
            PartitionFor(url), UrlCanonicalizer.ArticleId(url.AbsoluteUri), cancellationToken: cancellationToken);
        if (!row.HasValue) return null;
        var e = row.Value!;
        return new ConditionalState(e.GetString("ETag"), e.GetDateTimeOffset("LastModified"));
    }

    public async Task SaveAsync(Uri url, ConditionalState state, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var entity = new TableEntity(PartitionFor(url), UrlCanonicalizer.ArticleId(url.AbsoluteUri))
        {
            ["Url"] = url.AbsoluteUri,
            ["ETag"] = state.ETag,
            ["LastModified"] = state.LastModified,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    private static string PartitionFor(Uri url) => url.Authority.ToLowerInvariant();

    // Created with the others by StorageInitializer (once per process; a completed task after that).
    private Task EnsureTableAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);
}
