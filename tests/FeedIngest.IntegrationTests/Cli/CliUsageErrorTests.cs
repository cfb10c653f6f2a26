using System.Text;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Cli;

/// <summary>
/// Issue 13.7: every bad input the user met gets one line naming the flag or path and what to do, exit 64
/// (usage; never 2, which means "some items failed"), and no stack trace.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliUsageErrorTests(AzuriteFixture azurite)
{
    private Dictionary<string, string?> Env() => new() { ["FeedIngestStorage"] = azurite.ConnectionString };

    private async Task<string> UsageErrorAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Env(), args);
        Assert.True(exit == 64, $"{string.Join(' ', args)}: exit {exit}\n{stdout}\n{stderr}");
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.StartsWith("error: ", stderr);
        return stderr;
    }

    [Fact]
    public async Task BenchOnAMissingFolderNamesTheFlag() =>
        Assert.Contains("--input-dir: no such folder /nope-feedingest", await UsageErrorAsync("bench", "extract", "--input-dir", "/nope-feedingest"));

    [Fact]
    public async Task ExtractOfAFolderSaysToUseInputDir()
    {
        var dir = Directory.CreateTempSubdirectory("feedingest-extract-").FullName;
        try
        {
            Assert.Contains($"{dir} is a folder: use --input-dir {dir} --output-dir OUT", await UsageErrorAsync("extract", dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task ExtractFormatBothOfOneFileIsRefused()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("feedingest-extract-").FullName, "page.html");
        await File.WriteAllTextAsync(file, "<html><body><p>x</p></body></html>");
        try
        {
            Assert.Contains("--format both writes two files", await UsageErrorAsync("extract", "--format", "both", file));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, true);
        }
    }

    [Fact]
    public async Task SinceThatIsNotADateSaysWhatADateLooksLike() =>
        Assert.Contains("--since takes a date like 2024-01-31", await UsageErrorAsync("articles", "list", "--since", "notadate"));

    [Fact]
    public async Task UnknownStatusListsTheStatuses() =>
        Assert.Contains("--status must be one of stored, failed, duplicate (got 'bogus')", await UsageErrorAsync("articles", "list", "--status", "bogus"));

    [Fact]
    public async Task UnknownSourceIsNotAnEmptyList() =>
        Assert.Contains("--source: no source 'nosuch-source' in the registry", await UsageErrorAsync("articles", "list", "--source", "nosuch-source"));

    [Fact]
    public async Task ReprocessErrorsNameTheCliFlagsNotTheHttpFields()
    {
        var neither = await UsageErrorAsync("reprocess");
        Assert.Contains("give either --article (optionally with --source), or --source with --from/--to", neither);
        Assert.DoesNotContain("articleIds", neither);

        var range = await UsageErrorAsync("reprocess", "--source", "nosuch", "--from", "2024-02-01", "--to", "notadate");
        Assert.Contains("--source: unknown source 'nosuch'", range);
        Assert.Contains("--to: 'notadate' is not a date (yyyy-MM-dd)", range);
        Assert.DoesNotContain("sourceId", range);
    }

    [Fact]
    public async Task HarvestWithAnUnknownSourceIdListsTheKnownOnes() =>
        Assert.Contains("--source: unknown source id(s) nosuch", await UsageErrorAsync("harvest", "--once", "--source", "nosuch"));

    [Fact]
    public async Task UnknownOptionIsUsageNotFailure() =>
        Assert.Contains("Unrecognized command or argument '--bogus'", await UsageErrorAsync("runs", "list", "--bogus"));

    [Fact]
    public async Task ATruncatedHugePageIsExtractedWithAWarning()
    {
        var dir = Directory.CreateTempSubdirectory("feedingest-extract-").FullName;
        var file = Path.Combine(dir, "huge.html");
        var html = new StringBuilder("<html><head><title>Trang lớn</title></head><body><article><h1>Trang lớn</h1>");
        while (html.Length < 5_000_000) html.Append("<p>Đoạn văn dài của một trang rất lớn, lặp lại để vượt quá giới hạn đầu vào của bộ trích xuất.</p>");
        html.Append("</article></body></html>");
        await File.WriteAllTextAsync(file, html.ToString());
        try
        {
            var (exit, stdout, stderr) = await CliProcess.RunAsync(Env(), "extract", file, "--format", "json");
            Assert.True(exit == 0, stderr);
            Assert.Contains($"warning: {file}: larger than the extractor reads", stderr);
            Assert.Contains("\"truncated\": true", stdout);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
