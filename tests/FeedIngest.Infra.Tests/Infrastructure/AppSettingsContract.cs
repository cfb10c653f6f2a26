namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>
/// The rule that ties the app settings infra sets to the ones the app reads (local.settings.sample.json):
/// <list type="bullet">
/// <item>FUNCTIONS_WORKER_RUNTIME is not an app setting on Flex Consumption (the runtime is in functionAppConfig);</item>
/// <item>a setting that holds a storage connection string locally appears in Azure only as identity-based
/// <c>Name__…</c> settings: <c>__credential</c> = managedidentity, <c>__clientId</c>, and service URIs or an account name;</item>
/// <item>every other name appears exactly, and infra sets no name the sample lacks except APPLICATIONINSIGHTS_*.</item>
/// </list>
/// </summary>
public static class AppSettingsContract
{
    public const string WorkerRuntimeSetting = "FUNCTIONS_WORKER_RUNTIME";
    public const string ApplicationInsightsPrefix = "APPLICATIONINSIGHTS_";

    /// <summary>Suffixes the Functions host and the Azure SDK understand for an identity-based connection.</summary>
    public static readonly IReadOnlySet<string> IdentityConnectionSuffixes = new HashSet<string>(StringComparer.Ordinal)
    {
        "credential", "clientId", "accountName", "serviceUri", "blobServiceUri", "queueServiceUri", "tableServiceUri", "fileServiceUri",
    };

    /// <summary>Every way <paramref name="infra"/> breaks the rule; empty when it holds.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string> sample, IReadOnlyDictionary<string, string> infra)
    {
        var problems = new List<string>();
        var connections = sample.Where(setting => LocalSettingsSample.IsStorageConnection(setting.Key, setting.Value))
            .Select(setting => setting.Key)
            .ToHashSet(StringComparer.Ordinal);
        var plainNames = sample.Keys
            .Where(name => name != WorkerRuntimeSetting && !connections.Contains(name))
            .ToHashSet(StringComparer.Ordinal);

        if (infra.ContainsKey(WorkerRuntimeSetting))
        {
            problems.Add($"{WorkerRuntimeSetting} is set; on Flex Consumption the runtime belongs in functionAppConfig.runtime.");
        }

        problems.AddRange(plainNames.Where(name => !infra.ContainsKey(name)).Select(name => $"{name} is read by the app but not set."));

        foreach (var connection in connections)
        {
            if (infra.ContainsKey(connection))
            {
                problems.Add($"{connection} is set as a connection string; it must be identity-based ({connection}__…).");
            }

            var prefix = connection + "__";
            if (!infra.TryGetValue(prefix + "credential", out var credential) || credential != "managedidentity")
            {
                problems.Add($"{prefix}credential must be 'managedidentity'.");
            }

            if (!infra.ContainsKey(prefix + "clientId"))
            {
                problems.Add($"{prefix}clientId is missing: the app runs as a user-assigned identity.");
            }

            if (!infra.ContainsKey(prefix + "accountName") && !infra.Keys.Any(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith("serviceUri", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{connection} names no account: set {prefix}accountName or {prefix}<service>ServiceUri.");
            }
        }

        foreach (var name in infra.Keys)
        {
            var separator = name.IndexOf("__", StringComparison.Ordinal);
            var isConnectionPart = separator > 0
                && connections.Contains(name[..separator])
                && IdentityConnectionSuffixes.Contains(name[(separator + 2)..]);
            var reportedAbove = name == WorkerRuntimeSetting || connections.Contains(name);
            if (!reportedAbove && !plainNames.Contains(name) && !isConnectionPart && !name.StartsWith(ApplicationInsightsPrefix, StringComparison.Ordinal))
            {
                problems.Add($"{name} is set by infra but local.settings.sample.json does not name it.");
            }
        }

        foreach (var (name, value) in infra)
        {
            if (value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || value.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{name} holds a storage key or SAS.");
            }
        }

        return problems;
    }
}
