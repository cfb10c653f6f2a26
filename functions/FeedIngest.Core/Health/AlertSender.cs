using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Health;

/// <summary>One alert: the start of an episode (a source failing N runs in a row, drifting, or storing nothing where it usually stores).</summary>
public sealed record HealthAlert(
    string Kind, string SourceId, string RunId, DateTimeOffset At, string Text, string? Cause,
    int ConsecutiveFailedRuns, IReadOnlyList<DriftFlag> Drift, int StoredLastRun, double? UsualStored);

/// <summary>
/// Posts alerts as generic JSON to FeedIngest:Alerts:WebhookUrl. The <c>text</c> field is what Teams and Slack
/// incoming webhooks show; the other fields are for programs. A failed post is logged, never thrown: an
/// alert must not fail the run it reports on.
/// </summary>
public sealed class AlertSender(IHttpClientFactory httpClients, IOptions<AlertOptions> options, ILogger<AlertSender> logger)
{
    public const string HttpClientName = "FeedIngest.Alerts";

    public async Task SendAsync(HealthAlert alert, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        logger.LogWarning("Alert {kind} for {sourceId}: {text}", alert.Kind, alert.SourceId, alert.Text);
        if (string.IsNullOrWhiteSpace(settings.WebhookUrl)) return;
        var text = "FeedIngest: " + alert.Text + (string.IsNullOrWhiteSpace(settings.DashboardUrl) ? "" : $" — {settings.DashboardUrl}");
        var payload = new
        {
            text,
            kind = alert.Kind,
            sourceId = alert.SourceId,
            runId = alert.RunId,
            at = alert.At,
            cause = alert.Cause,
            consecutiveFailedRuns = alert.ConsecutiveFailedRuns,
            drift = alert.Drift,
            storedLastRun = alert.StoredLastRun,
            usualStored = alert.UsualStored,
        };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await httpClients.CreateClient(HttpClientName).PostAsJsonAsync(settings.WebhookUrl, payload, HealthJson.Options, timeout.Token);
            if (!response.IsSuccessStatusCode)
                logger.LogError("Alert webhook answered HTTP {status} for the {kind} alert of {sourceId}", (int)response.StatusCode, alert.Kind, alert.SourceId);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogError("Could not post the {kind} alert of {sourceId} to the webhook: {message}", alert.Kind, alert.SourceId, e.Message);
        }
    }
}
