using FeedIngest.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions;

/// <summary>
/// <c>GET /api/articles/{sourceId}/{articleId}</c> (function key): the stored article document;
/// <c>GET /api/articles/{sourceId}/{articleId}/cluster</c>: the copies of its story (its syndication cluster).
/// </summary>
public sealed class Articles(ArticleRepository articles, FeedIngest.Core.Clustering.ClusterLookup clusters)
{
    [Function("GetArticleCluster")]
    public async Task<IActionResult> GetCluster(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "articles/{sourceId}/{articleId}/cluster")] HttpRequest request,
        string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var (view, missing) = await clusters.GetAsync(sourceId, articleId, cancellationToken);
        if (view is not null)
            return new ContentResult { Content = System.Text.Json.JsonSerializer.Serialize(view, ContractJson.Options), ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
        return missing == FeedIngest.Core.Clustering.ClusterLookup.Missing.Cluster
            ? Problems.Create(StatusCodes.Status404NotFound, "No cluster yet", $"Article '{articleId}' was stored before syndication clusters existed; reprocess it to give it one.")
            : Problems.Create(StatusCodes.Status404NotFound, "Unknown article", $"No stored article '{articleId}' in source '{sourceId}'.");
    }

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
