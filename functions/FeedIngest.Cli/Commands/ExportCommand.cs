using System.CommandLine;
using System.Globalization;
using Azure;
using FeedIngest.Core.Export;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest export --since D [--source ID] --format jsonl|csv|parquet --out FILE</c>: stored articles for data teams.</summary>
internal static class ExportCommand
{
    public const int ExitInvalidArguments = ExitCodes.Usage;

    public static Command Create()
    {
        var since = new Option<string>("--since") { Description = "First date (yyyy-MM-dd, Vietnam time, or an ISO 8601 instant): articles published — or, without a date, fetched — on or after it", Required = true };
        var source = new Option<string?>("--source") { Description = "Only this source id" };
        var format = new Option<string>("--format") { Description = "jsonl | csv | parquet", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<string>("--out") { Description = "Output file ('-' for stdout, jsonl and csv only)", Required = true };
        var command = new Command("export", "Stream stored articles (metadata + text) from storage to a JSON Lines, CSV or Parquet file") { since, source, format, output };
        command.SetAction(async (parse, ct) =>
        {
            if (!TryParseSince(parse.GetValue(since)!, out var from))
            {
                Console.Error.WriteLine($"error: --since '{parse.GetValue(since)}' is not a date; give yyyy-MM-dd (e.g. 2026-11-01) or an ISO 8601 instant.");
                return ExitInvalidArguments;
            }
            if (!Enum.TryParse<ExportFormat>(parse.GetValue(format), ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            {
                Console.Error.WriteLine($"error: --format '{parse.GetValue(format)}' is not one of jsonl, csv, parquet.");
                return ExitInvalidArguments;
            }
            var path = parse.GetValue(output)!;
            if (path == "-" && kind == ExportFormat.Parquet)
            {
                Console.Error.WriteLine("error: Parquet needs a file (--out FILE): its footer is written last.");
                return ExitInvalidArguments;
            }
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var exporter = new ExportCommandRunner(services.GetRequiredService<ArticleExporter>());
            return await exporter.RunAsync(new ExportRequest(from, parse.GetValue(source), kind), path, ct);
        });
        return command;
    }

    internal static bool TryParseSince(string text, out DateTimeOffset since)
    {
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            since = new DateTimeOffset(day, FeedIngest.Core.Common.VietnamTime.Offset);
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since);
    }
}

/// <summary>Writes the export to a temporary file beside the target and renames it at the end, so a failed export leaves no half file.</summary>
internal sealed class ExportCommandRunner(ArticleExporter exporter)
{
    public async Task<int> RunAsync(ExportRequest request, string path, CancellationToken ct)
    {
        var progress = new Progress<int>(n => Console.Error.WriteLine($"exported {n} articles…"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            int count;
            if (path == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                count = await exporter.ExportAsync(request, stdout, progress, ct);
            }
            else
            {
                var full = Path.GetFullPath(path);
                var temp = full + ".part";
                await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                    count = await exporter.ExportAsync(request, file, progress, ct);
                File.Move(temp, full, overwrite: true);
            }
            Console.Error.WriteLine($"Exported {count} article(s) as {request.Format.ToString().ToLowerInvariant()} to {path} in {stopwatch.Elapsed.TotalSeconds:0.0} s.");
            return 0;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            Console.Error.WriteLine($"error: cannot reach storage ({e.GetBaseException().Message}). Is Azurite running? ./run.sh starts it.");
            return HarvestCommand.ExitStorageUnreachable;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write {path}: {e.Message}");
            return 1;
        }
    }
}
