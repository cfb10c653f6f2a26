using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

public sealed class ReprocessOptions
{
    public const string SectionName = "FeedIngest:Reprocess";
    /// <summary>Most article ids one request may name.</summary>
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
public sealed record RequestProblem(string Title, string Detail, IReadOnlyDictionary<string, string[]> Errors);

public sealed class ReprocessJobEntity : ITableEntity
{
    public const string Partition = "job";
    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string State { get; set; } = "accepted";
    public string Mode { get; set; } = ReprocessMode.Archive;
    public string? SourceId { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public string? ArticleIds { get; set; }
    public int Queued { get; set; }
    public int Done { get; set; }
    public int Unchanged { get; set; }
    public int Failed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? Errors { get; set; }
}

/// <summary>Status of a reprocess job, as <c>GET /api/reprocess/{jobId}</c> returns it.</summary>
public sealed record ReprocessJobStatus(string JobId, string State, string Mode, int Queued, int Done, int Unchanged, int Failed, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, IReadOnlyList<string> Errors);

/// <summary>Message on queue <c>reprocess</c>: "plan" expands a job into one "article" message per article.</summary>
public sealed record ReprocessMessage(string JobId, string Kind, string? SourceId = null, string? ArticleId = null);

/// <summary>
/// On-demand re-extraction: validates a request, records a job, and does the work through queue
/// <c>reprocess</c> (Functions) or in-process (CLI) with the same steps.
/// </summary>
public sealed partial class ReprocessService(
    SourceRegistryLoader registryLoader,
    ArticleRepository articles,
    ArticleProcessor processor,
    WorkQueues queues,
    TableServiceClient tables,
    IOptions<ReprocessOptions> options)
{
    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly TableClient _jobs = tables.GetTableClient(StorageNames.ReprocessJobsTable);

    /// <summary>Checks a raw HTTP body; returns the request or the problem. Nothing is queued here.</summary>
    public async Task<(ReprocessRequest? Request, RequestProblem? Problem)> ValidateAsync(string? contentType, string body, CancellationToken cancellationToken)
    {
        if (contentType is null || !contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, Problem("Unsupported media type", $"Content-Type must be application/json (got '{contentType ?? "none"}').", "Content-Type", "must be application/json"));
        if (string.IsNullOrWhiteSpace(body))
            return (null, Problem("Invalid JSON", "The request body is empty.", "body", "required"));
        ReprocessRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ReprocessRequest>(body, StrictJson);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path : "body";
            return (null, Problem("Invalid JSON", e.Message, field, e.Message));
        }
        if (request is null) return (null, Problem("Invalid JSON", "The body must be a JSON object.", "body", "must be an object"));
        var registry = await registryLoader.LoadAsync(cancellationToken);
        var errors = Check(request, registry);
        return errors.Count == 0
            ? (request, null)
            : (null, new RequestProblem("Invalid reprocess request", string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}.")), errors));
    }

    private Dictionary<string, string[]> Check(ReprocessRequest r, SourceRegistry registry)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var m) ? [.. m, message] : [message];

        var mode = r.Mode ?? ReprocessMode.Archive;
        if (mode is not (ReprocessMode.Archive or ReprocessMode.Refetch)) Add("mode", "must be 'archive' or 'refetch'");
        var byIds = r.ArticleIds is not null;
        var byRange = r.SourceId is not null || r.From is not null || r.To is not null;
        if (byIds == byRange) Add("articleIds", "give either articleIds, or sourceId with from/to — exactly one of them");
        if (byIds)
        {
            if (r.ArticleIds!.Count == 0) Add("articleIds", "must not be empty");
            if (r.ArticleIds.Count > options.Value.MaxArticleIds) Add("articleIds", $"at most {options.Value.MaxArticleIds} ids per request (got {r.ArticleIds.Count})");
            foreach (var id in r.ArticleIds.Where(id => id is null || !ArticleIdPattern().IsMatch(id)).Take(5))
                Add("articleIds", $"'{id}' is not an article id (16 lower-case hex characters)");
        }
        if (byRange)
        {
            if (string.IsNullOrWhiteSpace(r.SourceId)) Add("sourceId", "required with from/to");
            else if (registry.Find(r.SourceId) is null) Add("sourceId", $"unknown source '{r.SourceId}'");
            var from = ParseDate(r.From, "from", Add);
            var to = ParseDate(r.To, "to", Add);
            if (from is { } f && to is { } t)
            {
                if (f > t) Add("from", "must not be after 'to'");
                else if (t.DayNumber - f.DayNumber + 1 > options.Value.MaxRangeDays) Add("to", $"the range may span at most {options.Value.MaxRangeDays} days");
            }
        }
        return errors;
    }

