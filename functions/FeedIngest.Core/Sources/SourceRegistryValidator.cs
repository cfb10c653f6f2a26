using System.Text.RegularExpressions;

namespace FeedIngest.Core.Sources;

/// <summary>A registry that cannot be harvested, with every problem and its JSON path.</summary>
public sealed class SourceRegistryException(string file, IReadOnlyList<string> problems)
    : Exception($"{file}: {problems.Count} problem(s): {string.Join("; ", problems)}")
{
    public string File { get; } = file;
    public IReadOnlyList<string> Problems { get; } = problems;
}

public static partial class SourceRegistryValidator
{
    public static IReadOnlyList<string> Validate(SourceRegistry registry)
    {
        var problems = new List<string>();
        if (registry.Sources is null || registry.Sources.Count == 0) problems.Add("$.sources: at least one source is required");
        var seen = new HashSet<string>();
        for (var i = 0; i < (registry.Sources?.Count ?? 0); i++)
        {
            var s = registry.Sources![i];
            var at = $"$.sources[{i}]";
            if (string.IsNullOrWhiteSpace(s.Id) || !IdPattern().IsMatch(s.Id)) problems.Add($"{at}.id: required, lower-case letters, digits and '-' (got '{s.Id}')");
            else if (!seen.Add(s.Id)) problems.Add($"{at}.id: duplicate id '{s.Id}'");
            if (string.IsNullOrWhiteSpace(s.Name)) problems.Add($"{at}.name: required");
            if (!IsHttpUrl(s.BaseUrl)) problems.Add($"{at}.baseUrl: not an absolute http(s) URL ('{s.BaseUrl}')");
            for (var f = 0; f < s.Feeds.Count; f++)
                if (!IsHttpUrl(s.Feeds[f])) problems.Add($"{at}.feeds[{f}]: not an absolute http(s) URL ('{s.Feeds[f]}')");
            for (var l = 0; l < s.Listings.Count; l++)
            {
                if (!IsHttpUrl(s.Listings[l].Url)) problems.Add($"{at}.listings[{l}].url: not an absolute http(s) URL ('{s.Listings[l].Url}')");
                if (s.Listings[l].MaxPages is < 1 or > 1000) problems.Add($"{at}.listings[{l}].maxPages: must be 1–1000");
            }
            for (var m = 0; m < s.Sitemaps.Count; m++)
                if (!IsHttpUrl(s.Sitemaps[m])) problems.Add($"{at}.sitemaps[{m}]: not an absolute http(s) URL ('{s.Sitemaps[m]}')");
            if (s.Feeds.Count + s.Listings.Count + s.Sitemaps.Count == 0 && !s.DiscoverFeeds && !s.UseRobotsSitemaps)
                problems.Add($"{at}: no feeds, listings or sitemaps — nothing to discover");
            if (s.Politeness.MinDelayMs < 0) problems.Add($"{at}.politeness.minDelayMs: must be ≥ 0");
            if (s.Politeness.MaxConcurrency < 1) problems.Add($"{at}.politeness.maxConcurrency: must be ≥ 1");
            if (s.ArticleUrlPattern is { } pattern)
            {
                try { _ = new Regex(pattern); }
                catch (ArgumentException e) { problems.Add($"{at}.articleUrlPattern: invalid regular expression ({e.Message})"); }
            }
        }
        return problems;
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();
}
