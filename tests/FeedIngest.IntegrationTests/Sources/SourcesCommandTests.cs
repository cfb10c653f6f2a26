using System.Diagnostics;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Sources;

/// <summary>Runs the real <c>feedingest sources</c> process against registry files.</summary>
public sealed class SourcesCommandTests
{
    [Fact]
    public async Task ValidateReportsEveryProblemWithItsJsonPathAndExitsWithThree()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sources-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            { "sources": [
              { "id": "ok", "name": "Ok", "baseUrl": "https://ok.example/", "feeds": ["https://ok.example/rss"] },
              { "id": "Sai", "name": "Sai", "baseUrl": "ok.example", "listings": [ { "url": "https://ok.example/tin", "maxPages": 0 } ] }
            ] }
            """);
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync("sources", "validate", file);

            Assert.Equal(3, exitCode);
            Assert.Equal("", stdout);
            Assert.Contains($"{file}: invalid — 3 problem(s):", stderr);
            Assert.Contains("  $.sources[1].id: \"Sai\" must be 1-63 lower-case letters", stderr);
            Assert.Contains("  $.sources[1].baseUrl: not an absolute http(s) URL: \"ok.example\"", stderr);
            Assert.Contains("  $.sources[1].listings[0].maxPages: 0 is outside 1..100", stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ValidateAcceptsTheShippedHanoiRegistry()
    {
        var (exitCode, stdout, _) = await RunAsync("sources", "validate", Path.Combine(RepoPaths.Root, "sources.hanoi.json"));

        Assert.Equal(0, exitCode);
        Assert.Matches(@"sources\.hanoi\.json: valid — \d+ source\(s\), \d+ enabled, \d+ unverified\.", stdout);
    }

    [Fact]
    public async Task ListShowsEverySourceWithItsChannels()
    {
        var (exitCode, stdout, _) = await RunAsync("sources", "list", Path.Combine(RepoPaths.Root, "sources.hanoi.json"));

        Assert.Equal(0, exitCode);
        Assert.Contains("haibatrung", stdout);
        Assert.Contains("[unverified]", stdout);
        Assert.Contains("https://kinhtedothi.vn/", stdout);
    }

    [Fact]
    public async Task MissingFileIsReportedAsAnInvalidRegistry()
    {
        var (exitCode, _, stderr) = await RunAsync("sources", "validate", "/nonexistent/sources.json");

        Assert.Equal(3, exitCode);
        Assert.Contains("$: file not found: /nonexistent/sources.json", stderr);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var cli = Path.Combine(RepoPaths.Root, "functions", "FeedIngest.Cli", "bin", configuration, "net10.0", "feedingest.dll");
        Assert.True(File.Exists(cli), $"build the CLI first: {cli} is missing");
        var start = new ProcessStartInfo("dotnet", [cli, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
