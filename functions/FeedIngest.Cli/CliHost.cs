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
    public static ServiceProvider Build(IDictionary<string, string?>? overrides = null, LogLevel minLevel = LogLevel.Warning)
    {
        var configuration = BuildConfiguration(overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(minLevel)
            // 404/409/412 answers are how the storage code asks "exists?" and "did I win the race?"; not warnings.
            .AddFilter("Azure", LogLevel.Error));
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
