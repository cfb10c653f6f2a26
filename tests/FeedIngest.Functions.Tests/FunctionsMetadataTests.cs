using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using FeedIngest.Core.Storage;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.Functions.Tests;

/// <summary>What the real Functions host reads from the build output: the function index, host.json and the extensions.</summary>
public sealed partial class FunctionsMetadataTests
{
    private static readonly JsonArray Metadata = JsonNode.Parse(File.ReadAllText(FunctionsBuildOutput.FilePath("functions.metadata")))!.AsArray();

    private static JsonObject Function(string name) =>
        Metadata.Select(f => f!.AsObject()).SingleOrDefault(f => (string?)f["name"] == name)
        ?? throw new Xunit.Sdk.XunitException($"functions.metadata has no function '{name}'");

    private static JsonObject Trigger(string name) =>
        Function(name)["bindings"]!.AsArray().Select(b => b!.AsObject()).Single(b => ((string)b["type"]!).EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void TheIndexListsExactlyTheAppsFunctions()
    {
        var names = Metadata.Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["Dashboard", "DiscoverSource", "GetArticle", "GetArticleCluster", "HarvestTimer", "Health", "ProcessArticle", "Reprocess", "ReprocessStatus", "ReprocessWorker", "Status"], names);
    }

    [Fact]
    public void EveryEntryPointNamesAPublicMethodOfTheFunctionsAssembly()
    {
        var assembly = typeof(HarvestTimer).Assembly;

        foreach (var function in Metadata.Select(f => f!.AsObject()))
        {
            var entryPoint = (string)function["entryPoint"]!;
            var type = assembly.GetType(entryPoint[..entryPoint.LastIndexOf('.')]);
            Assert.NotNull(type);
            Assert.NotNull(type.GetMethod(entryPoint[(entryPoint.LastIndexOf('.') + 1)..], BindingFlags.Public | BindingFlags.Instance));
            Assert.Equal("FeedIngest.Functions.dll", (string?)function["scriptFile"]);
        }
    }

    [Fact]
    public void TheHarvestTimerRunsOnTheHarvestScheduleSetting()
    {
        var trigger = Trigger("HarvestTimer");

        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal("%HarvestSchedule%", (string?)trigger["schedule"]);
        Assert.Null(trigger["runOnStartup"]);
    }

    [Theory]
    [InlineData("DiscoverSource", StorageNames.DiscoverQueue)]
    [InlineData("ProcessArticle", StorageNames.ArticlesQueue)]
    [InlineData("ReprocessWorker", StorageNames.ReprocessQueue)]
    public void QueueStagesListenOnTheirQueueThroughTheFeedIngestStorageConnection(string function, string queue)
    {
        var trigger = Trigger(function);

        Assert.Equal("queueTrigger", (string?)trigger["type"]);
        Assert.Equal(queue, (string?)trigger["queueName"]);
        Assert.Equal("FeedIngestStorage", (string?)trigger["connection"]);
    }

    [Theory]
    [InlineData("Reprocess", "post", "reprocess", "Function")]
    [InlineData("ReprocessStatus", "get", "reprocess/{jobId}", "Function")]
    [InlineData("GetArticle", "get", "articles/{sourceId}/{articleId}", "Function")]
    [InlineData("GetArticleCluster", "get", "articles/{sourceId}/{articleId}/cluster", "Function")]
    [InlineData("Health", "get", "health", "Anonymous")]
    [InlineData("Status", "get", "status", "Function")]
    [InlineData("Dashboard", "get", "dashboard", "Function")]
    public void HttpFunctionsHaveTheirRouteMethodAndAuthorizationLevel(string function, string method, string route, string authLevel)
    {
        var trigger = Trigger(function);

        Assert.Equal("httpTrigger", (string?)trigger["type"]);
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => (string)m!).ToArray());
        Assert.Equal(route, (string?)trigger["route"]);
        Assert.Equal(authLevel, (string?)trigger["authLevel"]);
        Assert.Contains(Function(function)["bindings"]!.AsArray(), b => (string?)b!["type"] == "http" && (string?)b["direction"] == "Out");
    }

    [Fact]
    public void HostJsonIsInTheOutputAsVersionTwoWithoutAnExtensionBundle()
    {
        var host = JsonNode.Parse(File.ReadAllText(FunctionsBuildOutput.FilePath("host.json")))!.AsObject();

        Assert.Equal("2.0", (string?)host["version"]);
        Assert.False(host.ContainsKey("extensionBundle"), "isolated apps load extensions from the build output, not a bundle");
    }

    [Fact]
    public void HostJsonQueueSettingsMatchWhatTheAppAssumes()
    {
        var queues = JsonNode.Parse(File.ReadAllText(FunctionsBuildOutput.FilePath("host.json")))!["extensions"]!["queues"]!;

        // The worker reads the same file (and the same app-setting override) as the host: no copy to drift.
        Assert.Equal((int)queues["maxDequeueCount"]!, FunctionsTestHost.MaxDequeueCount);
        var overridden = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [HostQueueSettings.OverrideKey] = "2" }).Build();
        Assert.Equal(2, HostQueueSettings.Read(overridden, FunctionsBuildOutput.FilePath("host.json")).MaxDequeueCount);
        // Everything the app enqueues is Base64 (WorkQueues, the CLI); the trigger must decode the same way.
        Assert.Equal("base64", ((string?)queues["messageEncoding"])?.ToLowerInvariant());
        Assert.True(TimeSpan.Parse((string)queues["maxPollingInterval"]!, System.Globalization.CultureInfo.InvariantCulture) <= TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void TheWorkerConfigAndTheQueueExtensionAreInTheOutput()
    {
        var worker = JsonNode.Parse(File.ReadAllText(FunctionsBuildOutput.FilePath("worker.config.json")))!;
        var extensions = JsonNode.Parse(File.ReadAllText(FunctionsBuildOutput.FilePath("extensions.json")))!["extensions"]!.AsArray();

        Assert.Equal("dotnet-isolated", (string?)worker["description"]!["language"]);
        Assert.Equal("FeedIngest.Functions.dll", (string?)worker["description"]!["defaultWorkerPath"]);
        var queues = Assert.Single(extensions, e => (string?)e!["name"] == "AzureStorageQueues")!;
        var hintPath = ((string)queues["hintPath"]!).Replace('/', Path.DirectorySeparatorChar);
        Assert.StartsWith($".{Path.DirectorySeparatorChar}.azurefunctions{Path.DirectorySeparatorChar}", hintPath);
        Assert.True(File.Exists(Path.Combine(FunctionsBuildOutput.Directory, hintPath)), $"{hintPath} is missing from the output");
    }

    [Fact]
    public void TheSampleSettingsListEverySettingTheFunctionsName()
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json")))!["Values"]!.AsObject();
        var referenced = SettingReference().Matches(File.ReadAllText(FunctionsBuildOutput.FilePath("functions.metadata")))
            .Select(m => m.Groups[1].Value)
            .Concat(Metadata.SelectMany(f => f!["bindings"]!.AsArray()).Select(b => (string?)b!["connection"]).OfType<string>())
            .Append("AzureWebJobsStorage")
            .Append("FUNCTIONS_WORKER_RUNTIME")
            .Distinct();

        foreach (var setting in referenced)
            Assert.True(sample.ContainsKey(setting), $"local.settings.sample.json does not list '{setting}'");
        Assert.Equal("dotnet-isolated", (string?)sample["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [GeneratedRegex("%([A-Za-z0-9_:]+)%")]
    private static partial Regex SettingReference();
}
