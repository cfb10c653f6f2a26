namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>The repository root: the nearest folder above the test binaries that holds FeedIngest.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Combine(params string[] parts) =>
        System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "FeedIngest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No FeedIngest.sln above {AppContext.BaseDirectory}.");
    }
}
