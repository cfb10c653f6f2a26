using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Css.Parser;
using Json.Pointer;
using Json.Schema;

namespace FeedIngest.Core.Sources;

/// <summary>
/// Checks a registry document before it is used and reports every problem at once, each as
/// "$.sources[2].baseUrl: not an absolute http(s) URL". Two passes: the shipped sources.schema.json (embedded,
/// evaluated by JsonSchema.Net — types, required and unknown properties, ranges, patterns), then what a schema
/// cannot say: unique ids, URLs that parse, regular expressions and CSS selectors that compile, a discovery channel.
/// </summary>
public static partial class SourceRegistryValidator
{
    private static readonly Lazy<(JsonSchema Schema, JsonNode Node)> Schema = new(LoadSchema);

    public static IReadOnlyList<string> Validate(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return [$"$: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message.Split(" Path:")[0]}"];
        }
        if (root is not JsonObject) return ["$: must be an object with a \"sources\" array"];

        var problems = new List<Problem>();
        SchemaProblems(root, problems);
        SemanticProblems(root, problems);
        // Grouped by source, in path order; one message per path and text.
        return problems.OrderBy(p => p.Path, PathComparer.Instance).Select(p => $"{p.Path}: {p.Message}").Distinct().ToList();
    }

    private sealed record Problem(string Path, string Message);

    private static void SchemaProblems(JsonNode root, List<Problem> problems)
    {
        var (schema, schemaNode) = Schema.Value;
        var results = schema.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return;
        foreach (var detail in results.Details.Where(d => d.HasErrors))
        {
            // The discovery-channel anyOf is reported once, by the semantic pass, in words.
            if (detail.EvaluationPath.Any(s => s == "anyOf")) continue;
            var path = ToJsonPath(detail.InstanceLocation);
            var at = SchemaAt(schemaNode, detail.SchemaLocation);
            var instance = detail.InstanceLocation.TryEvaluate(root, out var node) ? node : null;
            foreach (var (keyword, message) in detail.Errors!)
            {
                var last = detail.EvaluationPath.Count > 0 ? detail.EvaluationPath[^1] : "";
                if (last == "additionalProperties")
                {
                    var parent = SchemaAt(schemaNode, ParentLocation(detail.SchemaLocation));
                    var known = parent?["properties"] is JsonObject props ? string.Join(", ", props.Select(p => p.Key)) : "";
                    problems.Add(new(path, $"unknown property (known: {known})"));
                    continue;
                }
                problems.AddRange(Describe(keyword, message, path, at, instance));
            }
        }
    }

    private static IEnumerable<Problem> Describe(string keyword, string message, string path, JsonNode? schema, JsonNode? instance)
    {
        switch (keyword)
        {
            case "required":
                var present = instance as JsonObject;
                foreach (var name in (schema?["required"] as JsonArray ?? []).Select(n => n!.GetValue<string>()))
                    if (present is null || !present.ContainsKey(name)) yield return new($"{path}.{name}", "required");
                yield break;
            case "type":
                yield return new(path, $"must be {TypeWords(schema?["type"])}");
                yield break;
            case "minimum" or "maximum":
                yield return new(path, $"{instance?.ToJsonString()} is outside {schema?["minimum"]}..{schema?["maximum"]}");
                yield break;
            case "minItems" when path == "$.sources":
                yield return new(path, "must list at least one source");
                yield break;
            case "minLength":
                yield return new(path, "must not be empty");
                yield break;
            case "pattern":
                var value = instance?.GetValue<string>();
                if (path.EndsWith(".id", StringComparison.Ordinal))
                    yield return new(path, $"\"{value}\" must be 1-63 lower-case letters, digits or '-' (it becomes a blob prefix and PartitionKey)");
                else if (path.Contains(".hosts[", StringComparison.Ordinal))
                    yield return new(path, $"\"{value}\" is not a host name (no scheme, path or port)");
                else if (path.EndsWith(".pageUrlTemplate", StringComparison.Ordinal))
                    yield return new(path, "must contain the placeholder {page}");
                else
                    yield return new(path, $"not an absolute http(s) URL: \"{value}\"");
                yield break;
            default:
                yield return new(path, message);
                yield break;
        }
    }

    private static void SemanticProblems(JsonNode root, List<Problem> problems)
    {
        if (root["sources"] is not JsonArray sources) return;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is not JsonObject source) continue;
            var path = $"$.sources[{i}]";
            if (Text(source["id"]) is { } id && IdPattern().IsMatch(id))
            {
                if (ids.TryGetValue(id, out var first)) problems.Add(new($"{path}.id", $"duplicate id \"{id}\" (first used at {first})"));
                else ids[id] = path;
            }
            HttpUrl(source["baseUrl"], $"{path}.baseUrl", problems);
            foreach (var name in new[] { "feeds", "sitemaps" })
                if (source[name] is JsonArray urls)
                    for (var j = 0; j < urls.Count; j++) HttpUrl(urls[j], $"{path}.{name}[{j}]", problems);
            if (Text(source["articleUrlPattern"]) is { } pattern)
            {
                try { _ = new Regex(pattern, RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)); }
                catch (ArgumentException ex) { problems.Add(new($"{path}.articleUrlPattern", $"not a valid regular expression: {ex.Message}")); }
            }
            if (source["listings"] is JsonArray listings)
                for (var j = 0; j < listings.Count; j++)
                {
                    if (listings[j] is not JsonObject listing) continue;
                    var at = $"{path}.listings[{j}]";
                    HttpUrl(listing["url"], $"{at}.url", problems);
                    Selector(listing["articleLinkSelector"], $"{at}.articleLinkSelector", problems);
                    Selector(listing["nextPageSelector"], $"{at}.nextPageSelector", problems);
                    if (Text(listing["pageUrlTemplate"]) is { } template && template.Contains("{page}", StringComparison.Ordinal))
                        HttpUrl(JsonValue.Create(template.Replace("{page}", "2", StringComparison.Ordinal)), $"{at}.pageUrlTemplate", problems);
                }
            if (source["extraction"] is JsonObject extraction)
            {
                foreach (var name in new[] { "contentSelector", "titleSelector", "dateSelector" })
                    Selector(extraction[name], $"{path}.extraction.{name}", problems);
                if (extraction["removeSelectors"] is JsonArray remove)
                    for (var j = 0; j < remove.Count; j++) Selector(remove[j], $"{path}.extraction.removeSelectors[{j}]", problems);
            }
            var hasChannel = Count(source["feeds"]) + Count(source["listings"]) + Count(source["sitemaps"]) > 0
                || Bool(source["discoverFeeds"]) == true || Bool(source["useRobotsSitemaps"]) == true;
            if (!hasChannel)
                problems.Add(new(path, "no discovery channel (give feeds, listings or sitemaps, or set discoverFeeds / useRobotsSitemaps)"));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    private static bool? Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
    private static int Count(JsonNode? node) => node is JsonArray a ? a.Count : 0;

    /// <summary>Only for strings the schema accepted as strings: the schema's pattern is a first check, Uri the real one.</summary>
    private static void HttpUrl(JsonNode? node, string path, List<Problem> problems)
    {
        if (Text(node) is not { } value) return;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            problems.Add(new(path, $"not an absolute http(s) URL: \"{value}\""));
    }

    private static void Selector(JsonNode? node, string path, List<Problem> problems)
    {
        if (Text(node) is not { Length: > 0 } selector) return;
        if (new CssSelectorParser().ParseSelector(selector) is null)
            problems.Add(new(path, $"not a valid CSS selector: \"{selector}\""));
    }

    private static string TypeWords(JsonNode? type)
    {
        var names = type is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [type?.GetValue<string>() ?? "?"];
        var words = names.Where(n => n != "null").Select(n => n switch
        {
            "boolean" => "true or false",
            "integer" => "a whole number",
            "array" => "an array",
            "object" => "an object",
            "string" => "a string",
            "number" => "a number",
            _ => n,
        }).ToList();
        return string.Join(" or ", words) + (names.Contains("null") ? " (or null)" : "");
    }

    /// <summary>"/sources/2/listings/0/url" → "$.sources[2].listings[0].url".</summary>
    private static string ToJsonPath(JsonPointer pointer)
    {
        var path = new System.Text.StringBuilder("$");
        foreach (var segment in pointer)
        {
            if (int.TryParse(segment, out var index)) path.Append('[').Append(index).Append(']');
            else path.Append('.').Append(segment);
        }
        return path.ToString();
    }

    private static JsonNode? SchemaAt(JsonNode schema, Uri location)
    {
        var fragment = Uri.UnescapeDataString(location.Fragment.TrimStart('#'));
        if (fragment.Length == 0) return schema;
        return JsonPointer.TryParse(fragment, out var pointer) && pointer!.TryEvaluate(schema, out var node) ? node : null;
    }

    private static Uri ParentLocation(Uri location)
    {
        var text = location.OriginalString;
        var slash = text.LastIndexOf('/');
        return slash > text.IndexOf('#') ? new Uri(text[..slash]) : location;
    }

    private static (JsonSchema, JsonNode) LoadSchema()
    {
        using var stream = typeof(SourceRegistryValidator).Assembly.GetManifestResourceStream("FeedIngest.Core.sources.schema.json")
            ?? throw new InvalidOperationException("sources.schema.json is not embedded in FeedIngest.Core");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var schema = JsonSchema.FromText(text);
        return (schema, JsonNode.Parse(text)!);
    }

    /// <summary>Orders "$.sources[10]" after "$.sources[9]".</summary>
    private sealed partial class PathComparer : IComparer<string>
    {
        public static readonly PathComparer Instance = new();

        public int Compare(string? x, string? y) => string.CompareOrdinal(Key(x ?? ""), Key(y ?? ""));

        private static string Key(string path) => Index().Replace(path, m => "[" + m.Groups[1].Value.PadLeft(6, '0') + "]");

        [GeneratedRegex(@"\[(\d+)\]")]
        private static partial Regex Index();
    }
}
