using System.CommandLine;
using System.Text;
using FeedIngest.Cli.Terminal;
using FeedIngest.Core.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary>
/// <c>feedingest extract FILE [--url URL] [--format text|json]</c> prints one page's body or document;
/// <c>feedingest extract --input-dir DIR --output-dir OUT [--format text|json|both]</c> writes OUT/&lt;name&gt;.txt and .json.
/// The extractor is the one the harvest uses (from AddFeedIngest).
/// </summary>
internal static class ExtractCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("file") { Arity = ArgumentArity.ZeroOrOne, Description = "A saved page (.html or .html.gz)" };
        var url = new Option<string?>("--url") { Description = "The page's URL (resolves relative links, keys the document)" };
        var format = new Option<string?>("--format") { Description = "text | json (single file); text | json | both (directory, default both)" };
        format.AcceptOnlyFromAmong("text", "json", "both");
        var inputDir = new Option<string?>("--input-dir") { Description = "Extract every *.html / *.html.gz in this folder" };
        var outputDir = new Option<string?>("--output-dir") { Description = "Where <name>.txt and <name>.json go" };
        var command = new Command("extract", "Extract clean article text and metadata from saved pages") { file, url, format, inputDir, outputDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var input = parse.GetValue(inputDir);
            var path = parse.GetValue(file);
            var chosen = parse.GetValue(format);
            if (input is not null)
            {
                if (path is not null) throw new UsageException("give either FILE or --input-dir DIR, not both");
                var output = parse.GetValue(outputDir) ?? throw new UsageException("--output-dir OUT is required with --input-dir");
                if (!Directory.Exists(input)) throw new UsageException($"--input-dir: no such folder {input}");
                using var dirServices = CliHost.Build();
                return await ExtractDirectoryAsync(dirServices.GetRequiredService<IArticleExtractor>(), input, output, chosen ?? "both", cancellationToken);
            }
            if (path is null) throw new UsageException("give FILE, or --input-dir DIR --output-dir OUT");
            if (Directory.Exists(path)) throw new UsageException($"{path} is a folder: use --input-dir {path} --output-dir OUT");
            if (!File.Exists(path)) throw new UsageException($"no such file {path}");
            if (chosen == "both") throw new UsageException("--format both writes two files and needs --input-dir/--output-dir; for one FILE use --format text or --format json");
            if (parse.GetValue(outputDir) is not null) throw new UsageException("--output-dir goes with --input-dir; one FILE prints to stdout");
            using var services = CliHost.Build();
            return await ExtractFileAsync(services.GetRequiredService<IArticleExtractor>(), path, parse.GetValue(url), chosen ?? "text", cancellationToken);
        });
        return command;
    }

    private static async Task<int> ExtractFileAsync(IArticleExtractor extractor, string path, string? url, string format, CancellationToken cancellationToken)
    {
        try
        {
            var page = await ExtractionFiles.ReadPageAsync(path, cancellationToken);
            var pageUrl = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u : null;
            var article = extractor.Extract(page.Text, pageUrl);
            WarnIfTruncated(path, article);
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
            await stdout.WriteLineAsync(format == "json" ? ExtractionFiles.ToJson(article, url) : article.Text);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ExtractionException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {path}: {e.Message}");
            return ExitCodes.SomeFailed;
        }
    }

    /// <summary>An oversized page is cut before parsing; say so, so nobody mistakes the result for the whole page.</summary>
    private static void WarnIfTruncated(string path, ExtractedArticle article)
    {
        if (article.Truncated)
            Console.Error.WriteLine($"warning: {path}: larger than the extractor reads (4 M characters); only the first part was extracted (\"truncated\": true)");
    }

    private static async Task<int> ExtractDirectoryAsync(IArticleExtractor extractor, string input, string output, string format, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(output);
        var files = Directory.EnumerateFiles(input).Where(ExtractionFiles.IsPageFile).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new UsageException($"--input-dir: no .html, .htm or .html.gz pages in {input}");
        var failed = 0;
        using var progress = new FolderProgress(files.Count);
        foreach (var path in files)
        {
            progress.Next(path);
            var name = ExtractionFiles.PageName(path);
            try
            {
                var page = await ExtractionFiles.ReadPageAsync(path, cancellationToken);
                var article = extractor.Extract(page.Text);
                if (article.Truncated) progress.Write($"warning: {path}: too large; only the first part was extracted (\"truncated\": true)");
                if (format is "text" or "both")
                    await File.WriteAllTextAsync(Path.Combine(output, name + ".txt"), article.Text + "\n", new UTF8Encoding(false), cancellationToken);
                if (format is "json" or "both")
                    await File.WriteAllTextAsync(Path.Combine(output, name + ".json"), ExtractionFiles.ToJson(article, null) + "\n", new UTF8Encoding(false), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad file is reported and skipped; the rest are still extracted.
                failed++;
                progress.Write($"{path}: {e.Message}");
            }
        }
        progress.Dispose();
        Console.Error.WriteLine($"extracted {files.Count - failed} of {files.Count} pages into {output}");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.SomeFailed;
    }
}
