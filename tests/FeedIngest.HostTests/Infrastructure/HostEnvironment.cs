using System.Globalization;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.HostTests.Infrastructure;

/// <summary>
/// What a local `func start` needs (README "Running the Functions app locally"): a private Azurite, the bundled sample
/// portal on a free port, a sources.json naming it, and the app settings of local.settings.sample.json with a fast
/// HarvestSchedule. Hosts started from it share its storage, as instances of one app do.
/// </summary>
public sealed class HostEnvironment : IAsyncDisposable
{
    public const string SourceId = "sample-portal";
    /// <summary>Every 15 s: several occurrences per test, none of them timed.</summary>
    public const string Schedule = "*/15 * * * * *";

    private readonly List<FunctionsHost> _hosts = [];
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("feedingest-hosttests-");

    private HostEnvironment(AzuriteInstance azurite, SamplePortalServer portal, int maxConcurrency)
    {
        Azurite = azurite;
        Portal = portal;
        SourcesPath = Path.Combine(_folder.FullName, "sources.json");
        File.WriteAllText(SourcesPath, SourcesJson(portal.BaseUrl, maxConcurrency));
        Storage = new StorageView(azurite.ConnectionString);
    }

    public AzuriteInstance Azurite { get; }
    public SamplePortalServer Portal { get; }
    public string SourcesPath { get; }
    public StorageView Storage { get; }
    public IReadOnlyList<FunctionsHost> Hosts => _hosts;

    public static async Task<HostEnvironment> StartAsync(int maxConcurrency = 4, TimeSpan? portalDelay = null)
    {
        var azurite = await AzuriteInstance.StartNewAsync();
        try
        {
            var portal = await SamplePortalServer.StartAsync();
            portal.ResponseDelay = portalDelay ?? TimeSpan.Zero;
            return new HostEnvironment(azurite, portal, maxConcurrency);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>The settings of local.settings.sample.json, pointed at this environment.</summary>
    public Dictionary<string, string> Settings(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FeedIngestStorage"] = Azurite.ConnectionString,
            ["HarvestSchedule"] = Schedule,
            ["FeedIngest__SourcesPath"] = SourcesPath,
            ["FeedIngest__RecrawlDays"] = "0",
            ["FeedIngest__Fetching__MaxRetries"] = "1",
            ["FeedIngest__Fetching__RetryBaseDelaySeconds"] = "0.2",
            // The sample portal is on loopback, which the fetcher refuses unless allowed.
            ["FeedIngest__Fetching__AllowedPrivateNetworks"] = "127.0.0.1/32",
            // Function keys stay where the host keeps them by default: blobs in AzureWebJobsStorage (container
            // azure-webjobs-secrets), shared by every host of this environment as instances share keys.
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>()) settings[key] = value;
        return settings;
    }

    public async Task<FunctionsHost> StartHostAsync(string name, IReadOnlyDictionary<string, string>? overrides = null, bool waitUntilHealthy = true)
    {
        var host = await FunctionsHost.StartAsync(name, Settings(overrides), waitUntilHealthy);
        _hosts.Add(host);
        return host;
    }

    public string Diagnostics() => string.Join('\n', _hosts.Select(h => h.Tail(60)));

    /// <summary>Stops everything it started, each step even when an earlier one threw.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var host in _hosts) await host.DisposeAsync();
        }
        finally
        {
            try { await Portal.DisposeAsync(); }
            finally
            {
                await Azurite.DisposeAsync();
                try { _folder.Delete(recursive: true); } catch (IOException) { }
            }
        }
    }

    private static string SourcesJson(Uri portal, int maxConcurrency) => $$"""
        {
          "sources": [
            {
              "id": "{{SourceId}}",
              "name": "Bundled sample portal",
              "district": "Hai Bà Trưng",
              "baseUrl": "{{portal}}",
              "enabled": true,
              "verified": true,
              "hosts": ["sample-portal.feedingest.dev"],
              "feeds": ["{{new Uri(portal, "rss/tin-tuc.rss")}}"],
              "listings": [ { "url": "{{new Uri(portal, "tin-tuc")}}", "maxPages": 5 } ],
              "politeness": { "minDelayMs": 0, "maxConcurrency": {{maxConcurrency.ToString(CultureInfo.InvariantCulture)}}, "obeyRobotsTxt": true }
            }
          ]
        }
        """;
}
