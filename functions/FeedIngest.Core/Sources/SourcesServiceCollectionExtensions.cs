using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Sources;

public static class SourcesServiceCollectionExtensions
{
    public static IServiceCollection AddFeedIngestSources(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(SourceRegistryLoader));
        services.TryAddSingleton(sp => new SourceRegistryLoader(
            sp.GetRequiredService<IOptions<FeedIngestOptions>>(), sp.GetService<IHttpClientFactory>()));
        return services;
    }
}
