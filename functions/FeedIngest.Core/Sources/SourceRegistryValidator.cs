using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Css.Parser;

namespace FeedIngest.Core.Sources;

/// <summary>
/// Checks a registry document before it is used and reports every problem at once, each as
/// "$.sources[2].baseUrl: not an absolute http(s) URL". Works on the raw JSON, so type errors and unknown
/// (misspelt) properties are caught with their paths instead of failing deserialization at the first one.
/// Mirrors sources.schema.json, plus what a schema cannot say (unique ids, regexes and CSS selectors that compile).
/// </summary>
public static partial class SourceRegistryValidator
{
    public const int MaxListingPages = 100;
    public const int MaxMinDelayMs = 600_000;
    public const int MaxConcurrencyLimit = 16;

    internal static readonly string[] RootProperties = ["$schema", "sources"];
    internal static readonly string[] SourceProperties =
    [
        "id", "name", "district", "baseUrl", "enabled", "verified", "notes", "feeds", "discoverFeeds", "listings",
        "sitemaps", "useRobotsSitemaps", "hosts", "articleUrlPattern", "politeness", "extraction",
    ];
    internal static readonly string[] ListingProperties = ["url", "articleLinkSelector", "nextPageSelector", "pageUrlTemplate", "maxPages"];
    internal static readonly string[] PolitenessProperties = ["minDelayMs", "maxConcurrency", "obeyRobotsTxt"];
    internal static readonly string[] ExtractionProperties = ["contentSelector", "removeSelectors", "titleSelector", "dateSelector"];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex SourceIdPattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex HostPattern();

