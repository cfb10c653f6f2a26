using System.Text.Json;
using System.Text.Json.Serialization;
using FeedIngest.Core.Pipeline;

namespace FeedIngest.Functions;

/// <summary>The HTTP side of a reprocess request: media type and strict JSON; the rules of the request itself are <see cref="ReprocessRequestValidator"/>'s.</summary>
public static class ReprocessRequestReader
{
    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static (ReprocessRequest? Request, RequestProblem? Problem) Read(string? contentType, string body)
    {
        if (contentType is null || !contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, RequestProblem.Single("Unsupported media type", $"Content-Type must be application/json (got '{contentType ?? "none"}').", "Content-Type", "must be application/json"));
        if (string.IsNullOrWhiteSpace(body))
            return (null, RequestProblem.Single("Invalid JSON", "The request body is empty.", "body", "required"));
        try
        {
            var request = JsonSerializer.Deserialize<ReprocessRequest>(body, StrictJson);
            return request is null ? (null, RequestProblem.Single("Invalid JSON", "The body must be a JSON object.", "body", "must be an object")) : (request, null);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path : "body";
            return (null, RequestProblem.Single("Invalid JSON", e.Message, field, e.Message));
        }
    }
}
