using FeedIngest.Core.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary><c>POST /api/reprocess</c> (function key): validates, records a job, answers 202; <c>GET /api/reprocess/{jobId}</c>: its status.</summary>
public sealed class Reprocess(ReprocessService reprocess, ReprocessRequestValidator validator)
{
    [Function(nameof(Reprocess))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "reprocess")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var (accepted, problem) = ReprocessRequestReader.Read(request.ContentType, body);
        problem ??= await validator.ValidateAsync(accepted!, cancellationToken);
        if (problem is not null)
            return Problems.Create(StatusCodes.Status400BadRequest, problem.Title, problem.Detail, problem.Errors);
        var jobId = await reprocess.SubmitAsync(accepted!, cancellationToken);
        var statusUrl = $"{request.Scheme}://{request.Host}/api/reprocess/{jobId}";
        return new AcceptedResult(statusUrl, new { jobId, statusUrl });
    }

    [Function("ReprocessStatus")]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "reprocess/{jobId}")] HttpRequest request, string jobId, CancellationToken cancellationToken)
    {
        var status = await reprocess.GetStatusAsync(jobId, cancellationToken);
        return status is null
            ? Problems.Create(StatusCodes.Status404NotFound, "Unknown job", $"No reprocess job '{jobId}'.")
            : new OkObjectResult(status);
    }
}
