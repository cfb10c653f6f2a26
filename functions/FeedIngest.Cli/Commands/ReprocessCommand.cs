using System.CommandLine;
using FeedIngest.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest reprocess (--article ID… | --source ID --from DATE --to DATE) [--mode archive|refetch]</c></summary>
internal static class ReprocessCommand
{
    public static Command Create()
    {
        var ids = new Option<string[]>("--article") { Description = "Article id to re-extract (repeatable)", AllowMultipleArgumentsPerToken = true };
        var source = new Option<string?>("--source") { Description = "Source id, with --from and --to" };
        var from = new Option<string?>("--from") { Description = "First publish date (yyyy-MM-dd, Vietnam time)" };
        var to = new Option<string?>("--to") { Description = "Last publish date (yyyy-MM-dd, inclusive)" };
        var sources = new Option<string?>("--sources") { Description = "Source registry file (default: FeedIngest:SourcesPath, i.e. sources.json)" };
        var mode = new Option<string>("--mode") { Description = "archive: re-extract the stored raw HTML (no network); refetch: fetch again", DefaultValueFactory = _ => ReprocessMode.Archive };
        mode.AcceptOnlyFromAmong(ReprocessMode.Archive, ReprocessMode.Refetch);
        var command = new Command("reprocess", "Re-extract stored articles with the current extractor (the same job the HTTP API queues)") { ids, source, from, to, mode, sources };
        command.SetAction(async (parse, ct) =>
        {
            var registry = parse.GetValue(sources);
            await using var services = CliHost.Build(registry is null ? null : new Dictionary<string, string?> { ["FeedIngest:SourcesPath"] = registry });
            var service = services.GetRequiredService<ReprocessService>();
            var articleIds = parse.GetValue(ids);
            var request = new ReprocessRequest
            {
                ArticleIds = articleIds is { Length: > 0 } ? [.. articleIds] : null,
                SourceId = parse.GetValue(source),
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Mode = parse.GetValue(mode),
            };
            // The same validation as POST /api/reprocess.
            var problem = await services.GetRequiredService<ReprocessRequestValidator>().ValidateAsync(request, ct);
            if (problem is not null)
            {
                Console.Error.WriteLine($"error: {problem.Detail}");
                return 64;
            }
            var progress = new Progress<ArticleOutcome>(o =>
                Console.Error.WriteLine($"{o.Result.ToString().ToLowerInvariant(),-11} {o.ArticleId} {o.Url}{(o.Reason is null ? "" : " — " + o.Reason)}"));
            var status = await service.RunInProcessAsync(request, progress, ct);
            Console.WriteLine($"Reprocess job {status.JobId} ({status.Mode}): {status.State}; {status.Queued} queued, {status.Done} changed, {status.Unchanged} unchanged, {status.Failed} failed.");
            foreach (var error in status.Errors) Console.WriteLine($"  ! {error}");
            return status.Failed > 0 ? HarvestCommand.ExitFailures : 0;
        });
        return command;
    }
}
