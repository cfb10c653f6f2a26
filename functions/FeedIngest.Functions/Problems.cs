using Microsoft.AspNetCore.Mvc;

namespace FeedIngest.Functions;

/// <summary>RFC 7807 problem+json responses.</summary>
internal static class Problems
{
    public static ObjectResult Create(int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new ProblemDetails()
            : new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value));
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Type = $"https://httpstatuses.io/{status}";
        var result = new ObjectResult(problem) { StatusCode = status };
        result.ContentTypes.Add("application/problem+json");
        return result;
    }
}
