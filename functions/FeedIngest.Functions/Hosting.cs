using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Functions;

internal static class LoggingBuilderExtensions
{
    /// <summary>The App Insights provider adds a Warning-and-above rule by default; without removing it, Information logs never arrive.</summary>
    public static ILoggingBuilder RemoveApplicationInsightsWarningFilter(this ILoggingBuilder logging)
    {
        logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null) options.Rules.Remove(rule);
        });
        return logging;
    }

    /// <summary>
    /// Filters that must apply in the worker: its log lines reach the host under the category
    /// <c>Function.&lt;Name&gt;.User</c>, so host.json's category filters cannot tell them apart.
    /// <list type="bullet">
    /// <item>Azure SDK: one Request and one Response line (with headers) per storage call — about 1,000 lines per harvest
    /// of 13 articles — and a Warning for every expected 412/409 answer of a conditional write. Its errors surface as
    /// exceptions that the app logs with their context, so only the SDK's own Error lines are kept.</item>
    /// <item>IHttpClientFactory: four Information lines per page fetched; fetch failures are recorded and logged by the app.</item>
    /// <item>The worker's "An exception was thrown by the invocation" line: the host logs the same failure as
    /// "Executed 'Functions.X' (Failed …)" with the exception, and the app logs what it records (article, source, run).</item>
    /// </list>
    /// </summary>
    public static ILoggingBuilder AddWorkerLogFilters(this ILoggingBuilder logging) =>
        logging
            .AddFilter("Azure", LogLevel.Error)
            .AddFilter("Microsoft.Azure.Functions.Worker.FunctionsApplication", LogLevel.Critical)
            // IHttpClientFactory's four lines per request (start, send, headers, end) for every page fetched.
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
}
