using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Discovery;

/// <summary>
/// Finds a source's article URLs, channel by channel (the order is the order of trust in titles and dates):
/// 1. feeds — configured, else announced by the home page's &lt;link rel="alternate"&gt;;
/// 2. listing pages — with paging (next link or page template), stopping at a page that holds only known URLs;
/// 3. sitemaps — configured and robots.txt "Sitemap:" lines, through sitemap indexes, news dates included.
/// Every channel is fetched conditionally (ETag / Last-Modified); a 304 yields nothing from that channel.
/// A failing channel is recorded in <see cref="DiscoveryResult.Errors"/> and the others still run.
/// </summary>
public sealed partial class ArticleDiscoverer(
    IPageFetcher fetcher,
    IFetchStateStore fetchState,
    IRobotsTxtCache robots,
    IOptions<DiscoveryOptions> discoveryOptions,
    IOptions<FetchingOptions> fetchingOptions,
    ILogger<ArticleDiscoverer> logger) : IArticleDiscoverer
{
    private readonly DiscoveryOptions _options = discoveryOptions.Value;
    private readonly FetchingOptions _fetching = fetchingOptions.Value;

    public async Task<DiscoveryResult> DiscoverAsync(SourceDefinition source, IKnownArticles known, CancellationToken cancellationToken)
    {
        var run = new DiscoveryRun(source, new ArticleUrlRules(source), known, _options.MaxArticlesPerSource);

        // 1. Feeds.
        var feeds = source.Feeds.Select(f => new Uri(f)).ToList();
        if (feeds.Count == 0 && source.DiscoverFeeds) feeds = await FindFeedsOnHomePageAsync(run, cancellationToken);
        foreach (var feed in feeds)
        {
            if (run.Full) break;
            await DiscoverFromFeedAsync(run, feed, cancellationToken);
        }

        // 2. Listing pages.
        foreach (var listing in source.Listings)
        {
            if (run.Full) break;
            await DiscoverFromListingAsync(run, listing, cancellationToken);
        }

        // 3. Sitemaps.
        var sitemaps = source.Sitemaps.Select(s => new Uri(s)).ToList();
        if (source.UseRobotsSitemaps && Uri.TryCreate(source.BaseUrl, UriKind.Absolute, out var baseUrl))
        {
            var robotsTxt = await robots.GetAsync(baseUrl, Politeness(source), source.AllHosts().ToList(), cancellationToken);
            foreach (var announced in robotsTxt.Sitemaps.Select(s => new Uri(s)))
            {
                // A robots.txt may only point at sitemaps on the source's own hosts: it is no way off the source.
                if (!run.Rules.IsOwnHost(announced)) LogForeignSitemap(logger, source.Id, announced);
                else if (!sitemaps.Any(k => k.AbsoluteUri == announced.AbsoluteUri)) sitemaps.Add(announced);
            }
        }
        foreach (var sitemap in sitemaps)
        {
            if (run.Full) break;
            await DiscoverFromSitemapAsync(run, sitemap, depth: 0, cancellationToken);
        }

        LogDiscovered(logger, source.Id, run.Articles.Count, run.Errors.Count);
        return new DiscoveryResult(run.Articles, run.Errors) { ErrorCauses = run.Causes };
    }

    private async Task<List<Uri>> FindFeedsOnHomePageAsync(DiscoveryRun run, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(run.Source.BaseUrl, UriKind.Absolute, out var home)) return [];
        // Not conditional: a 304 would leave us without the feed list, and it is one request per run.
        var result = await fetcher.FetchAsync(Request(run.Source, home, acceptXml: false), cancellationToken);
        if (result.Outcome != FetchOutcome.Ok || result.Text is null)
        {
            run.Fail($"home page {home}: {Describe(result)}", Cause(result));
            return [];
        }
        return ListingPageParser.FeedLinks(result.Text, result.FinalUrl ?? home).Where(run.Rules.IsOwnHost).ToList();
    }

    private async Task DiscoverFromFeedAsync(DiscoveryRun run, Uri feed, CancellationToken cancellationToken)
    {
        var result = await FetchChannelAsync(run, feed, acceptXml: true, cancellationToken);
        if (result.Outcome == FetchOutcome.NotModified) return;
        if (result.Outcome != FetchOutcome.Ok)
        {
            run.Fail($"feed {feed}: {Describe(result)}", Cause(result));
            return;
        }
        IReadOnlyList<FeedItem> items;
        try
        {
            items = FeedParser.Parse(XmlText.Decode(result, _fetching.MaxResponseBytes), result.FinalUrl ?? feed);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            run.Fail($"feed {feed}: {ex.Message}", FailureCause.ContentType);
            return;
        }
        foreach (var item in items) run.Add(item, "feed", lenientPath: true);
        await SaveStateAsync(run, feed, result, cancellationToken);
    }

    private async Task DiscoverFromListingAsync(DiscoveryRun run, ListingDefinition listing, CancellationToken cancellationToken)
    {
        var first = new Uri(listing.Url);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Uri? page = first;
        for (var number = 1; page is not null && number <= Math.Max(1, listing.MaxPages); number++)
        {
            if (!visited.Add(UrlCanonicalizer.Canonicalize(page).AbsoluteUri)) break;
            var result = await FetchChannelAsync(run, page, acceptXml: false, cancellationToken);
            // Unchanged since last run: newest-first listings then hold nothing new on this or later pages.
            if (result.Outcome == FetchOutcome.NotModified) break;
            if (result.Outcome != FetchOutcome.Ok || result.Text is null)
            {
                run.Fail($"listing {page}: {Describe(result)}", Cause(result));
                break;
            }
            var parsed = ListingPageParser.Parse(result.Text, result.FinalUrl ?? page, run.Rules, listing.ArticleLinkSelector, listing.NextPageSelector);
            var onlyKnown = parsed.Articles.Count > 0;
            foreach (var item in parsed.Articles)
            {
                run.Add(item, "listing", lenientPath: false);
                // "Known" means stored: a URL the feed already announced in this run is still new work, so paging goes on.
                if (onlyKnown && !await run.Known.IsKnownAsync(run.Source.Id, UrlCanonicalizer.Canonicalize(item.Url), cancellationToken)) onlyKnown = false;
            }
            await SaveStateAsync(run, page, result, cancellationToken);
            if (parsed.Articles.Count == 0 || onlyKnown || run.Full) break;

            page = parsed.NextPage
                ?? (listing.PageUrlTemplate is { } template
                    ? new Uri(template.Replace("{page}", (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
                    : null);
        }
    }

    private async Task DiscoverFromSitemapAsync(DiscoveryRun run, Uri sitemapUrl, int depth, CancellationToken cancellationToken)
    {
        var result = await FetchChannelAsync(run, sitemapUrl, acceptXml: true, cancellationToken);
        if (result.Outcome == FetchOutcome.NotModified) return;
        if (result.Outcome != FetchOutcome.Ok)
        {
            run.Fail($"sitemap {sitemapUrl}: {Describe(result)}", Cause(result));
            return;
        }
        Sitemap sitemap;
        try
        {
            sitemap = SitemapParser.Parse(XmlText.Decode(result, _fetching.MaxResponseBytes), result.FinalUrl ?? sitemapUrl);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            run.Fail($"sitemap {sitemapUrl}: {ex.Message}", FailureCause.ContentType);
            return;
        }
        foreach (var item in sitemap.Urls) run.Add(item, "sitemap", lenientPath: false);
        if (sitemap.Children.Count > 0)
        {
            if (depth >= _options.MaxSitemapDepth)
                run.Fail($"sitemap {sitemapUrl}: index nested deeper than {_options.MaxSitemapDepth}; children ignored", FailureCause.Other);
            else
            {
                // Newest first: on news portals the recent child sitemaps hold the recent articles.
                var children = sitemap.Children
                    .Where(c => run.Rules.IsOwnHost(c.Url) || c.Url.Host.Equals(sitemapUrl.Host, StringComparison.OrdinalIgnoreCase))
                    .OrderByDescending(c => c.LastModified ?? DateTimeOffset.MinValue)
                    .Take(_options.MaxSitemapChildren);
                foreach (var child in children)
                {
                    if (run.Full) break;
                    await DiscoverFromSitemapAsync(run, child.Url, depth + 1, cancellationToken);
                }
            }
        }
        await SaveStateAsync(run, sitemapUrl, result, cancellationToken);
    }

    /// <summary>GET with the validators saved last time for this URL.</summary>
    private async Task<FetchResult> FetchChannelAsync(DiscoveryRun run, Uri url, bool acceptXml, CancellationToken cancellationToken)
    {
        var request = Request(run.Source, url, acceptXml);
        if (_options.ConditionalRequests)
        {
            try
            {
                if (await fetchState.GetAsync(url, cancellationToken) is { } state)
                    request = request with { IfNoneMatch = state.ETag, IfModifiedSince = state.LastModified };
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException)
            {
                // Without the saved validators the GET is merely unconditional: note it and go on.
                run.Fail($"fetch state of {url}: {ex.Message.Split('\n')[0].Trim()}", FailureCause.Storage);
            }
        }
        return await fetcher.FetchAsync(request, cancellationToken);
    }

    private async Task SaveStateAsync(DiscoveryRun run, Uri url, FetchResult result, CancellationToken cancellationToken)
    {
        if (!_options.ConditionalRequests || (result.ETag is null && result.LastModified is null)) return;
        try
        {
            await fetchState.SaveAsync(url, new ConditionalState(result.ETag, result.LastModified), cancellationToken);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException)
        {
            run.Fail($"fetch state of {url}: {ex.Message.Split('\n')[0].Trim()}", FailureCause.Storage);
        }
    }

    private static FetchRequest Request(SourceDefinition source, Uri url, bool acceptXml) => new(url)
    {
        // A configured channel may live on its own host (a CDN, a feed service): that host is allowed too.
        AllowedHosts = source.AllHosts().Append(url.Host.ToLowerInvariant()).Distinct().ToList(),
        Politeness = source.Politeness,
        AcceptXml = acceptXml,
    };

    private static HostPoliteness Politeness(SourceDefinition source) =>
        new(TimeSpan.FromMilliseconds(source.Politeness.MinDelayMs), Math.Max(1, source.Politeness.MaxConcurrency));

    private static FailureCause Cause(FetchResult result) =>
        result.Cause != FailureCause.None ? result.Cause : result.Outcome == FetchOutcome.Ok ? FailureCause.EmptyContent : FailureCause.Other;

    private static string Describe(FetchResult result) => result.Outcome switch
    {
        FetchOutcome.Skipped => $"skipped: {result.FailureReason}",
        FetchOutcome.Ok => "empty body",
        _ => result.FailureReason ?? "failed",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery of {SourceId}: robots.txt Sitemap {Url} ignored (not one of the source's hosts)")]
    private static partial void LogForeignSitemap(ILogger logger, string sourceId, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery of {SourceId}: {Articles} article URLs, {Errors} channel errors")]
    private static partial void LogDiscovered(ILogger logger, string sourceId, int articles, int errors);

    /// <summary>The state of one discovery run: canonical URLs in discovery order, merged titles and dates, errors.</summary>
    private sealed class DiscoveryRun(SourceDefinition source, ArticleUrlRules rules, IKnownArticles known, int maxArticles)
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public SourceDefinition Source { get; } = source;
        public ArticleUrlRules Rules { get; } = rules;
        public IKnownArticles Known { get; } = known;
        public List<DiscoveredArticle> Articles { get; } = [];
        public List<string> Errors { get; } = [];
        /// <summary>The cause of each of <see cref="Errors"/>, index for index.</summary>
        public List<FailureCause> Causes { get; } = [];
        public bool Full => Articles.Count >= maxArticles;

        public void Fail(string error, FailureCause cause)
        {
            Errors.Add(error);
            Causes.Add(cause);
        }

        /// <summary>True when the URL is an article not seen before in this run.</summary>
        public bool Add(FeedItem item, string via, bool lenientPath)
        {
            if (!item.Url.IsAbsoluteUri || item.Url.Scheme is not ("http" or "https")) return false;
            var url = UrlCanonicalizer.Canonicalize(item.Url);
            var accepted = lenientPath ? Rules.IsOwnHost(url) && Rules.IsFeedArticle(url) : Rules.IsArticle(url);
            if (!accepted) return false;
            if (_index.TryGetValue(url.AbsoluteUri, out var at))
            {
                // A later channel may know what an earlier one did not (a listing has no date, a feed does).
                var seen = Articles[at];
                Articles[at] = seen with { Title = seen.Title ?? item.Title, PublishedAt = seen.PublishedAt ?? item.PublishedAt };
                return false;
            }
            if (Full) return false;
            _index[url.AbsoluteUri] = Articles.Count;
            Articles.Add(new DiscoveredArticle(url, item.Title, item.PublishedAt, via));
            return true;
        }
    }
}
