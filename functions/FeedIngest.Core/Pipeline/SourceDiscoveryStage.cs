using FeedIngest.Core.Discovery;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

/// <summary>What discovery found for one source, and which of it needs work.</summary>
public sealed record SourceDiscovery(SourceDefinition Source, IReadOnlyList<DiscoveredArticle> Found, IReadOnlyList<ArticleMessage> Work, int AlreadyStored, IReadOnlyList<string> Errors)
{
    public bool Failed => Found.Count == 0 && Errors.Count > 0;
}

/// <summary>
/// Discovers a source's article URLs and decides which need a fetch: URLs not yet stored, URLs an earlier
/// run left pending or failed (a feed answering 304 will not name them again), and stored articles inside
/// the re-crawl window (FeedIngest:RecrawlDays) for a conditional re-check.
/// </summary>
public sealed class SourceDiscoveryStage(IArticleDiscoverer discoverer, UrlIndex urls, ArticleRepository articles, IOptions<FeedIngestOptions> options)
{
    /// <summary>A URL that failed this many times is left as failed (with its reason) instead of being retried every run.</summary>
    public const int MaxAttempts = 5;

    /// <param name="otherRunsMayBeInFlight">
    /// True on the queue path (Functions): a URL another run marked pending less than FeedIngest:PendingRequeueMinutes
    /// ago still has its message in the queue, so it is not queued again (runs overlap when a backlog outlasts the
    /// schedule). False in process (CLI), where a pending URL of another run means that run ended without finishing it.
    /// </param>
    public async Task<SourceDiscovery> DiscoverAsync(string runId, SourceDefinition source, CancellationToken cancellationToken, bool otherRunsMayBeInFlight = false)
    {
        var result = await discoverer.DiscoverAsync(source, urls, cancellationToken);
        var work = new List<ArticleMessage>();
        var alreadyStored = 0;
        var queued = new HashSet<string>(StringComparer.Ordinal);
        var inFlightSince = DateTimeOffset.UtcNow.AddMinutes(-options.Value.PendingRequeueMinutes);
        bool InFlight(UrlEntity row) => otherRunsMayBeInFlight && row.Status == UrlStatus.Pending && row.LastRunId != runId && row.LastAttemptAt > inFlightSince;
        foreach (var article in result.Articles.DistinctBy(a => a.Url.AbsoluteUri))
        {
            var known = await urls.GetAsync(source.Id, article.Url, cancellationToken);
            if (known is { Status: UrlStatus.Stored or UrlStatus.Duplicate })
            {
                alreadyStored++;
                continue;
            }
            if (known is not null && InFlight(known))
            {
                queued.Add(known.Url);
                continue;
            }
            if (known is null) await urls.MarkPendingAsync(source.Id, article.Url, runId, cancellationToken);
            work.Add(new ArticleMessage(runId, source.Id, article.Url.AbsoluteUri));
        }

        // What earlier runs could not finish, found or not by this discovery.
        queued.UnionWith(work.Select(w => w.Url));
        foreach (var status in new[] { UrlStatus.Pending, UrlStatus.Failed })
            await foreach (var row in urls.ListAsync(source.Id, status, cancellationToken))
                if (row.Attempts < MaxAttempts && !InFlight(row) && queued.Add(row.Url))
                    work.Add(new ArticleMessage(runId, source.Id, row.Url));
        await AddRecrawlsAsync(runId, source, work, queued, cancellationToken);
        return new SourceDiscovery(source, result.Articles, work, alreadyStored, result.Errors);
    }

    /// <summary>
    /// Stored articles published inside the re-crawl window and not checked for a while get a conditional
    /// re-fetch; taken from the table, not from discovery, so an unchanged (304) feed still re-checks them.
    /// </summary>
    private async Task AddRecrawlsAsync(string runId, SourceDefinition source, List<ArticleMessage> work, HashSet<string> queued, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RecrawlDays <= 0) return;
        var now = DateTimeOffset.UtcNow;
        var checkedBefore = now.AddHours(-Math.Max(0, settings.RecrawlIntervalHours));
        await foreach (var row in articles.ListAsync(source.Id, now.AddDays(-settings.RecrawlDays), null, cancellationToken))
            if (row is { Status: ArticleStatus.Stored, Url: { } url } && Max(row.FetchedAt, row.LastCheckedAt) <= checkedBefore && queued.Add(url))
                work.Add(new ArticleMessage(runId, source.Id, url, FetchMode.Recrawl));
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset? b) =>
        (a ?? DateTimeOffset.MinValue) > (b ?? DateTimeOffset.MinValue) ? a ?? DateTimeOffset.MinValue : b ?? DateTimeOffset.MinValue;
}
