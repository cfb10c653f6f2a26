using System.CommandLine;
using FeedIngest.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest reprocess (--article ID… | --source ID --from DATE --to DATE) [--mode archive|refetch]</c></summary>
internal static class ReprocessCommand
{
    // The HTTP API's field names, as the CLI user knows them.
    private static readonly (string Field, string Flag)[] FlagNames =
        [("articleIds", "--article"), ("sourceId", "--source"), ("from", "--from"), ("to", "--to"), ("mode", "--mode")];

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
            await using var services = await CliHost.BuildWithStorageAsync(ct, registry is null ? null : new Dictionary<string, string?> { ["FeedIngest:SourcesPath"] = registry });
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
            // The same validation as POST /api/reprocess, its messages told in the CLI's flags.
            var problem = await services.GetRequiredService<ReprocessRequestValidator>().ValidateAsync(request, ct);
            if (problem is not null)
                throw new UsageException(string.Join(" ", problem.Errors.Select(e => $"{FlagFor(e.Key)}: {ToFlags(string.Join(", ", e.Value))}.")));
            var progress = new Progress<ArticleOutcome>(o =>
                Console.Error.WriteLine($"{o.Result.ToString().ToLowerInvariant(),-11} {o.ArticleId} {o.Url}{(o.Reason is null ? "" : " — " + o.Reason)}"));
            var status = await service.RunInProcessAsync(request, progress, ct);
            Console.WriteLine($"Reprocess job {status.JobId} ({status.Mode}): {status.State}; {status.Queued} queued, {status.Done} changed, {status.Unchanged} unchanged, {status.Failed} failed.");
            foreach (var error in status.Errors) Console.WriteLine($"  ! {error}");
            return status.Failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static string FlagFor(string field) =>
        FlagNames.FirstOrDefault(f => string.Equals(f.Field, field, StringComparison.OrdinalIgnoreCase)).Flag ?? field;

    /// <summary>"give either articleIds, or sourceId with from/to" → "give either --article, or --source with --from/--to".</summary>
    internal static string ToFlags(string message)
    {
        // Field names are unambiguous words; "from" and "to" only where the message quotes them as fields.
        message = message.Replace("from/to", "--from/--to", StringComparison.Ordinal)
            .Replace("'from'", "--from", StringComparison.Ordinal).Replace("'to'", "--to", StringComparison.Ordinal);
        foreach (var (field, flag) in FlagNames.Take(2))
            message = System.Text.RegularExpressions.Regex.Replace(message, $@"\b{field}\b", flag);
        return message;
    }
}
