namespace FeedIngest.Core.Pipeline;

public sealed class ReprocessOptions
{
    public const string SectionName = "FeedIngest:Reprocess";
    /// <summary>Most article ids one request may name (at most 1,800: the ids are kept in one table property).</summary>
    public int MaxArticleIds { get; set; } = 500;
    /// <summary>Longest from–to range (days) one request may cover.</summary>
    public int MaxRangeDays { get; set; } = 366;
}

public static class ReprocessMode
{
    public const string Archive = "archive";
    public const string Refetch = "refetch";
}

/// <summary>Body of <c>POST /api/reprocess</c>.</summary>
public sealed class ReprocessRequest
{
    public List<string>? ArticleIds { get; set; }
    public string? SourceId { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public string? Mode { get; set; }
}

/// <summary>A request the service refuses, as RFC 7807 fields: what is wrong, and where.</summary>
public sealed record RequestProblem(string Title, string Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static RequestProblem Single(string title, string detail, string field, string message) =>
        new(title, detail, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Status of a reprocess job, as <c>GET /api/reprocess/{jobId}</c> returns it.</summary>
public sealed record ReprocessJobStatus(string JobId, string State, string Mode, int Queued, int Done, int Unchanged, int Failed, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, IReadOnlyList<string> Errors);

/// <summary>Message on queue <c>reprocess</c>: "plan" expands a job into one "article" message per article.</summary>
public sealed record ReprocessMessage(string JobId, string Kind, string? SourceId = null, string? ArticleId = null);
