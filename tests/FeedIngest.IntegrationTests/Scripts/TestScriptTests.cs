using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Scripts;

/// <summary>
/// Issue 13.3 and 13.10: the parts of test.sh that judge a run (leftover processes, failing test names) on real
/// processes and a real trx file, and the build settings that keep vulnerable packages and Azurite telemetry out.
/// </summary>
public sealed class TestScriptTests
{
    private static async Task<(int Exit, string Output)> BashAsync(string script, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(guard.Token);
        return (p.ExitCode, await output + await error);
    }

    [Fact]
    public async Task LeftoverCheckFindsAnOrphanThatCarriesTheRunMarkAndNothingElse()
    {
        var mark = "unit-" + Guid.NewGuid().ToString("N");
        // An orphan (its parent shell exits at once) with the mark, like an Azurite a failed test forgot.
        await BashAsync("setsid sleep 120 >/dev/null 2>&1 &", new() { ["FEEDINGEST_RUN_MARK"] = mark });
        try
        {
            var (_, found) = await BashAsync($"source scripts/common.sh; leftover_processes {mark}");
            Assert.Matches(@"^\d+ sleep 120", found.Trim());
            var (_, none) = await BashAsync($"source scripts/common.sh; leftover_processes other-{mark}");
            Assert.Equal("", none.Trim());
        }
        finally
        {
            await BashAsync($"source scripts/common.sh; for p in $(leftover_processes {mark} | cut -d' ' -f1); do kill $p; done");
        }
        var (_, after) = await BashAsync($"source scripts/common.sh; leftover_processes {mark}");
        Assert.Equal("", after.Trim());
    }

    [Fact]
    public async Task SummaryNamesEveryFailedTest()
    {
        var dir = Directory.CreateTempSubdirectory("feedingest-trx-").FullName;
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        new XDocument(new XElement(ns + "TestRun",
            new XElement(ns + "Results",
                new XElement(ns + "UnitTestResult", new XAttribute("testName", "A.Passes"), new XAttribute("outcome", "Passed")),
                new XElement(ns + "UnitTestResult", new XAttribute("testName", "B.Breaks"), new XAttribute("outcome", "Failed"),
                    new XElement(ns + "Output", new XElement(ns + "ErrorInfo", new XElement(ns + "Message", "Assert.Equal() Failure\nmore"))))),
            new XElement(ns + "ResultSummary", new XElement(ns + "Counters", new XAttribute("passed", 1), new XAttribute("failed", 1), new XAttribute("notExecuted", 0)))))
            .Save(Path.Combine(dir, "x.trx"));
        try
        {
            var (exit, output) = await BashAsync($"python3 scripts/trx-summary.py '{dir}'");
            Assert.Equal(0, exit);
            Assert.Contains("tests: 1 passed, 1 failed, 0 skipped", output);
            Assert.Contains("FAILED B.Breaks — Assert.Equal() Failure", output);
            Assert.DoesNotContain("A.Passes", output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void KnownVulnerablePackageWarningsAreErrors()
    {
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"));
        Assert.Equal("true", props.Descendants("TreatWarningsAsErrors").Single().Value);
        var exempt = string.Join(";", props.Descendants().Where(e => e.Name.LocalName is "WarningsNotAsErrors" or "NoWarn").Select(e => e.Value));
        foreach (var code in new[] { "NU1901", "NU1902", "NU1903", "NU1904" })
            Assert.DoesNotContain(code, exempt);
    }

    [Fact]
    public void NoAspNetCore2PackagesInTheShippedProjects()
    {
        foreach (var project in new[] { "FeedIngest.Core", "FeedIngest.Functions", "FeedIngest.Cli", "FeedIngest.SamplePortal" })
        {
            var assets = Path.Combine(RepoPaths.Root, "functions", project, "obj", "project.assets.json");
            if (!File.Exists(assets)) continue;
            var libraries = JsonDocument.Parse(File.ReadAllText(assets)).RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name);
            Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.AspNetCore.", StringComparison.OrdinalIgnoreCase) && l.Contains("/2.", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void EveryAzuriteStartHasTelemetryOff()
    {
        Assert.Contains("--disableTelemetry", JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "package.json")))
            .RootElement.GetProperty("scripts").GetProperty("azurite").GetString());
        foreach (var file in new[] { "scripts/common.sh", "functions/FeedIngest.Cli/Bench/AzuriteNode.cs" }) // the tests' and the bench's launcher
            Assert.Contains("--disableTelemetry", File.ReadAllText(Path.Combine(RepoPaths.Root, file)));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, ".editorconfig")));
    }
}
