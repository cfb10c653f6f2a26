using FeedIngest.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary><c>GET /api/articles/{sourceId}/{articleId}</c> (function key): the stored article document.</summary>
public sealed class Articles(ArticleRepository articles)
{
    [Function("GetArticle")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "articles/{sourceId}/{articleId}")] HttpRequest request,
        string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var json = await articles.GetDocumentJsonAsync(sourceId, articleId, cancellationToken);
        return json is null
            ? Problems.Create(StatusCodes.Status404NotFound, "Unknown article", $"No stored article '{articleId}' in source '{sourceId}'.")
            : new ContentResult { Content = json, ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
    }
}
