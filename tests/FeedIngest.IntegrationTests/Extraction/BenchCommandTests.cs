using System.Diagnostics;
using System.Globalization;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Extraction;

/// <summary><c>feedingest bench extract</c> as a real process: several page sets in one run, one line each, a refused folder.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task SeveralPageSetsAreMeasuredInOneRunWithALinePerSet()
    {
        var fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures");

        var (exit, stdout, stderr) = await RunAsync("bench", "extract", "--input-dir", Path.Combine(fixtures, "vn-portal", "pages"),
            "--input-dir", Path.Combine(fixtures, "outside-layouts", "pages"), "--rounds", "1");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("set=vn-portal/pages pages=10 ", StringComparison.Ordinal) && l.Contains("extraction/parse speed ratio=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("set=outside-layouts/pages pages=8 ", StringComparison.Ordinal));
        // A small set repeats its pages so that one round covers at least 100 pages: 10 passes of 10, 13 of 8.
        Assert.Contains(lines, l => l.StartsWith("set=vn-portal/pages pages=10 rounds=1 passes/round=10 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("set=outside-layouts/pages pages=8 rounds=1 passes/round=13 ", StringComparison.Ordinal));
        if (OperatingSystem.IsLinux()) Assert.All(lines.Where(l => l.StartsWith("set=", StringComparison.Ordinal)), l => Assert.Contains(" cpu-time ratio=", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("lowest extraction/parse speed ratio=", StringComparison.Ordinal));
        Assert.StartsWith("pages/s=", lines[^1], StringComparison.Ordinal);
        Assert.True(double.Parse(lines[^1]["pages/s=".Length..], CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task AMissingFolderIsRefusedWithItsName()
    {
        var (exit, _, stderr) = await RunAsync("bench", "extract", "--input-dir", "/nonexistent/pages");

        Assert.Equal(64, exit); // usage (docs/CLI.md "Exit codes"); 2 means "some pages failed"
        Assert.Contains("--input-dir: no such folder /nonexistent/pages", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var cli = Path.Combine(RepoPaths.Root, "functions", "FeedIngest.Cli", "bin", configuration, "net10.0", "feedingest.dll");
        Assert.True(File.Exists(cli), $"build the CLI first: {cli} is missing");
        var start = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A hang guard only: the warm-up alone is 120 extractions per set.
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        return (process.ExitCode, await stdout, await stderr);
    }
}
