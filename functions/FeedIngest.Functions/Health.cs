using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Functions;

/// <summary><c>GET /api/health</c> (anonymous): 200 when storage answers, 503 when it does not.</summary>
public sealed class Health(BlobServiceClient blobs, ILogger<Health> logger)
{
    [Function(nameof(Health))]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await blobs.GetBlobContainerClient(Core.Storage.StorageNames.ArticlesContainer).ExistsAsync(timeout.Token);
            return new OkObjectResult(new { status = "healthy", storage = "reachable" });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The reason goes to the log only: the endpoint is anonymous, and storage errors name endpoints and accounts.
            logger.LogWarning(e, "Health check: storage unreachable");
            return new ObjectResult(new { status = "unhealthy", storage = "unreachable" }) { StatusCode = StatusCodes.Status503ServiceUnavailable };
        }
    }
}
