using FeedIngest.Core.Common;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

/// <summary>What discovery found for one source, and which of it needs work.</summary>
public sealed record SourceDiscovery(SourceDefinition Source, IReadOnlyList<DiscoveredArticle> Found, IReadOnlyList<ArticleMessage> Work, int AlreadyStored, IReadOnlyList<string> Errors)
{
    /// <summary>The cause of each of <see cref="Errors"/>, index for index (Other where none was given).</summary>
    public IReadOnlyList<Fetching.FailureCause> ErrorCauses { get; init; } = [];

    public bool Failed => Found.Count == 0 && Errors.Count > 0;

    public Fetching.FailureCause CauseOf(int index) => index < ErrorCauses.Count ? ErrorCauses[index] : Fetching.FailureCause.Other;

    /// <summary>One line per failed channel or note, for the run row and the console: "source: [cause] channel url: reason" (notes have no cause).</summary>
    public List<string> ErrorLines() =>
        Errors.Select((e, i) => CauseOf(i) == Fetching.FailureCause.None ? $"{Source.Id}: {e}" : $"{Source.Id}: [{Fetching.FailureCauses.Name(CauseOf(i))}] {e}").ToList();

    /// <summary>Failures by cause name (notes without a cause are not failures).</summary>
    public IReadOnlyDictionary<string, int> FailuresByCause() =>
        Errors.Select((_, i) => CauseOf(i)).Where(c => c != Fetching.FailureCause.None)
            .GroupBy(Fetching.FailureCauses.Name).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public RunCounts CauseCounts() => new() { FailuresByCause = FailuresByCause() };

    /// <summary>Re-queue work over the run's cap, left for the next run.</summary>
    public int Deferred { get; init; }
    /// <summary>URLs refused at the edge (too long to record or queue), recorded skipped with the reason.</summary>
    public int Skipped { get; init; }

    public SourceRunSummary ToSummary(string runId, int unchangedArchive = 0) => new(Source.Id, Found.Count, AlreadyStored, Work.Count, Deferred,
        ErrorLines(), Failed, unchangedArchive) { Skipped = Skipped, FailuresByCause = FailuresByCause() };
}

/// <summary>
/// Discovers a source's article URLs and decides which need a fetch: URLs not yet stored, URLs an earlier
/// run left pending or failed (a feed answering 304 will not name them again), and stored articles inside
/// the re-crawl window (FeedIngest:RecrawlDays) for a conditional re-check. Re-queued work is capped per run
/// (FeedIngest:MaxRequeuedPerSource); permanent failures wait FeedIngest:PermanentRetryDays.
/// </summary>
public sealed class SourceDiscoveryStage(IArticleDiscoverer discoverer, UrlIndex urls, ArticleRepository articles, IOptions<FeedIngestOptions> options)
{
    /// <summary>A URL that failed this many times is left as failed (with its reason) instead of being retried every run.</summary>
    public const int MaxAttempts = UrlIndex.MaxAttempts;
    /// <summary>
    /// Articles from before the article index that one run of a source indexes (2 writes each, 8 in flight: seconds);
    /// 100,000 such articles take 20 runs.
    /// </summary>
    public const int IndexBackfillPerRun = 5_000;

    /// <param name="otherRunsMayBeInFlight">
    /// True on the queue path (Functions): a URL another run marked pending less than FeedIngest:PendingRequeueMinutes
    /// ago still has its message in the queue, so it is not queued again (runs overlap when a backlog outlasts the
    /// schedule). False in process (CLI), where a pending URL of another run means that run ended without finishing it.
    /// </param>
    public async Task<SourceDiscovery> DiscoverAsync(string runId, SourceDefinition source, CancellationToken cancellationToken, bool otherRunsMayBeInFlight = false)
    {
        var result = await discoverer.DiscoverAsync(source, urls, cancellationToken);
        var work = new List<ArticleMessage>();
        var errors = new List<string>(result.Errors);
        var causes = result.Errors.Select((_, i) => i < result.ErrorCauses.Count ? result.ErrorCauses[i] : Fetching.FailureCause.Other).ToList();
        var queued = new HashSet<string>(StringComparer.Ordinal); // by URL id: two spellings of one URL are one piece of work
        var skipped = 0;
        var candidates = new List<Uri>();
        var inFlightSince = DateTimeOffset.UtcNow.AddMinutes(-options.Value.PendingRequeueMinutes);
        bool InFlight(UrlEntity row) => otherRunsMayBeInFlight && row.Status == UrlStatus.Pending && row.LastRunId != runId && row.LastAttemptAt > inFlightSince;
        foreach (var article in result.Articles)
        {
            if (article.Url.AbsoluteUri.Length > StorageLimits.MaxUrlChars)
            {
                // Sitemaps protocol: under 2,048 characters. Recorded skipped (with a shortened URL), never queued.
                skipped++;
                await urls.RecordAsync(source.Id, article.Url, UrlStatus.Skipped, $"URL longer than {StorageLimits.MaxUrlChars} characters ({article.Url.AbsoluteUri.Length})",
                    null, runId, cancellationToken, cause: Fetching.FailureCause.UrlTooLong);
                causes.Add(Fetching.FailureCause.UrlTooLong);
                errors.Add($"skipped a URL of {article.Url.AbsoluteUri.Length} characters: {article.Url.AbsoluteUri[..120]}…");
                continue;
            }
            if (queued.Add(UrlIndex.Key(article.Url))) candidates.Add(article.Url);
        }

        // Known or new: point reads for a few URLs, the source's partition read in pages for many (UrlIndex.FindKnownAsync).
        var knownRows = await urls.FindKnownAsync(source.Id, candidates, cancellationToken);
        var known = candidates.Select(url => knownRows.GetValueOrDefault(UrlIndex.Key(url))).ToArray();
        var alreadyStored = 0;
        var fresh = new List<Uri>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (known[i] is { Status: UrlStatus.Stored or UrlStatus.Duplicate }) { alreadyStored++; continue; }
            if (known[i] is { Permanent: true } row && !DueForRetry(row)) continue;
            if (known[i] is { } pending && InFlight(pending)) continue; // its message from another run is still queued
            if (known[i] is null) fresh.Add(candidates[i]);
            work.Add(new ArticleMessage(runId, source.Id, candidates[i].AbsoluteUri));
        }
        await urls.MarkPendingManyAsync(source.Id, fresh, runId, cancellationToken);

