using System.Text.Json.Nodes;

namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>The resources and outputs `bicep snapshot` predicts for one set of parameters.</summary>
public sealed class InfraSnapshot(JsonObject root)
{
    public IReadOnlyList<JsonObject> Resources { get; } =
        root["predictedResources"]!.AsArray().Select(node => node!.AsObject()).ToList();

    public JsonObject Outputs { get; } = root["outputs"]!.AsObject();

    public IReadOnlyList<JsonObject> ResourcesOfType(string type) =>
        Resources.Where(resource => string.Equals((string?)resource["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject Single(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    public JsonObject StorageAccount => Single("Microsoft.Storage/storageAccounts");

    public JsonObject FunctionApp => Single("Microsoft.Web/sites");

    public JsonObject Identity => Single("Microsoft.ManagedIdentity/userAssignedIdentities");

    public JsonObject ApplicationInsights => Single("Microsoft.Insights/components");

    /// <summary>The function app's app settings, as name → value (values may be unresolved ARM expressions).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        ResourcesOfType("Microsoft.Web/sites/config")
            .Single(config => ((string)config["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!
            .AsObject()
            .ToDictionary(setting => setting.Key, setting => setting.Value!.ToString(), StringComparer.Ordinal);

    /// <summary>Names of the child resources of a type, without their parents' prefix.</summary>
    public IReadOnlyList<string> ChildNames(string type) =>
        ResourcesOfType(type).Select(resource => ((string)resource["name"]!).Split('/')[^1]).ToList();
}
