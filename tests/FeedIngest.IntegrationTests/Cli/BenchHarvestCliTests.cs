using System.Diagnostics;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Cli;

/// <summary>
/// The plumbing of <c>feedingest bench harvest</c>, through the real CLI process on a tiny portal: the generated
/// portal, its own Azurite, 1 and then 2 <c>feedingest work</c> processes sharing the queues, the re-harvest. The
/// counts are asserted (every article stored exactly once, fetched once, nothing on the re-harvest), never timings.
/// </summary>
public sealed class BenchHarvestCliTests
{
    private const int Articles = 20;

    [Fact]
    public Task EveryArticleIsStoredOnceWithOneAndTwoWorkersTheReharvestFetchesNoneAndAzuriteIsProfiled() =>
        WithAzuriteAndFolderAsync("feedingest-bench-profiles-", RunAsync);

    private static async Task RunAsync(string azurite, string profiles)
    {
        await using var cli = CliProcess.Start(new Dictionary<string, string?>(),
            "bench", "harvest", "--articles", Articles.ToString(), "--hosts", "4", "--workers", "1,2", "--ceiling-ops", "50", "--azurite", azurite,
            "--profile-azurite", profiles);
        // Two harvests with fresh Azurites and worker processes, and a re-harvest: minutes on a loaded machine (a hang guard only).
        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(10));
        var output = cli.Output;

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{cli.Error}");
        foreach (var workers in new[] { 1, 2 })
        {
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith($"workers={workers} ", StringComparison.Ordinal));
            Assert.Contains($"articles={Articles} stored={Articles} stored-rows={Articles} duplicates=0 failed=0 article-fetches={Articles} ", line);
            Assert.Matches(@"requests/article=\d+\.\d\d conflicts/article=\d+\.\d{3} cpu-ms/article ours=\d+\.\d azurite=\d+\.\d peak-mb/worker=\d+", line);
        }
        // Requests are counted by what they address: tables, containers and queues each appear.
        var byResource = output.Split('\n').Where(l => l.StartsWith("  requests/article by resource:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, byResource.Count);
        Assert.All(byResource, l => Assert.Matches(@"table Urls \d.*", l));
        Assert.All(byResource, l => Assert.Contains("blob articles ", l));
        Assert.All(byResource, l => Assert.Contains("queue articles ", l));
        // A new article's signature row is inserted (no read before it) and written again with its cluster: 2 requests.
        Assert.Contains("table SyndicationSignatures 2.00,", byResource[0]);
        // Each worker's fixed start-up cost is read from /proc apart from its articles' (the runtime alone takes > 10 ms), and so is
        // its JIT time (every process compiles its own code). The warm cost is n/a when a worker's few articles all finished
        // between two samples, never a made-up 0.0.
        var startup = output.Split('\n').Where(l => l.StartsWith("  start-up cpu-ms/worker=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, startup.Count);
        Assert.All(startup, l => Assert.Matches(@"^  start-up cpu-ms/worker=[1-9]\d* cpu-ms/article ours after start-up=\d+\.\d warm=(n/a|(?!0\.0 )\d+\.\d) \(each worker's second half of articles\) jit-ms/worker=[1-9]\d* gc-pause-ms/worker=\d+$", l.TrimEnd('\r')));
        Assert.Matches(@"azurite write ceiling: blob uploads/s=\d+ table upserts/s=\d+", output);

        // Each case's Azurite was profiled over its harvest: the profile is kept, and its CPU is put on Azurite's storage operations.
        var profiled = output.Split('\n').Where(l => l.StartsWith("  azurite cpu by operation (", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, profiled.Count);
        // Ten operations with their shares, Azurite's storage layer or request handlers among them (on a tiny run its
        // fixed costs — parsing, node's HTTP — can lead).
        Assert.All(profiled, l => Assert.True(System.Text.RegularExpressions.Regex.Count(l, @" \d+\.\d%(, |\r?$)") >= 5, l));
        Assert.All(profiled, l => Assert.Matches(@"\w+(Handler|Store)\.\w+", l));
        Assert.True(File.Exists(Path.Combine(profiles, "azurite-w1.cpuprofile")) && File.Exists(Path.Combine(profiles, "azurite-w2.cpuprofile")),
            string.Join(", ", Directory.GetFiles(profiles)));
        Assert.Equal(2, Directory.GetFiles(profiles).Length); // the profiler's control files are gone

        var again = Assert.Single(output.Split('\n'), l => l.StartsWith("re-harvest ", StringComparison.Ordinal));
        Assert.Matches(@"article-fetches=0 portal-requests=\d+ stored=0 ", again);
        Assert.Contains("counts ok: every article stored exactly once", output);
    }

    // The bench's temp folders go to a folder of this test's: a killed bench cannot remove its own work folder.
    [Fact]
    public Task ABenchKilledMidRunLeavesNoAzuriteAndNoWorkerBehind() =>
        WithAzuriteAndFolderAsync("feedingest-killed-bench-", KillMidRunAsync);

    /// <summary>Runs <paramref name="test"/> with the repo's azurite.js and a temp folder of the test's own, removed after.</summary>
    private static async Task WithAzuriteAndFolderAsync(string folderPrefix, Func<string, string, Task> test)
    {
        var azurite = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        Assert.True(File.Exists(azurite), $"Azurite is not installed at {azurite}: run `npm ci` in the repo root");
        var folder = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        try
        {
            await test(azurite, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task KillMidRunAsync(string azurite, string temp)
    {
        await using var cli = CliProcess.Start(new Dictionary<string, string?> { ["TMPDIR"] = temp },
            "bench", "harvest", "--articles", "3000", "--workers", "1", "--ceiling-ops", "50", "--azurite", azurite);
        int[] children = [];
        // Killed once its Azurite and its worker process run: the harvest itself is under way.
        await Poll.UntilAsync(() => Task.FromResult((children = ChildrenOf(cli.Id)).Any(IsBenchAzurite) && children.Any(IsWorker)), "the bench's Azurite and worker to start");
        var node = children.First(IsBenchAzurite);
        var dataFolder = Path.GetDirectoryName(CommandLine(node).First(a => a.EndsWith("exit-with-owner.js", StringComparison.Ordinal)))!;

        Process.GetProcessById(cli.Id).Kill(); // SIGKILL: the bench runs none of its clean-up

        // Hang guards only: node sees its stdin end at once; a worker then finds its storage gone.
        await Poll.UntilAsync(() => Task.FromResult(!IsRunning(node)), "the bench's Azurite to end", TimeSpan.FromSeconds(30));
        Assert.False(Directory.Exists(dataFolder), $"Azurite's data folder {dataFolder} is left");
        foreach (var worker in children.Where(c => c != node))
            await Poll.UntilAsync(() => Task.FromResult(!IsRunning(worker)), $"worker {worker} to end", TimeSpan.FromMinutes(2));
    }

    private static bool IsWorker(int pid) => CommandLine(pid).Contains("work");

    private static bool IsBenchAzurite(int pid) => CommandLine(pid).Any(a => a.EndsWith("exit-with-owner.js", StringComparison.Ordinal));

    private static int[] ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == parent).ToArray();

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    private static string[] CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    // Gone, or a zombie nobody reaps (its state in /proc says so).
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
