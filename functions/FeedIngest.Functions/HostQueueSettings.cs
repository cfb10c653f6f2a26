using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace FeedIngest.Functions;

/// <summary>
/// host.json's <c>extensions.queues.maxDequeueCount</c>, resolved the way the host resolves it: the app setting
/// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> wins over host.json, and the queue extension's
/// default (5) applies when neither sets it. The worker reads the host's own sources instead of keeping a copy, so
/// the delivery it treats as the last one is the one after which the host moves the message to <c>&lt;queue&gt;-poison</c>.
/// </summary>
public sealed class HostQueueSettings(int maxDequeueCount)
{
    /// <summary>The configuration key of the app-setting override (environment variable with <c>__</c> for <c>:</c>).</summary>
    public const string OverrideKey = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";
    public const int ExtensionDefault = 5;

    public int MaxDequeueCount { get; } = maxDequeueCount;

    /// <summary>The settings of the app whose host.json is in the worker's own folder (the build output the host runs).</summary>
    public static HostQueueSettings ForThisApp(IConfiguration configuration) =>
        Read(configuration, Path.Combine(AppContext.BaseDirectory, "host.json"));

    public static HostQueueSettings Read(IConfiguration configuration, string hostJsonPath)
    {
        var value = configuration[OverrideKey] ?? ReadHostJson(hostJsonPath);
        if (value is null) return new HostQueueSettings(ExtensionDefault);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            throw new InvalidOperationException(
                $"extensions.queues.maxDequeueCount must be a positive whole number (host.json, or the app setting {OverrideKey.Replace(":", "__", StringComparison.Ordinal)}); it is '{value}'.");
        return new HostQueueSettings(count);
    }

    private static string? ReadHostJson(string path)
    {
        if (!File.Exists(path)) return null;
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return root?["extensions"]?["queues"]?["maxDequeueCount"]?.ToJsonString();
    }
}
