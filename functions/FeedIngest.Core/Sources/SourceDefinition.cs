using System.Text.Json.Serialization;

namespace FeedIngest.Core.Sources;

/// <summary>The registry file (<c>sources.json</c>): every portal FeedIngest harvests.</summary>
public sealed class SourceRegistry
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; set; }

    public List<SourceDefinition> Sources { get; set; } = [];

    public SourceDefinition? Find(string sourceId) =>
        Sources.FirstOrDefault(s => string.Equals(s.Id, sourceId, StringComparison.Ordinal));
}

/// <summary>One portal: where its articles are announced and how politely to fetch them.</summary>
public sealed class SourceDefinition
{
    /// <summary>Stable id; the blob path prefix and the table PartitionKey. Lower-case letters, digits, '-'.</summary>
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? District { get; set; }
    public string BaseUrl { get; set; } = "";
    public bool Enabled { get; set; } = true;
    /// <summary>False where nobody could check the URLs (they were written from knowledge, offline).</summary>
    public bool Verified { get; set; } = true;
    public string? Notes { get; set; }

    /// <summary>RSS 2.0 / Atom feed URLs.</summary>
    public List<string> Feeds { get; set; } = [];
    /// <summary>Look for <c>&lt;link rel="alternate"&gt;</c> feeds on the home page.</summary>
    public bool DiscoverFeeds { get; set; } = true;
    public List<ListingDefinition> Listings { get; set; } = [];
    /// <summary>Sitemap or sitemap-index URLs; <c>robots.txt</c> Sitemap lines are added when <see cref="UseRobotsSitemaps"/>.</summary>
    public List<string> Sitemaps { get; set; } = [];
    public bool UseRobotsSitemaps { get; set; }

    /// <summary>Extra host names that belong to this source (the base URL's host always does).</summary>
    public List<string> Hosts { get; set; } = [];
    /// <summary>Regular expression an article URL's path must match (case-insensitive); null = built-in article heuristics.</summary>
    public string? ArticleUrlPattern { get; set; }

    public PolitenessSettings Politeness { get; set; } = new();
    public ExtractionOverrides? Extraction { get; set; }

    public IEnumerable<string> AllHosts()
    {
        if (Uri.TryCreate(BaseUrl, UriKind.Absolute, out var b)) yield return b.Host.ToLowerInvariant();
        foreach (var h in Hosts) yield return h.ToLowerInvariant();
    }
}

public sealed class ListingDefinition
{
    public string Url { get; set; } = "";
    /// <summary>CSS selector for article links on the listing page; null = every link that looks like an article.</summary>
    public string? ArticleLinkSelector { get; set; }
    /// <summary>CSS selector for the next-page link; null = rel=next / "Trang sau" / "›" heuristics.</summary>
    public string? NextPageSelector { get; set; }
    /// <summary>Template for numbered paging, e.g. <c>https://x/tin-tuc?page={page}</c>, used when no next link exists.</summary>
    public string? PageUrlTemplate { get; set; }
    public int MaxPages { get; set; } = 5;
}

public sealed class PolitenessSettings
{
    /// <summary>Minimum time between two requests to the same host, across all instances.</summary>
    public int MinDelayMs { get; set; } = 1000;
    /// <summary>Requests in flight to the same host at once, across all instances.</summary>
    public int MaxConcurrency { get; set; } = 2;
    public bool ObeyRobotsTxt { get; set; } = true;
}

/// <summary>Per-source hints for the extractor, for portals the generic rules get wrong.</summary>
public sealed class ExtractionOverrides
{
    /// <summary>CSS selector of the article body container.</summary>
    public string? ContentSelector { get; set; }
    /// <summary>CSS selectors removed before extraction.</summary>
    public List<string> RemoveSelectors { get; set; } = [];
    public string? TitleSelector { get; set; }
    public string? DateSelector { get; set; }
}
