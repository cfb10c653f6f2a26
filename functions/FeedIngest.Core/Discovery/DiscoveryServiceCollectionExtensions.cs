using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FeedIngest.Core.Discovery;

public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>The discoverer; needs <c>AddFeedIngestFetching</c> for the fetcher, robots cache and conditional state.</summary>
    public static IServiceCollection AddFeedIngestDiscovery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DiscoveryOptions>().Bind(configuration.GetSection(DiscoveryOptions.SectionName));
        services.TryAddSingleton<IArticleDiscoverer, ArticleDiscoverer>();
        return services;
    }
}
