using System.CommandLine;

namespace FeedIngest.Cli.Commands;

/// <summary>Every top-level command; each lives in its own file and only calls Core.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return HarvestCommand.Create();
        yield return WorkCommand.Create();
        yield return ArticlesCommand.Create();
        yield return ReprocessCommand.Create();
        yield return RunsCommand.Create();
        yield return ServeSampleCommand.Create();
        yield return ExtractCommand.Create();
        yield return BenchCommand.Create();
        yield return SourcesCommand.Create();
        yield return StatusCommand.Create();
        yield return DashboardCommand.Create();
        yield return ExportCommand.Create();
    }
}
