using FeedIngest.Core.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary><c>GET /api/dashboard</c> (function key): the self-contained status page.</summary>
public sealed class Dashboard(StatusReportService reports)
{
    [Function(nameof(Dashboard))]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "dashboard")] HttpRequest request, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(20, cancellationToken);
        return new ContentResult { Content = DashboardPage.Render(report), ContentType = "text/html; charset=utf-8", StatusCode = StatusCodes.Status200OK };
    }
}