    public static IReadOnlyList<string> Validate(string json)
    {
        var problems = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return [$"$: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message.Split(" Path:")[0]}"];
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ["$: must be an object with a \"sources\" array"];
            UnknownProperties(root, "$", RootProperties, problems);
            if (!root.TryGetProperty("sources", out var sources) || sources.ValueKind != JsonValueKind.Array)
            {
                problems.Add("$.sources: required, must be an array");
                return problems;
            }
            if (sources.GetArrayLength() == 0) problems.Add("$.sources: must list at least one source");
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var source in sources.EnumerateArray())
                ValidateSource(source, $"$.sources[{i++}]", ids, problems);
        }
        return problems;
    }

    private static void ValidateSource(JsonElement source, string path, Dictionary<string, string> ids, List<string> problems)
    {
        if (source.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: must be an object");
            return;
        }
        UnknownProperties(source, path, SourceProperties, problems);

        var id = RequiredString(source, path, "id", problems);
        if (id is not null)
        {
            if (!SourceIdPattern().IsMatch(id))
                problems.Add($"{path}.id: \"{id}\" must be 1-63 lower-case letters, digits or '-' (it becomes a blob prefix and PartitionKey)");
            else if (ids.TryGetValue(id, out var first))
                problems.Add($"{path}.id: duplicate id \"{id}\" (first used at {first})");
            else ids[id] = path;
        }
        RequiredString(source, path, "name", problems);
        OptionalString(source, path, "district", problems);
        OptionalString(source, path, "notes", problems);
        var baseUrl = RequiredString(source, path, "baseUrl", problems);
        if (baseUrl is not null) HttpUrl(baseUrl, $"{path}.baseUrl", problems);
        OptionalBool(source, path, "enabled", problems);
        OptionalBool(source, path, "verified", problems);
        OptionalBool(source, path, "discoverFeeds", problems);
        OptionalBool(source, path, "useRobotsSitemaps", problems);

        foreach (var (feed, feedPath) in StringArray(source, path, "feeds", problems)) HttpUrl(feed, feedPath, problems);
        foreach (var (sitemap, sitemapPath) in StringArray(source, path, "sitemaps", problems)) HttpUrl(sitemap, sitemapPath, problems);
        foreach (var (host, hostPath) in StringArray(source, path, "hosts", problems))
            if (!HostPattern().IsMatch(host.ToLowerInvariant()) && !System.Net.IPAddress.TryParse(host, out _))
                problems.Add($"{hostPath}: \"{host}\" is not a host name (no scheme, path or port)");

        var pattern = OptionalString(source, path, "articleUrlPattern", problems);
        if (pattern is not null)
        {
            try { _ = new Regex(pattern, RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)); }
            catch (ArgumentException ex) { problems.Add($"{path}.articleUrlPattern: not a valid regular expression: {ex.Message}"); }
        }

        if (source.TryGetProperty("listings", out var listings))
        {
            if (listings.ValueKind != JsonValueKind.Array) problems.Add($"{path}.listings: must be an array");
            else
            {
                var j = 0;
                foreach (var listing in listings.EnumerateArray()) ValidateListing(listing, $"{path}.listings[{j++}]", problems);
            }
        }

        var hasChannel = Count(source, "feeds") + Count(source, "listings") + Count(source, "sitemaps") > 0
            || Bool(source, "discoverFeeds") == true || Bool(source, "useRobotsSitemaps") == true;
        if (!hasChannel)
            problems.Add($"{path}: no discovery channel (give feeds, listings or sitemaps, or set discoverFeeds / useRobotsSitemaps)");

        if (source.TryGetProperty("politeness", out var politeness))
        {
            var p = $"{path}.politeness";
            if (politeness.ValueKind != JsonValueKind.Object) problems.Add($"{p}: must be an object");
            else
            {
                UnknownProperties(politeness, p, PolitenessProperties, problems);
                IntInRange(politeness, p, "minDelayMs", 0, MaxMinDelayMs, problems);
                IntInRange(politeness, p, "maxConcurrency", 1, MaxConcurrencyLimit, problems);
                OptionalBool(politeness, p, "obeyRobotsTxt", problems);
            }
        }

        if (source.TryGetProperty("extraction", out var extraction) && extraction.ValueKind != JsonValueKind.Null)
        {
            var e = $"{path}.extraction";
            if (extraction.ValueKind != JsonValueKind.Object) problems.Add($"{e}: must be an object");
            else
            {
                UnknownProperties(extraction, e, ExtractionProperties, problems);
                foreach (var name in new[] { "contentSelector", "titleSelector", "dateSelector" })
                    Selector(OptionalString(extraction, e, name, problems), $"{e}.{name}", problems);
                foreach (var (selector, selectorPath) in StringArray(extraction, e, "removeSelectors", problems))
                    Selector(selector, selectorPath, problems);
            }
        }
    }

    private static void ValidateListing(JsonElement listing, string path, List<string> problems)
    {
        if (listing.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: must be an object");
            return;
        }
        UnknownProperties(listing, path, ListingProperties, problems);
        var url = RequiredString(listing, path, "url", problems);
        if (url is not null) HttpUrl(url, $"{path}.url", problems);
        Selector(OptionalString(listing, path, "articleLinkSelector", problems), $"{path}.articleLinkSelector", problems);
        Selector(OptionalString(listing, path, "nextPageSelector", problems), $"{path}.nextPageSelector", problems);
        var template = OptionalString(listing, path, "pageUrlTemplate", problems);
        if (template is not null)
        {
            if (!template.Contains("{page}", StringComparison.Ordinal))
                problems.Add($"{path}.pageUrlTemplate: must contain the placeholder {{page}}");
            else HttpUrl(template.Replace("{page}", "2", StringComparison.Ordinal), $"{path}.pageUrlTemplate", problems);
        }
        IntInRange(listing, path, "maxPages", 1, MaxListingPages, problems);
    }

    private static void UnknownProperties(JsonElement obj, string path, string[] known, List<string> problems)
    {
        foreach (var property in obj.EnumerateObject())
            if (!known.Contains(property.Name, StringComparer.Ordinal))
                problems.Add($"{path}.{property.Name}: unknown property (known: {string.Join(", ", known)})");
    }

    private static string? RequiredString(JsonElement obj, string path, string name, List<string> problems)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{path}.{name}: required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{path}.{name}: must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Add($"{path}.{name}: must not be empty");
            return null;
        }
        return text;
    }

    private static string? OptionalString(JsonElement obj, string path, string name, List<string> problems)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        problems.Add($"{path}.{name}: must be a string");
        return null;
    }

    private static void OptionalBool(JsonElement obj, string path, string name, List<string> problems)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            problems.Add($"{path}.{name}: must be true or false");
    }

    private static bool? Bool(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static int Count(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0;

    private static void IntInRange(JsonElement obj, string path, string name, int min, int max, List<string> problems)
    {
        if (!obj.TryGetProperty(name, out var value)) return;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            problems.Add($"{path}.{name}: must be a whole number");
        else if (number < min || number > max)
            problems.Add($"{path}.{name}: {number} is outside {min}..{max}");
    }

    private static IEnumerable<(string Value, string Path)> StringArray(JsonElement obj, string path, string name, List<string> problems)
    {
        if (!obj.TryGetProperty(name, out var array)) yield break;
        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}.{name}: must be an array of strings");
            yield break;
        }
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = $"{path}.{name}[{i++}]";
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
                problems.Add($"{itemPath}: must be a non-empty string");
            else yield return (item.GetString()!, itemPath);
        }
    }

    private static void HttpUrl(string value, string path, List<string> problems)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            problems.Add($"{path}: not an absolute http(s) URL: \"{value}\"");
    }

    private static void Selector(string? selector, string path, List<string> problems)
    {
        if (selector is null) return;
        if (new CssSelectorParser().ParseSelector(selector) is null)
            problems.Add($"{path}: not a valid CSS selector: \"{selector}\"");
    }
}
