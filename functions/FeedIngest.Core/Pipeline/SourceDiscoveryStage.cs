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
/// Discovers a source's article URLs and decides which need a fetch: URLs not yet stored, plus stored
/// articles inside the re-crawl window (FeedIngest:RecrawlDays) for a conditional re-check.
/// </summary>
public sealed class SourceDiscoveryStage(IArticleDiscoverer discoverer, UrlIndex urls, ArticleRepository articles, IOptions<FeedIngestOptions> options)
{
    public Task<SourceDiscovery> DiscoverAsync(string runId, SourceDefinition source, CancellationToken cancellationToken) =>
        DiscoverAsync(runId, source, conditional: true, cancellationToken);

    /// <param name="conditional">False on a retry: read every channel in full (see <see cref="IArticleDiscoverer"/>).</param>
    public async Task<SourceDiscovery> DiscoverAsync(string runId, SourceDefinition source, bool conditional, CancellationToken cancellationToken)
    {
        var result = await discoverer.DiscoverAsync(source, urls, conditional, cancellationToken);
        var recrawlSince = options.Value.RecrawlDays > 0 ? DateTimeOffset.UtcNow.AddDays(-options.Value.RecrawlDays) : (DateTimeOffset?)null;
        var work = new List<ArticleMessage>();
        var alreadyStored = 0;
        foreach (var article in result.Articles.DistinctBy(a => a.Url.AbsoluteUri))
        {
            var known = await urls.GetAsync(source.Id, article.Url, cancellationToken);
            if (known is not { Status: UrlStatus.Stored or UrlStatus.Duplicate })
            {
                work.Add(new ArticleMessage(runId, source.Id, article.Url.AbsoluteUri));
                continue;
            }
            alreadyStored++;
            if (recrawlSince is { } since && known.ArticleId is { } id
                && await articles.GetRowAsync(source.Id, id, cancellationToken) is { PublishedAtUtc: { } published } && published >= since)
                work.Add(new ArticleMessage(runId, source.Id, article.Url.AbsoluteUri, FetchMode.Recrawl));
        }
        return new SourceDiscovery(source, result.Articles, work, alreadyStored, result.Errors);
    }
}
