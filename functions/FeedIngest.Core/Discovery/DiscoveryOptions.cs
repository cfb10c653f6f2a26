namespace FeedIngest.Core.Discovery;

/// <summary>Bounds on how far discovery goes per source and run (configuration section "FeedIngest:Discovery").</summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "FeedIngest:Discovery";

    /// <summary>Child sitemaps read from one sitemap index, newest (by lastmod) first; indexes of big portals list hundreds.</summary>
    public int MaxSitemapChildren { get; set; } = 10;
    /// <summary>Index → index → urlset is as deep as real portals go.</summary>
    public int MaxSitemapDepth { get; set; } = 2;
    /// <summary>Articles returned per source and run; the rest waits for the next run (newest channels are read first).</summary>
    public int MaxArticlesPerSource { get; set; } = 5000;
    /// <summary>Save ETag/Last-Modified of feeds, listing pages and sitemaps and send them back next run.</summary>
    public bool ConditionalRequests { get; set; } = true;
}
