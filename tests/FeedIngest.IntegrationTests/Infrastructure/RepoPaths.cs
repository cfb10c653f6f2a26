namespace FeedIngest.IntegrationTests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The repository root: the first parent of the test binaries that holds FeedIngest.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FeedIngest.sln"))) return dir.FullName;
        throw new InvalidOperationException("FeedIngest.sln not found above " + AppContext.BaseDirectory);
    }
}
