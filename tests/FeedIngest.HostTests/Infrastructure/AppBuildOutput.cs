using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.HostTests.Infrastructure;

/// <summary>
/// The Functions app's build output (functions/FeedIngest.Functions/bin/{Configuration}/{tfm}): what `func start`
/// and Azure run. This project references the app (without its assembly), so building the tests builds it first.
/// </summary>
public static class AppBuildOutput
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var output = Path.Combine(RepoPaths.Root, "functions", "FeedIngest.Functions", "bin", testOutput.Parent!.Name, testOutput.Name);
        foreach (var required in new[] { "functions.metadata", "worker.config.json", "host.json", "FeedIngest.Functions.dll" })
            if (!File.Exists(Path.Combine(output, required)))
                throw new InvalidOperationException($"No {required} in {output}: build functions/FeedIngest.Functions in {testOutput.Parent.Name} first.");
        return output;
    }
}
