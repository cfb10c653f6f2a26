using FeedIngest.Core.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary><c>GET /api/status?runs=N</c> (function key): per-source health, drift flags, recent runs and failures as JSON.</summary>
public sealed class Status(StatusReportService reports)
{
    [Function(nameof(Status))]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequest request, CancellationToken cancellationToken)
    {
        var runs = int.TryParse(request.Query["runs"], out var n) ? Math.Clamp(n, 0, 100) : 20;
        var report = await reports.GetAsync(runs, cancellationToken);
        return new ContentResult { Content = StatusReportService.ToJson(report), ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
    }
}
