using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FeedIngest.Core.Discovery;

public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>The discoverer; needs <c>AddFeedIngestFetching</c> for the fetcher, robots cache and conditional state.</summary>
    public static IServiceCollection AddFeedIngestDiscovery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DiscoveryOptions>().Bind(configuration.GetSection(DiscoveryOptions.SectionName))
            .Validate(o => o.MaxSitemapChildren is >= 1 and <= 1000, "FeedIngest:Discovery:MaxSitemapChildren must be between 1 and 1000")
            .Validate(o => o.MaxSitemapDepth is >= 1 and <= 5, "FeedIngest:Discovery:MaxSitemapDepth must be between 1 and 5")
            .Validate(o => o.MaxArticlesPerSource is >= 1 and <= 1_000_000, "FeedIngest:Discovery:MaxArticlesPerSource must be between 1 and 1000000")
            .ValidateOnStart();
        services.TryAddSingleton<IArticleDiscoverer, ArticleDiscoverer>();
        return services;
    }
}
