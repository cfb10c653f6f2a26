using System.CommandLine;
using System.Text;
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
            using var services = CliHost.Build();
            var extractor = services.GetRequiredService<IArticleExtractor>();
            var input = parse.GetValue(inputDir);
            if (input is not null)
            {
                var output = parse.GetValue(outputDir);
                if (output is null) { Console.Error.WriteLine("--output-dir is required with --input-dir"); return 2; }
                return await ExtractDirectoryAsync(extractor, input, output, parse.GetValue(format) ?? "both", cancellationToken);
            }
            var path = parse.GetValue(file);
            if (path is null) { Console.Error.WriteLine("give FILE or --input-dir DIR --output-dir OUT"); return 2; }
            return await ExtractFileAsync(extractor, path, parse.GetValue(url), parse.GetValue(format) ?? "text", cancellationToken);
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
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
            await stdout.WriteLineAsync(format == "json" ? ExtractionFiles.ToJson(article, url) : article.Text);
            return 0;
        }
        catch (Exception e) when (e is ExtractionException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{path}: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> ExtractDirectoryAsync(IArticleExtractor extractor, string input, string output, string format, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(input)) { Console.Error.WriteLine($"{input}: no such directory"); return 2; }
        Directory.CreateDirectory(output);
        var files = Directory.EnumerateFiles(input).Where(ExtractionFiles.IsPageFile).Order(StringComparer.Ordinal).ToList();
        var failed = 0;
        foreach (var path in files)
        {
            var name = ExtractionFiles.PageName(path);
            try
            {
                var page = await ExtractionFiles.ReadPageAsync(path, cancellationToken);
                var article = extractor.Extract(page.Text);
                if (format is "text" or "both")
                    await File.WriteAllTextAsync(Path.Combine(output, name + ".txt"), article.Text + "\n", new UTF8Encoding(false), cancellationToken);
                if (format is "json" or "both")
                    await File.WriteAllTextAsync(Path.Combine(output, name + ".json"), ExtractionFiles.ToJson(article, null) + "\n", new UTF8Encoding(false), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad file is reported and skipped; the rest are still extracted.
                failed++;
                Console.Error.WriteLine($"{path}: {e.GetType().Name}: {e.Message}");
            }
        }
        Console.Error.WriteLine($"extracted {files.Count - failed} of {files.Count} pages into {output}");
        return failed == 0 ? 0 : 1;
    }
}
