using System.Reflection;

namespace FeedIngest.Core.Health;

/// <summary>
/// The status page: one self-contained HTML document (inline CSS, inline script, chart drawn as inline SVG)
/// with the status report embedded as JSON, so it needs no second request, no CDN and no build step.
/// </summary>
public static class DashboardPage
{
    private const string Placeholder = "/*STATUS_JSON*/null";
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("FeedIngest.Core.Health.dashboard.html")
            ?? throw new InvalidOperationException("dashboard.html is not embedded in FeedIngest.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Render(StatusReport report)
    {
        // Inside <script>, "</" could close the element early; "\u003c" is the same character to JSON.
        var json = StatusReportService.ToJson(report).Replace("<", "\\u003c", StringComparison.Ordinal);
        return Template.Value.Replace(Placeholder, json, StringComparison.Ordinal);
    }
}
