using System.Text.Json.Nodes;
using Json.Schema;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>schemas/*.json (JSON Schema 2020-12) as published in docs/CONTRACT.md, copied beside the tests.</summary>
public static class ContractSchemas
{
    public static JsonSchema Article { get; } = Load("article.schema.json");
    public static JsonSchema ArticleEvent { get; } = Load("article-event.schema.json");

    public static JsonObject ArticleText { get; } = LoadNode("article.schema.json");

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Every violation ("instance location: message"); empty when valid.</summary>
    public static IReadOnlyList<string> Violations(this JsonSchema schema, string json)
    {
        var result = schema.Evaluate(JsonNode.Parse(json), Options);
        if (result.IsValid) return [];
        return result.Details
            .Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .ToList();
    }

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "schemas", file);

    private static JsonSchema Load(string file) => JsonSchema.FromText(File.ReadAllText(PathOf(file)));

    private static JsonObject LoadNode(string file) => JsonNode.Parse(File.ReadAllText(PathOf(file)))!.AsObject();
}
