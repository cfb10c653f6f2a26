using System.Globalization;
using System.Text.RegularExpressions;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

/// <summary>What a reprocess request must say, whoever sends it (HTTP adapter, CLI): every problem with its field.</summary>
public sealed partial class ReprocessRequestValidator(SourceRegistryLoader registryLoader, IOptions<ReprocessOptions> options)
{
    public async Task<RequestProblem?> ValidateAsync(ReprocessRequest request, CancellationToken cancellationToken)
    {
        var registry = await registryLoader.LoadAsync(cancellationToken);
        var errors = Check(request, registry);
        return errors.Count == 0
            ? null
            : new RequestProblem("Invalid reprocess request", string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}.")), errors);
    }

    private Dictionary<string, string[]> Check(ReprocessRequest r, SourceRegistry registry)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var m) ? [.. m, message] : [message];

        var mode = r.Mode ?? ReprocessMode.Archive;
        if (mode is not (ReprocessMode.Archive or ReprocessMode.Refetch)) Add("mode", "must be 'archive' or 'refetch'");
        var maxIds = Math.Min(options.Value.MaxArticleIds, 1_800);
        var byIds = r.ArticleIds is not null;
        var byRange = r.From is not null || r.To is not null || (!byIds && r.SourceId is not null);
        if (byIds == byRange) Add("articleIds", "give either articleIds (optionally with sourceId), or sourceId with from/to — exactly one of them");
        if (byIds)
        {
            if (r.ArticleIds!.Count == 0) Add("articleIds", "must not be empty");
            if (r.ArticleIds.Count > maxIds) Add("articleIds", $"at most {maxIds} ids per request (got {r.ArticleIds.Count})");
            foreach (var id in r.ArticleIds.Where(id => id is null || !ArticleIdPattern().IsMatch(id)).Take(5))
                Add("articleIds", $"'{id}' is not an article id (16 lower-case hex characters)");
            if (r.SourceId is not null && registry.Find(r.SourceId) is null) Add("sourceId", $"unknown source '{r.SourceId}'");
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

    [GeneratedRegex(@"^[0-9a-f]{16}\z")] // \z: "$" would let a trailing newline through
    private static partial Regex ArticleIdPattern();
}
