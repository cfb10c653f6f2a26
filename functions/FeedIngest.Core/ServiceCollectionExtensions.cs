using FeedIngest.Core.Extraction;
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
        // Per-source boilerplate memory in table "Boilerplate"; needs the TableServiceClient of the "FeedIngestStorage" connection.
        services.AddSingleton<BoilerplateMemoryStore>();
        return services;
    }
}
