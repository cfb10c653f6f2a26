using System.CommandLine;

namespace FeedIngest.Cli.Commands;

/// <summary>Every top-level command; each lives in its own file and only calls Core.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return SourcesCommand.Create();
    }
}
