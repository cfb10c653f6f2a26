using Azure.Core;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FeedIngest.Core;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// The Functions app's service container as Program.cs builds it (AddFeedIngest + HostQueueSettings), with
/// the function classes registered so tests can resolve them and call their Run methods in-process.
/// Settings come from memory: storage = the given Azurite, sources = a temp sources.json naming the portal.
/// </summary>
public sealed class FunctionsTestHost : IAsyncDisposable
{
    public const string SourceId = "sample-portal";
    public const int MaxArticleIds = 20;
    public const int MaxRangeDays = 31;

    private readonly IHost _host;
    private readonly DirectoryInfo _folder;

    private FunctionsTestHost(IHost host, DirectoryInfo folder, string connectionString)
    {
        _host = host;
        _folder = folder;
        ConnectionString = connectionString;
    }

    /// <summary>What the worker treats as the last delivery: host.json's maxDequeueCount in the Functions build output.</summary>
    public static int MaxDequeueCount =>
        HostQueueSettings.Read(new ConfigurationBuilder().Build(), FunctionsBuildOutput.FilePath("host.json")).MaxDequeueCount;

    public string ConnectionString { get; }
    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <param name="portalBaseUrl">The sample portal; a closed port when the test fetches nothing.</param>
    /// <param name="storageRetries">Azure SDK retries per storage call: low, so an outage shows quickly.</param>
    /// <param name="settings">Settings added to (or replacing) the defaults below.</param>
    public static FunctionsTestHost Create(string connectionString, Uri? portalBaseUrl = null, int storageRetries = 2,
        Action<IServiceCollection>? configureServices = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("feedingest-functions-tests-");
        var sourcesPath = Path.Combine(folder.FullName, "sources.json");
        File.WriteAllText(sourcesPath, SourcesJson(portalBaseUrl ?? new Uri("http://127.0.0.1:9/")));
        var all = new Dictionary<string, string?>
        {
            ["FeedIngestStorage"] = connectionString,
            ["HarvestSchedule"] = "0 */30 * * * *",
            ["FeedIngest:SourcesPath"] = sourcesPath,
            ["FeedIngest:RecrawlDays"] = "0",
            ["FeedIngest:Reprocess:MaxArticleIds"] = MaxArticleIds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FeedIngest:Reprocess:MaxRangeDays"] = MaxRangeDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FeedIngest:Fetching:MaxRetries"] = "1",
            ["FeedIngest:Fetching:RetryBaseDelaySeconds"] = "0.1",
            // The test portals listen on 127.0.0.1; the SSRF guard refuses loopback unless allowed.
            ["FeedIngest:Fetching:AllowedPrivateNetworks"] = "127.0.0.1/32",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(all))
            .ConfigureServices((context, services) =>
            {
                services.AddFeedIngest(context.Configuration);
                services.AddSingleton(HostQueueSettings.Read(context.Configuration, FunctionsBuildOutput.FilePath("host.json")));
                services.AddAzureClients(clients => clients.ConfigureDefaults(options =>
                {
                    options.Retry.Mode = RetryMode.Fixed;
                    options.Retry.MaxRetries = storageRetries;
                    options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                    options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
                }));
                services.AddTransient<HarvestTimer>();
                services.AddTransient<DiscoverSource>();
                services.AddTransient<ProcessArticle>();
                services.AddTransient<ReprocessWorker>();
                services.AddTransient<Reprocess>();
                services.AddTransient<Articles>();
                services.AddTransient<Health>();
                configureServices?.Invoke(services);
            })
            .Build();
        return new FunctionsTestHost(host, folder, connectionString);
    }

    /// <summary>A queue as the triggers read it: Base64 message bodies.</summary>
    public QueueClient Queue(string name) =>
        new(ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>Every message on a queue, without taking them (peek, up to 32).</summary>
    public async Task<IReadOnlyList<string>> PeekAsync(string queueName)
    {
        var queue = Queue(queueName);
        if (!await queue.ExistsAsync()) return [];
        PeekedMessage[] messages = await queue.PeekMessagesAsync(32);
        return messages.Select(m => m.Body.ToString()).ToList();
    }

    /// <summary>Takes every message off a queue (for a stage the test then invokes by hand).</summary>
    public async Task<IReadOnlyList<string>> DrainAsync(string queueName)
    {
        var queue = Queue(queueName);
        var bodies = new List<string>();
        if (!await queue.ExistsAsync()) return bodies;
        while (true)
        {
            QueueMessage[] batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30));
            if (batch.Length == 0) return bodies;
            foreach (var message in batch)
            {
                bodies.Add(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await Task.Yield();
        try { _folder.Delete(recursive: true); } catch (IOException) { }
    }

    private static string SourcesJson(Uri portal) => $$"""
        {
          "sources": [
            {
              "id": "{{SourceId}}",
              "name": "Bundled sample portal",
              "district": "Sông Hồng",
              "baseUrl": "{{portal.AbsoluteUri}}",
              "hosts": ["sample-portal.feedingest.dev"],
              "feeds": ["{{new Uri(portal, "rss/tin-tuc.rss").AbsoluteUri}}"],
              "listings": [ { "url": "{{new Uri(portal, "tin-tuc").AbsoluteUri}}", "maxPages": 5 } ],
              "politeness": { "minDelayMs": 0, "maxConcurrency": 4, "obeyRobotsTxt": true }
            },
            {
              "id": "disabled-portal",
              "name": "A disabled source the timer must skip",
              "baseUrl": "http://127.0.0.1:9/",
              "enabled": false,
              "feeds": ["http://127.0.0.1:9/rss"]
            }
          ]
        }
        """;
}
