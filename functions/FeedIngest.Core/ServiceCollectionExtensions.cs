using FeedIngest.Core.Attachments;
using FeedIngest.Core.Clustering;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Health;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the pipeline needs; the CLI and the Functions app both call this, and nothing else.</summary>
    public static IServiceCollection AddFeedIngest(this IServiceCollection services, IConfiguration configuration)
    {
        // Every options class is validated when the host starts: a bad setting stops the app with a message naming it.
        services.AddOptions<FeedIngestOptions>().Bind(configuration.GetSection(FeedIngestOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.SourcesPath), "FeedIngest:SourcesPath must name the source registry file")
            .Validate(o => o.MaxParallelArticles is >= 1 and <= 256, "FeedIngest:MaxParallelArticles must be between 1 and 256")
            .Validate(o => o.RecrawlDays is >= 0 and <= 36500, "FeedIngest:RecrawlDays must be between 0 and 36500")
            .Validate(o => o.RecrawlIntervalHours is >= 0 and <= 8760, "FeedIngest:RecrawlIntervalHours must be between 0 and 8760")
            .Validate(o => o.PendingRequeueMinutes is >= 0 and <= 10_080, "FeedIngest:PendingRequeueMinutes must be between 0 and 10080")
            .Validate(o => Uri.TryCreate(o.ContactUrl, UriKind.Absolute, out _), "FeedIngest:ContactUrl must be an absolute URL")
            .ValidateOnStart();

        // Storage
        services.AddFeedIngestStorageClients(configuration);
        services.AddSingleton<RawArchive>();
        services.AddSingleton<ArticleEventPublisher>();
        services.AddSingleton<ArticleRows>();
        services.AddSingleton<ArticleBlobStore>();
        services.AddSingleton<ContentIndex>();
        services.AddSingleton<ArticleEventOutbox>();
        services.AddSingleton<ArticleRepository>();
        services.AddSingleton<AttachmentStore>();
        services.AddSingleton<UrlIndex>();
        services.AddSingleton<RunLedger>();
        services.AddSingleton<StorageInitializer>();
        services.AddSingleton<ArticleIndex>();
        services.AddSingleton<ReprocessJobStore>();

        // Extraction
        services.AddSingleton<IArticleExtractor, ArticleExtractor>();

        // Attachments and syndication clusters
        services.AddOptions<AttachmentOptions>().Bind(configuration.GetSection(AttachmentOptions.Section))
            .Validate(o => o.MaxBytes is >= 1024 and <= 512L * 1024 * 1024, "FeedIngest:Attachments:MaxBytes must be between 1024 and 536870912")
            .Validate(o => o.MaxUnpackedBytes is >= 1024 and <= 1024L * 1024 * 1024, "FeedIngest:Attachments:MaxUnpackedBytes must be between 1024 and 1073741824")
            .Validate(o => o.MaxPackageEntries is >= 1 and <= 100_000, "FeedIngest:Attachments:MaxPackageEntries must be between 1 and 100000")
            .Validate(o => o.MaxCompressionRatio is >= 10 and <= 100_000, "FeedIngest:Attachments:MaxCompressionRatio must be between 10 and 100000")
            .Validate(o => o.MaxPdfPages is >= 1 and <= 100_000, "FeedIngest:Attachments:MaxPdfPages must be between 1 and 100000")
            .Validate(o => o.MaxTextChars is >= 1000 and <= 100_000_000, "FeedIngest:Attachments:MaxTextChars must be between 1000 and 100000000")
            .Validate(o => o.MaxPerArticle is >= 1 and <= 50, "FeedIngest:Attachments:MaxPerArticle must be between 1 and 50")
            .ValidateOnStart();
        services.AddSingleton<AttachmentTextExtractor>();
        services.AddSingleton<AttachmentCollector>();
        services.AddSingleton<SyndicationIndex>();
        services.AddSingleton<ClusterLookup>();

        // Pipeline
        services.AddSingleton<ExtractionContextFactory>();
        services.AddSingleton<ArticleProcessor>();
        services.AddSingleton<SourceDiscoveryStage>();
        services.AddSingleton<HarvestPipeline>();
        services.AddSingleton<WorkQueues>();
        services.AddSingleton<QueueStages>();
        services.AddSingleton<QueueWorker>();
        services.AddOptions<ReprocessOptions>().Bind(configuration.GetSection(ReprocessOptions.SectionName))
            .Validate(o => o.MaxArticleIds is >= 1 and <= 100_000, "FeedIngest:Reprocess:MaxArticleIds must be between 1 and 100000")
            .Validate(o => o.MaxRangeDays is >= 1 and <= 36_600, "FeedIngest:Reprocess:MaxRangeDays must be between 1 and 36600")
            .ValidateOnStart();
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
