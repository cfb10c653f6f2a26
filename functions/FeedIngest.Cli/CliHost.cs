using FeedIngest.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Cli;

/// <summary>The CLI's service container: the same <c>AddFeedIngest</c> registration as the Functions app.</summary>
internal static class CliHost
{
    /// <summary>
    /// Configuration: appsettings-style env vars (FeedIngest__…, FeedIngestStorage) over local defaults
    /// (Azurite through UseDevelopmentStorage=true). <paramref name="overrides"/> wins over both.
    /// </summary>
    /// <param name="verbose">Debug level, categories and stack traces (feedingest … --verbose); otherwise one line per event.</param>
    public static ServiceProvider Build(IDictionary<string, string?>? overrides = null, LogLevel minLevel = LogLevel.Warning, bool verbose = false)
    {
        var configuration = BuildConfiguration(overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddConsole(o => o.FormatterName = OneLineConsoleFormatter.Name)
            .AddConsoleFormatter<OneLineConsoleFormatter, OneLineConsoleFormatterOptions>(o => o.Verbose = verbose)
            .SetMinimumLevel(verbose ? LogLevel.Debug : minLevel)
            // 404/409/412 answers are how the storage code asks "exists?" and "did I win the race?"; not warnings.
            .AddFilter("Azure", LogLevel.Error)
            // Per-request HttpClient lines say nothing the fetcher's own lines do not.
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            // A failed article is printed once, with its cause, by the harvest progress line.
            .AddFilter("FeedIngest.Core.Pipeline.ArticleProcessor", verbose ? LogLevel.Debug : LogLevel.Error));
        services.AddFeedIngest(configuration);
        return services.BuildServiceProvider();
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
