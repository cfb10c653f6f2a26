using Azure.Data.Tables;
using FeedIngest.Core;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// One "instance" of FeedIngest: its own service container built by the real AddFeedIngest, with timeouts and
/// back-off shortened so fault tests stay fast. Give it an Azurite connection string to coordinate politeness
/// and conditional state through Table Storage.
/// </summary>
public sealed class FetchingTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public FetchingTestHost(
        string? storageConnectionString = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? extraServices = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["FeedIngest:ContactUrl"] = "https://feedingest.test/contact",
            // Generous enough for a loaded CI machine; the timeout tests set 1 s themselves.
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "3",
            ["FeedIngest:Fetching:TotalTimeoutSeconds"] = "15",
            ["FeedIngest:Fetching:RetryBaseDelaySeconds"] = "0.05",
            ["FeedIngest:Fetching:MaxRetries"] = "3",
            ["FeedIngest:Fetching:MaxRedirects"] = "5",
            // The test portals listen on 127.0.0.1; the SSRF guard refuses loopback unless allowed.
            ["FeedIngest:Fetching:AllowedPrivateNetworks"] = "127.0.0.1/32",
        };
        // AddFeedIngest registers storage clients eagerly; without Azurite they are registered but never used.
        values["FeedIngestStorage"] = storageConnectionString ?? "UseDevelopmentStorage=true";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        if (storageConnectionString is null)
        {
            // No storage: in-process politeness and conditional state (AddFeedIngest only adds its own when none exist).
            services.AddSingleton<IHostThrottle>(new InProcessHostThrottle());
            services.AddSingleton<IFetchStateStore>(new InMemoryFetchStateStore());
        }
        services.AddFeedIngest(configuration);
        if (storageConnectionString is not null)
        {
            services.AddSingleton(new TableServiceClient(storageConnectionString));
            services.AddSingleton(new Azure.Storage.Queues.QueueServiceClient(storageConnectionString,
                new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 })); // as the app's
        }
        extraServices?.Invoke(services);
        _services = services.BuildServiceProvider();
    }

    public IPageFetcher Fetcher => _services.GetRequiredService<IPageFetcher>();
    public IArticleDiscoverer Discoverer => _services.GetRequiredService<IArticleDiscoverer>();
    public IServiceProvider Services => _services;

    /// <summary>A politeness with no delay, so tests that are not about delays do not wait.</summary>
    public static PolitenessSettings Fast(int maxConcurrency = 4, bool robots = true) =>
        new() { MinDelayMs = 0, MaxConcurrency = maxConcurrency, ObeyRobotsTxt = robots };

    public Task<FetchResult> FetchAsync(Uri url, PolitenessSettings? politeness = null, bool acceptXml = false) =>
        Fetcher.FetchAsync(new FetchRequest(url) { Politeness = politeness ?? Fast(), AcceptXml = acceptXml }, CancellationToken.None);

    public static string UniqueTableName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Known article URLs held in memory, as the pipeline's Articles table would answer.</summary>
public sealed class KnownArticles(IEnumerable<Uri>? known = null) : IKnownArticles
{
    private readonly HashSet<string> _known = new((known ?? []).Select(u => u.AbsoluteUri), StringComparer.Ordinal);

    public void AddRange(IEnumerable<Uri> urls)
    {
        foreach (var url in urls) _known.Add(url.AbsoluteUri);
    }

    public ValueTask<bool> IsKnownAsync(string sourceId, Uri canonicalUrl, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_known.Contains(canonicalUrl.AbsoluteUri));
}
