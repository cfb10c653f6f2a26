using FeedIngest.Core.Export;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace FeedIngest.Core.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>Per-source health, alerts, metrics, the status report and page, and export (part of <c>AddFeedIngest</c>).</summary>
    public static IServiceCollection AddFeedIngestHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName))
            .Validate(o => o.MinPagesPerRun >= 1 && o.MinBaselineRuns >= 1 && o.HistoryRuns >= o.MinBaselineRuns, "FeedIngest:Health: MinPagesPerRun and MinBaselineRuns must be ≥ 1 and HistoryRuns ≥ MinBaselineRuns")
            .ValidateOnStart();
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.SectionName))
            .Validate(o => string.IsNullOrWhiteSpace(o.WebhookUrl) || Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "FeedIngest:Alerts:WebhookUrl must be an absolute http(s) URL")
            .Validate(o => o.FailedRunsBeforeAlert >= 1, "FeedIngest:Alerts:FailedRunsBeforeAlert must be ≥ 1")
            .ValidateOnStart();
        services.AddHttpClient(AlertSender.HttpClientName);
        services.AddMetrics();
        services.AddSingleton<FeedIngestMetrics>();
        // Hosts that export OpenTelemetry (Azure Monitor, OTLP) pick the meter up; with no exporter this costs nothing.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FeedIngestMetrics.MeterName));
        services.AddSingleton<HealthObservationStore>();
        services.AddSingleton<SourceHealthService>();
        services.AddSingleton<AlertSender>();
        services.AddSingleton<RunHealthRecorder>();
        services.AddSingleton<StatusReportService>();
        services.AddSingleton<ArticleExporter>();
        return services;
    }
}
