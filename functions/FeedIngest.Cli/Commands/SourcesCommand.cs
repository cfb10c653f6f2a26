using System.CommandLine;
using FeedIngest.Core;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FeedIngest.Cli.Commands;

/// <summary>`feedingest sources validate|list [FILE]`: check the registry, or show what it holds.</summary>
internal static class SourcesCommand
{
    // Same code as `harvest` uses for an invalid registry (README "Exit codes").
    public const int InvalidRegistryExitCode = 3;

    public static Command Create()
    {
        var command = new Command("sources", "Check or list the source registry (sources.json)");
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(List());
        return command;
    }

    private static Argument<string?> FileArgument() => new("file")
    {
        Description = "Registry file or http(s) URL; default: FeedIngest:SourcesPath (sources.json)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static Command Validate()
    {
        var file = FileArgument();
        var command = new Command("validate", "Report every problem in the registry with its JSON path; exit code 3 when invalid") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var (registry, location, exitCode) = await LoadAsync(parse, parse.GetValue(file), cancellationToken);
            if (registry is null) return exitCode;
            var enabled = registry.Sources.Count(s => s.Enabled);
            var unverified = registry.Sources.Count(s => !s.Verified);
            await output.WriteLineAsync($"{location}: valid — {registry.Sources.Count} source(s), {enabled} enabled, {unverified} unverified.");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var file = FileArgument();
        var command = new Command("list", "List the sources with their discovery channels") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var (registry, _, exitCode) = await LoadAsync(parse, parse.GetValue(file), cancellationToken);
            if (registry is null) return exitCode;
            foreach (var s in registry.Sources)
            {
                var flags = (s.Enabled ? "" : " [disabled]") + (s.Verified ? "" : " [unverified]");
                await output.WriteLineAsync(
                    $"{s.Id,-28} {s.District ?? "-",-16} feeds {s.Feeds.Count}, listings {s.Listings.Count}, sitemaps {s.Sitemaps.Count}{flags}  {s.BaseUrl}");
            }
            return 0;
        });
        return command;
    }

    private static async Task<(SourceRegistry? Registry, string Location, int ExitCode)> LoadAsync(
        ParseResult parse, string? file, CancellationToken cancellationToken)
    {
        await using var services = CliHost.Build();
        var location = file ?? services.GetRequiredService<IOptions<FeedIngestOptions>>().Value.SourcesPath;
        try
        {
            var registry = await services.GetRequiredService<SourceRegistryLoader>().LoadAsync(location, cancellationToken);
            return (registry, location, 0);
        }
        catch (SourceRegistryValidationException ex)
        {
            var error = parse.InvocationConfiguration.Error;
            await error.WriteLineAsync($"{location}: invalid — {ex.Problems.Count} problem(s):");
            foreach (var problem in ex.Problems) await error.WriteLineAsync("  " + problem);
            return (null, location, InvalidRegistryExitCode);
        }
    }
}