    private static DateOnly? ParseDate(string? value, string field, Action<string, string> add)
    {
        if (value is null) { add(field, "required (yyyy-MM-dd)"); return null; }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        add(field, $"'{value}' is not a date (yyyy-MM-dd)");
        return null;
    }

    /// <summary>Records the job and queues its plan message; the queue stage does the rest.</summary>
    public async Task<string> SubmitAsync(ReprocessRequest request, CancellationToken cancellationToken)
    {
        var job = await CreateJobAsync(request, cancellationToken);
        await queues.SendAsync(StorageNames.ReprocessQueue, new ReprocessMessage(job.RowKey, "plan"), cancellationToken);
        return job.RowKey;
    }

    /// <summary>The CLI's path: the same job row and steps, run here instead of through the queue.</summary>
    public async Task<ReprocessJobStatus> RunInProcessAsync(ReprocessRequest request, IProgress<ArticleOutcome>? progress, CancellationToken cancellationToken)
    {
        var job = await CreateJobAsync(request, cancellationToken);
        var targets = await PlanAsync(job, cancellationToken);
        foreach (var (sourceId, articleId) in targets)
            progress?.Report(await ReprocessOneAsync(job.RowKey, sourceId, articleId, cancellationToken));
        return (await GetStatusAsync(job.RowKey, cancellationToken))!;
    }

    public Task HandleAsync(ReprocessMessage message, CancellationToken cancellationToken) =>
        HandleAsync(message, dequeueCount: 1, maxDequeueCount: int.MaxValue, cancellationToken);

    /// <summary>
    /// One <c>reprocess</c> message. Failures throw so the queue retries; on the last delivery the failure is
    /// first counted on the job (with the reason), so the job still completes when its message goes to poison.
    /// </summary>
    public async Task HandleAsync(ReprocessMessage message, long dequeueCount, int maxDequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            if (message.Kind == "plan")
            {
                var job = await GetJobAsync(message.JobId, cancellationToken) ?? throw new InvalidOperationException($"Reprocess job {message.JobId} does not exist.");
                if (job.State != "accepted") return; // a redelivered plan: already expanded
                var targets = await PlanAsync(job, cancellationToken);
                await queues.SendManyAsync(StorageNames.ReprocessQueue, targets.Select(t => new ReprocessMessage(job.RowKey, "article", t.SourceId, t.ArticleId)), cancellationToken);
                return;
            }
            await ReprocessOneAsync(message.JobId, message.SourceId!, message.ArticleId!, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && dequeueCount >= maxDequeueCount)
        {
            var reason = $"gave up after {dequeueCount} attempts: {e.GetType().Name}: {e.Message}";
            if (message.Kind == "plan")
                await MutateJobAsync(message.JobId, j =>
                {
                    j.State = "failed";
                    j.CompletedAt = DateTimeOffset.UtcNow;
                    AppendErrors(j, [reason]);
                }, cancellationToken);
            else
                await CountAsync(message.JobId, message.ArticleId ?? "", new ArticleOutcome(ArticleResult.Failed, "", message.ArticleId, reason), cancellationToken);
            throw;
        }
    }

