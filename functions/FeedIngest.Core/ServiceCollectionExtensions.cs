using FeedIngest.Core.Discovery;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the pipeline needs; the CLI and the Functions app both call this, and nothing else.</summary>
    public static IServiceCollection AddFeedIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FeedIngestOptions>().Bind(configuration.GetSection(FeedIngestOptions.SectionName));
        services.AddSingleton<IArticleExtractor, ArticleExtractor>();
        services.AddFeedIngestFetching(configuration);
        services.AddFeedIngestDiscovery(configuration);
        services.AddFeedIngestSources();
        return services;
    }
}