        // What earlier runs could not finish, found or not by this discovery — up to the run's cap.
        var budget = Math.Max(0, options.Value.MaxRequeuedPerSource);
        var deferred = 0;
        void Requeue(string url, string mode)
        {
            if (!queued.Add(UrlIndex.Key(new Uri(url)))) return;
            if (budget-- > 0) work.Add(new ArticleMessage(runId, source.Id, url, mode));
            else deferred++;
        }
        // Read from the source's work markers (UrlIndex.OpenWorkAsync): what is open, never the stored archive. Pending first.
        var failed = new List<string>();
        await foreach (var row in urls.OpenWorkAsync(source.Id, cancellationToken))
            if (row.Attempts < MaxAttempts && (!row.Permanent || DueForRetry(row)) && !InFlight(row) && row.Url.Length <= StorageLimits.MaxUrlChars)
            {
                if (row.Status == UrlStatus.Pending) Requeue(row.Url, FetchMode.Harvest);
                else failed.Add(row.Url);
            }
        foreach (var url in failed)
            Requeue(url, FetchMode.Harvest);
        // An upgrade from a version without the article index: its articles join the index (bounded per run) before the
        // re-crawl window, which is read from it, is taken. Done sources cost one point read.
        await articles.IndexArticlesStoredBeforeTheIndexAsync(source.Id, IndexBackfillPerRun, cancellationToken);
        await foreach (var url in RecrawlsAsync(source, cancellationToken))
            Requeue(url, FetchMode.Recrawl);
        if (deferred > 0)
        {
            errors.Add($"{deferred} URL(s) over the re-queue cap ({options.Value.MaxRequeuedPerSource} per run) left for the next run");
            causes.Add(Fetching.FailureCause.None);
        }
        return new SourceDiscovery(source, result.Articles, work, alreadyStored, errors) { ErrorCauses = causes, Deferred = deferred, Skipped = skipped };
    }

    private bool DueForRetry(UrlEntity row) =>
        row.LastAttemptAt is not { } last || last <= DateTimeOffset.UtcNow.AddDays(-Math.Max(0, options.Value.PermanentRetryDays));

    /// <summary>
    /// Stored articles published inside the re-crawl window and not checked for a while get a conditional
    /// re-fetch; taken from the day index (one query over the window's day partitions), not from discovery, so an
    /// unchanged (304) feed still re-checks them, and not from a scan of the source's articles. A day row written
    /// before it carried the URL and the last check is completed from the article's row.
    /// </summary>
    private async IAsyncEnumerable<string> RecrawlsAsync(SourceDefinition source, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RecrawlDays <= 0) yield break;
        var now = DateTimeOffset.UtcNow;
        var since = now.AddDays(-settings.RecrawlDays);
        var checkedBefore = now.AddHours(-Math.Max(0, settings.RecrawlIntervalHours));
        // A day of slack past today: a publish time a little ahead of the clock is still in the window.
        await foreach (var day in articles.ListPublishedAsync(source.Id, VietnamTime.Day(since), VietnamTime.Day(now).AddDays(1), cancellationToken))
        {
            if (day.Status != ArticleStatus.Stored || day.PublishedAtUtc < since) continue;
            if (day is { Url: { } url, CheckedAt: { } checkedAt })
            {
                if (checkedAt <= checkedBefore) yield return url;
            }
            else if (await articles.GetRowAsync(source.Id, day.ArticleId, cancellationToken) is { Status: ArticleStatus.Stored, Url: { } rowUrl } row
                && (row.LastSeenAt() ?? DateTimeOffset.MinValue) <= checkedBefore)
                yield return rowUrl;
        }
    }
}