    public async Task<ReprocessJobStatus?> GetStatusAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await GetJobAsync(jobId, cancellationToken);
        return job is null ? null : new ReprocessJobStatus(job.RowKey, job.State, job.Mode, job.Queued, job.Done, job.Unchanged, job.Failed, job.CreatedAt, job.CompletedAt,
            string.IsNullOrEmpty(job.Errors) ? [] : job.Errors.Split('\n'));
    }

    private async Task<ReprocessJobEntity> CreateJobAsync(ReprocessRequest request, CancellationToken cancellationToken)
    {
        await _jobs.CreateIfNotExistsAsync(cancellationToken);
        var job = new ReprocessJobEntity
        {
            RowKey = $"{DateTimeOffset.UtcNow.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..8]}",
            Mode = request.Mode ?? ReprocessMode.Archive,
            SourceId = request.SourceId,
            From = request.From,
            To = request.To,
            ArticleIds = request.ArticleIds is null ? null : string.Join(",", request.ArticleIds),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await _jobs.AddEntityAsync(job, cancellationToken);
        return job;
    }

    private async Task<IReadOnlyList<(string SourceId, string ArticleId)>> PlanAsync(ReprocessJobEntity job, CancellationToken cancellationToken)
    {
        var targets = new List<(string, string)>();
        var errors = new List<string>();
        if (job.ArticleIds is not null)
        {
            var wanted = job.ArticleIds.Split(',').ToHashSet();
            await foreach (var row in articles.ListAsync(null, null, null, cancellationToken))
                if (wanted.Remove(row.RowKey)) targets.Add((row.PartitionKey, row.RowKey));
            errors.AddRange(wanted.Select(id => $"{id}: no such article"));
        }
        else
        {
            var vietnam = TimeSpan.FromHours(7);
            var from = new DateTimeOffset(DateOnly.Parse(job.From!, CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), vietnam);
            var to = new DateTimeOffset(DateOnly.Parse(job.To!, CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), vietnam).AddDays(1);
            await foreach (var row in articles.ListAsync(job.SourceId, from, to, cancellationToken))
                if (row.Status == ArticleStatus.Stored) targets.Add((row.PartitionKey, row.RowKey));
        }
        await MutateJobAsync(job.RowKey, j =>
        {
            j.Queued = targets.Count;
            j.Failed += errors.Count;
            j.State = targets.Count == 0 ? "completed" : "running";
            if (targets.Count == 0) j.CompletedAt = DateTimeOffset.UtcNow;
            AppendErrors(j, errors);
        }, cancellationToken);
        return targets;
    }

    private async Task<ArticleOutcome> ReprocessOneAsync(string jobId, string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var job = await GetJobAsync(jobId, cancellationToken);
        var row = await articles.GetRowAsync(sourceId, articleId, cancellationToken);
        ArticleOutcome outcome;
        if (row is null || job is null)
            outcome = new ArticleOutcome(ArticleResult.Failed, "", articleId, "no such article");
        else
        {
            var registry = await registryLoader.LoadAsync(cancellationToken);
            var source = registry.Find(sourceId);
            if (job.Mode == ReprocessMode.Refetch)
                outcome = source is null
                    ? new ArticleOutcome(ArticleResult.Failed, row.Url ?? "", articleId, $"source '{sourceId}' is not registered: refetch refused")
                    : await processor.ProcessAsync(new ArticleMessage(jobId, sourceId, row.Url!, FetchMode.Refetch), source, cancellationToken);
            else
                outcome = await processor.ReextractFromArchiveAsync(row, source ?? new SourceDefinition { Id = sourceId, District = row.District }, jobId, cancellationToken);
        }
        await CountAsync(jobId, articleId, outcome, cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Counts one article's outcome on the job once: the job row and a marker row for the article are written in
    /// one transaction, so a redelivered message finds its marker and counts nothing again.
    /// </summary>
    private async Task CountAsync(string jobId, string articleId, ArticleOutcome outcome, CancellationToken cancellationToken)
    {
        await _jobs.CreateIfNotExistsAsync(cancellationToken);
        var marker = new TableEntity(ReprocessJobEntity.Partition, $"{jobId}|{articleId}") { ["Result"] = outcome.Result.ToString() };
        for (var attempt = 0; ; attempt++)
        {
            var job = await GetJobAsync(jobId, cancellationToken) ?? throw new InvalidOperationException($"Reprocess job {jobId} does not exist.");
            switch (outcome.Result)
            {
                case ArticleResult.Unchanged: job.Unchanged++; break;
                case ArticleResult.Failed or ArticleResult.Skipped: job.Failed++; AppendErrors(job, [$"{articleId}: {outcome.Reason}"]); break;
                default: job.Done++; break;
            }
            if (job.Done + job.Unchanged + job.Failed >= job.Queued && job.State == "running")
            {
                job.State = "completed";
                job.CompletedAt = DateTimeOffset.UtcNow;
            }
            try
            {
                await _jobs.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, job, job.ETag),
                    new TableTransactionAction(TableTransactionActionType.Add, marker),
                ], cancellationToken);
                return;
            }
            catch (TableTransactionFailedException) when (attempt < 50)
            {
                if ((await _jobs.GetEntityIfExistsAsync<TableEntity>(marker.PartitionKey, marker.RowKey, cancellationToken: cancellationToken)).HasValue)
                    return; // counted by an earlier delivery
                await Task.Delay(Random.Shared.Next(5, 50), cancellationToken); // the job row moved on: count again on the fresh row
            }
        }
    }

    private async Task<ReprocessJobEntity?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(jobId)) return null;
        await _jobs.CreateIfNotExistsAsync(cancellationToken);
        var row = await _jobs.GetEntityIfExistsAsync<ReprocessJobEntity>(ReprocessJobEntity.Partition, jobId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    private async Task MutateJobAsync(string jobId, Action<ReprocessJobEntity> change, CancellationToken cancellationToken)
    {
        await _jobs.CreateIfNotExistsAsync(cancellationToken);
        await TableRows.MutateAsync(_jobs, ReprocessJobEntity.Partition, jobId, change, cancellationToken);
    }

    private static void AppendErrors(ReprocessJobEntity job, IReadOnlyCollection<string> errors) => job.Errors = TableRows.AppendLines(job.Errors, errors);

    private static RequestProblem Problem(string title, string detail, string field, string message) =>
        new(title, detail, new Dictionary<string, string[]> { [field] = [message] });

    [GeneratedRegex(@"^[0-9a-f]{16}\z")] // \z: "$" would let a trailing newline through
    private static partial Regex ArticleIdPattern();
}
