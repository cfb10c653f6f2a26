using FeedIngest.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Cli;

/// <summary>The CLI's service container: the same <c>AddFeedIngest</c> registration as the Functions app.</summary>
internal static class CliHost
{
    /// <summary>--verbose: errors print their stack trace.</summary>
    public static bool Verbose { get; set; }

    /// <summary>The blob endpoint of the last container built, for error lines that name where storage was expected.</summary>
    public static string? StorageEndpoint { get; private set; }

    /// <summary>
    /// Configuration: appsettings-style env vars (FeedIngest__…, FeedIngestStorage) over local defaults
    /// (Azurite through UseDevelopmentStorage=true). <paramref name="overrides"/> wins over both.
    /// </summary>
    /// <param name="verbose">Debug level, categories and stack traces (feedingest … --verbose); otherwise one line per event.</param>
    public static ServiceProvider Build(IDictionary<string, string?>? overrides = null, LogLevel minLevel = LogLevel.Warning, bool verbose = false)
    {
        verbose |= Verbose;
        var configuration = BuildConfiguration(overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddConsole(o => o.FormatterName = OneLineConsoleFormatter.Name)
            .AddConsoleFormatter<OneLineConsoleFormatter, OneLineConsoleFormatterOptions>(o => o.Verbose = verbose)
            .SetMinimumLevel(verbose ? LogLevel.Debug : minLevel)
            // 404/409/412 answers are how the storage code asks "exists?" and "did I win the race?"; not warnings.
            .AddFilter("Azure", LogLevel.Error)
            // Per-request HttpClient lines say nothing the fetcher's own lines do not; Polly's retry lines (with
            // stack traces) only with --verbose — a failure is reported once, with its cause, by the progress line.
            .AddFilter("Polly", verbose ? LogLevel.Debug : LogLevel.None)
            .AddFilter("System.Net.Http", verbose ? LogLevel.Debug : LogLevel.Warning)
            .AddFilter("FeedIngest.Core.Pipeline.ArticleProcessor", verbose ? LogLevel.Debug : LogLevel.Error));
        StorageProbe.UseShortRetries(services);
        services.AddFeedIngest(configuration);
        var provider = services.BuildServiceProvider();
        try
        {
            if (provider.GetService<BlobServiceClient>() is { } blobs) StorageEndpoint = StorageProbe.Endpoint(blobs.Uri);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            provider.Dispose();
            throw new UsageException($"FeedIngestStorage is not a valid storage connection string or endpoint: {e.Message}");
        }
        return provider;
    }

    /// <summary><see cref="Build"/>, then one quick storage call: a clear "cannot reach storage" (exit 4) in seconds.</summary>
    public static async Task<ServiceProvider> BuildWithStorageAsync(CancellationToken cancellationToken, IDictionary<string, string?>? overrides = null, bool verbose = false)
    {
        var provider = Build(overrides, verbose: verbose);
        try
        {
            await StorageProbe.EnsureReachableAsync(provider, cancellationToken);
            return provider;
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    public static IConfiguration BuildConfiguration(IDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["FeedIngestStorage"] = "UseDevelopmentStorage=true",
            })
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
}
