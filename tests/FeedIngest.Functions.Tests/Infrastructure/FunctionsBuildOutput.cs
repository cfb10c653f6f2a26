using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// The Functions project's own build output (bin/{Configuration}/{tfm}), where the Worker SDK writes
/// functions.metadata, worker.config.json, extensions.json and .azurefunctions/ for the host to load.
/// The test project is built in the same configuration, so its own output path names both.
/// </summary>
public static class FunctionsBuildOutput
{
    public static string Directory { get; } = Find();

    public static string FilePath(string name) => Path.Combine(Directory, name);

    private static string Find()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var output = Path.Combine(RepoPaths.Root, "functions", "FeedIngest.Functions", "bin", configuration, targetFramework);
        if (!File.Exists(Path.Combine(output, "functions.metadata")))
            throw new InvalidOperationException($"No functions.metadata in {output}: build functions/FeedIngest.Functions in {configuration} first.");
        return output;
    }
}
