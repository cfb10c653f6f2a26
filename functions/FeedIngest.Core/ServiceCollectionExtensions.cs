using FeedIngest.Core.Discovery;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Health;
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

        // Storage
        services.AddFeedIngestStorageClients(configuration);
        services.AddSingleton<RawArchive>();
        services.AddSingleton<ArticleEventPublisher>();
        services.AddSingleton<ArticleRepository>();
        services.AddSingleton<UrlIndex>();
        services.AddSingleton<RunLedger>();
        services.AddSingleton<StorageInitializer>();
        services.AddSingleton<ArticleIndex>();
        services.AddSingleton<ReprocessJobStore>();

        // Extraction
        services.AddSingleton<IArticleExtractor, ArticleExtractor>();

        // Pipeline
        services.AddSingleton<ExtractionContextFactory>();
        services.AddSingleton<ArticleProcessor>();
        services.AddSingleton<SourceDiscoveryStage>();
        services.AddSingleton<HarvestPipeline>();
        services.AddSingleton<WorkQueues>();
        services.AddSingleton<QueueStages>();
        services.AddOptions<ReprocessOptions>().Bind(configuration.GetSection(ReprocessOptions.SectionName));
        services.AddSingleton<ReprocessService>();
        services.AddSingleton<ReprocessRequestValidator>();
        services.AddFeedIngestFetching(configuration);
        services.AddFeedIngestDiscovery(configuration);
        services.AddFeedIngestSources();
        // Per-source boilerplate memory in table "Boilerplate"; needs the TableServiceClient of the "FeedIngestStorage" connection.
        services.AddSingleton<BoilerplateMemoryStore>();
        services.AddFeedIngestHealth(configuration);
        return services;
    }
}
