using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.SamplePortal;

/// <summary>Runs the real <c>feedingest serve-sample</c> process, as a developer would.</summary>
public sealed partial class ServeSampleCommandTests
{
    [Fact]
    public async Task Serve_sample_prints_its_address_serves_the_portal_and_stops_cleanly_on_sigterm()
    {
        if (OperatingSystem.IsWindows()) return; // SIGTERM is a POSIX signal
        var cli = CliPath();
        var start = new ProcessStartInfo("dotnet", [cli, "serve-sample", "--port", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        try
        {
            var firstLine = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var match = AddressLine().Match(firstLine ?? "");
            Assert.True(match.Success, $"unexpected first line: {firstLine}");
            var baseUrl = new Uri(match.Groups["url"].Value);

            using var http = new HttpClient();
            using var home = await http.GetAsync(baseUrl);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            using var feed = await http.GetAsync(new Uri(baseUrl, "/rss/tin-tuc.rss"));
            Assert.Equal(HttpStatusCode.OK, feed.StatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopped after 2 requests.", await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Serve_sample_with_documents_serves_the_documents_section_beside_the_default_portal()
    {
        if (OperatingSystem.IsWindows()) return;
        var start = new ProcessStartInfo("dotnet", [CliPath(), "serve-sample", "--port", "0", "--with-documents"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        try
        {
            var firstLine = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var match = AddressLine().Match(firstLine ?? "");
            Assert.True(match.Success, $"unexpected first line: {firstLine}");
            var baseUrl = new Uri(match.Groups["url"].Value);
            var secondLine = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal($"Documents section on {new Uri(baseUrl, FeedIngest.SamplePortal.SampleDocumentsSite.IndexPath)}", secondLine);

            using var http = new HttpClient();
            using var docx = await http.GetAsync(new Uri(baseUrl, FeedIngest.SamplePortal.SampleDocumentsSite.DocxPath));
            Assert.Equal(HttpStatusCode.OK, docx.StatusCode);
            Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx.Content.Headers.ContentType?.MediaType);
            using var home = await http.GetAsync(baseUrl);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.DoesNotContain("/van-ban/", await home.Content.ReadAsStringAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    // The CLI's own build output (same configuration as the tests): its deps.json matches the files next to it,
    // which the copy in the test folder does not (package assemblies there resolve against the test's shared framework).
    private static string CliPath()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = Path.Combine(RepoPaths.Root, "functions", "FeedIngest.Cli", "bin", configuration, "net10.0", "feedingest.dll");
        Assert.True(File.Exists(path), $"build the CLI first: {path} is missing");
        return path;
    }

    [GeneratedRegex(@"^Sample portal on (?<url>http://127\.0\.0\.1:\d+/) — Ctrl\+C to stop$")]
    private static partial Regex AddressLine();
}
