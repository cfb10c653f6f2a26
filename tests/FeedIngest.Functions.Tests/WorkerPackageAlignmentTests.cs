using System.Text.Json.Nodes;
using FeedIngest.Functions.Tests.Infrastructure;

namespace FeedIngest.Functions.Tests;

/// <summary>
/// The worker's core assemblies (Worker, Worker.Core, Worker.Grpc) call each other's internals, so they only work
/// at one version: Worker.Core 2.52.0 beside Worker.Grpc 2.51.0 failed every invocation under the real host
/// ("Method not found: DefaultTraceContext..ctor") while every in-process test passed. This reads what the build
/// resolved (FeedIngest.Functions.deps.json, the file the worker's loader follows), not what the project asked for.
/// </summary>
public sealed class WorkerPackageAlignmentTests
{
    private static readonly string[] CoreAssemblies =
        ["Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Core", "Microsoft.Azure.Functions.Worker.Grpc"];

    [Fact]
    public void TheWorkerCoreAssembliesResolveToOneVersion()
    {
        var resolved = ResolvedPackages();

        var versions = CoreAssemblies.ToDictionary(name => name, name =>
            resolved.TryGetValue(name, out var version) ? version : throw new Xunit.Sdk.XunitException($"{name} is not in the deps.json"));

        Assert.True(versions.Values.Distinct().Count() == 1,
            "The Functions worker core packages must resolve to one version (move Microsoft.Azure.Functions.Worker* together in Directory.Packages.props): "
            + string.Join(", ", versions.Select(v => $"{v.Key} {v.Value}")));
    }

    [Fact]
    public void EachWorkerPackageResolvesOnce()
    {
        var workerPackages = ResolvedLibraries().Where(l => l.Name.StartsWith("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal)).ToList();

        var duplicated = workerPackages.GroupBy(l => l.Name).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(l => l.Version))}").ToList();
        Assert.Empty(duplicated);
        Assert.True(workerPackages.Count >= CoreAssemblies.Length);
    }

    private static Dictionary<string, string> ResolvedPackages() =>
        ResolvedLibraries().GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First().Version, StringComparer.Ordinal);

    private static List<(string Name, string Version)> ResolvedLibraries()
    {
        var deps = JsonNode.Parse(File.ReadAllText(FunctionsBuildOutput.FilePath("FeedIngest.Functions.deps.json")))!;
        var target = deps["targets"]!.AsObject().Single(t => !t.Key.Contains('/', StringComparison.Ordinal)).Value!.AsObject();
        return target.Select(entry => entry.Key.Split('/')).Select(parts => (parts[0], parts[1])).ToList();
    }
}
