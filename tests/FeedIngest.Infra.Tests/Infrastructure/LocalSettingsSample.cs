using System.Text.Json.Nodes;

namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>The app settings the app reads, as local.settings.sample.json at the repository root names them.</summary>
public static class LocalSettingsSample
{
    public static string FilePath => RepositoryRoot.Combine("local.settings.sample.json");

    public static IReadOnlyDictionary<string, string> Values()
    {
        var root = JsonNode.Parse(File.ReadAllText(FilePath))!.AsObject();
        return root["Values"]!.AsObject()
            .ToDictionary(setting => setting.Key, setting => setting.Value?.ToString() ?? "", StringComparer.Ordinal);
    }

    /// <summary>
    /// A setting that holds a storage connection string locally (Azurite's shortcut or a full string). In Azure such
    /// a connection is identity-based: <c>Name__credential</c>, <c>Name__clientId</c> and service URIs instead.
    /// </summary>
    public static bool IsStorageConnection(string name, string value) =>
        name == "AzureWebJobsStorage"
        || value.StartsWith("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase)
        || ConnectionStringKeys.Any(key => value.Contains(key, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] ConnectionStringKeys =
    [
        "DefaultEndpointsProtocol=", "AccountName=", "AccountKey=", "BlobEndpoint=", "QueueEndpoint=", "TableEndpoint=",
    ];
}
