using FeedIngest.Core.Discovery;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Tests.Fetching;

public class FetchingRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFeedIngestFetching(configuration).AddFeedIngestDiscovery(configuration).AddFeedIngestSources();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void SettingsBindFromTheFeedIngestFetchingSectionWithTheDocumentedDefaults()
    {
        using var provider = Build(new() { ["FeedIngest:Fetching:MaxResponseBytes"] = "2048", ["FeedIngest:Fetching:MaxRedirects"] = "2" });

        var options = provider.GetRequiredService<IOptions<FetchingOptions>>().Value;

        Assert.Equal(2048, options.MaxResponseBytes);
        Assert.Equal(2, options.MaxRedirects);
        Assert.Equal(20, options.AttemptTimeoutSeconds);
        Assert.Equal(90, options.TotalTimeoutSeconds);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal("FeedIngest/1.0 (+https://example.org/contact)", options.EffectiveUserAgent("https://example.org/contact"));
    }

    [Fact]
    public void WithoutTableStoragePolitenessAndConditionalStateStayInProcess()
    {
        using var provider = Build([]);

        Assert.IsType<InProcessHostThrottle>(provider.GetRequiredService<IHostThrottle>());
        Assert.IsType<InMemoryFetchStateStore>(provider.GetRequiredService<IFetchStateStore>());
        Assert.IsType<PageFetcher>(provider.GetRequiredService<IPageFetcher>());
        Assert.IsType<ArticleDiscoverer>(provider.GetRequiredService<IArticleDiscoverer>());
        Assert.NotNull(provider.GetRequiredService<SourceRegistryLoader>());
    }

    [Fact]
    public void ImpossibleSettingsAreRefusedWithTheSettingNamed()
    {
        using var provider = Build(new() { ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "30", ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "10" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IPageFetcher>());

        Assert.Contains("FeedIngest:Fetching:TotalTimeoutSeconds must be at least AttemptTimeoutSeconds", ex.Message);
    }
}
