using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Scripts;

/// <summary>
/// Issue 13.2: ./run.sh as a user meets it, on ports of its own (FEEDINGEST_AZURITE_PORT, FEEDINGEST_SAMPLE_PORT)
/// so it never touches 10000-10002 or 5080. The real script, the real CLI, real Azurite.
/// </summary>
public sealed class RunScriptTests
{
    private static async Task<(int Exit, string Output)> RunAsync(Dictionary<string, string?> env, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Root, "run.sh"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("FeedIngestStorage");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Three consecutive free ports, as run.sh takes them (N, N+1, N+2).</summary>
    private static int FreeBlock()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = AzuriteInstance.FreePort();
            if (first > 65000) continue;
            if (Enumerable.Range(first + 1, 2).All(IsFree)) return first;
        }
        throw new InvalidOperationException("no three consecutive free ports");
    }

    private static bool IsFree(int port) => AzuriteInstance.IsFree(port);

    [Fact]
    public async Task OneTakenPortIsNamedWithItsOwnerAndNothingIsStarted()
    {
        var blob = FreeBlock();
        var taken = new TcpListener(IPAddress.Loopback, blob + 1);
        taken.Start();
        var data = Directory.CreateTempSubdirectory("feedingest-runsh-").FullName;
        try
        {
            var (exit, output) = await RunAsync(new()
            {
                ["FEEDINGEST_AZURITE_PORT"] = blob.ToString(),
                ["FEEDINGEST_AZURITE_LOCATION"] = data,
                ["FEEDINGEST_SAMPLE_PORT"] = AzuriteInstance.FreePort().ToString(),
            });

            Assert.True(exit == 1, output);
            Assert.Contains($"error: port 127.0.0.1:{blob + 1} is already in use by pid {Environment.ProcessId}", output);
            Assert.DoesNotContain("Harvesting", output);
            Assert.True(IsFree(blob), "run.sh left something on the blob port");
        }
        finally
        {
            taken.Stop();
            Directory.Delete(data, true);
        }
    }

    [Fact]
    public async Task AnotherAzuriteOnThePortsIsNotWrittenInto()
    {
        await using var foreign = await AzuriteInstance.StartNewAsync();
        // run.sh takes N, N+1, N+2; the foreign Azurite has its own three ports, so ask for its blob port and
        // expect a refusal whichever way the others fall: all taken (other data) or some taken (named).
        var (exit, output) = await RunAsync(new()
        {
            ["FEEDINGEST_AZURITE_PORT"] = foreign.BlobPort.ToString(),
            ["FEEDINGEST_AZURITE_LOCATION"] = Path.Combine(Path.GetTempPath(), "feedingest-never-created-" + Guid.NewGuid().ToString("N")),
            ["FEEDINGEST_SAMPLE_PORT"] = AzuriteInstance.FreePort().ToString(),
        });

        Assert.True(exit == 1, output);
        Assert.Matches($@"error: (port 127\.0\.0\.1:{foreign.BlobPort} is already in use|127\.0\.0\.1:{foreign.BlobPort}/\d+/\d+ are taken by an Azurite with other data)", output);
        Assert.DoesNotContain("Harvesting", output);
        var tables = new TableServiceClient(foreign.ConnectionString).QueryAsync(t => t.Name == StorageNames.RunsTable);
        Assert.Empty(await tables.ToListAsync());
    }

    [Fact]
    public async Task MovedPortsHarvestTheMovedSamplePortalAndStopWhatTheyStarted()
    {
        var blob = FreeBlock();
        var portal = AzuriteInstance.FreePort();
        var data = Directory.CreateTempSubdirectory("feedingest-runsh-").FullName;
        try
        {
            var (exit, output) = await RunAsync(new()
            {
                ["FEEDINGEST_AZURITE_PORT"] = blob.ToString(),
                ["FEEDINGEST_AZURITE_LOCATION"] = data,
                ["FEEDINGEST_SAMPLE_PORT"] = portal.ToString(),
            }, "--sources", "sources.json");

            Assert.True(exit == 0, output);
            Assert.Contains($"Starting the bundled sample portal on http://127.0.0.1:{portal}/", output);
            Assert.Contains($"stored (new)       {SamplePortalContent.Articles.Count}", output);
            Assert.Contains($"127.0.0.1:{portal}/tin-tuc/", output);
            Assert.Contains("./feedingest articles list", output);
            Assert.True(IsFree(blob) && IsFree(blob + 1) && IsFree(blob + 2) && IsFree(portal), "run.sh left Azurite or the portal running");
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [Fact]
    public async Task AUsersOwnFeedIngestStorageIsUsedNotReplaced()
    {
        await using var mine = await AzuriteInstance.StartNewAsync();
        var (exit, output) = await RunAsync(new()
        {
            ["FeedIngestStorage"] = mine.ConnectionString,
            ["FEEDINGEST_SAMPLE_PORT"] = AzuriteInstance.FreePort().ToString(),
        });

        Assert.True(exit == 0, output);
        Assert.Contains("Using your FeedIngestStorage (not starting Azurite)", output);
        Assert.DoesNotContain("Starting Azurite", output);
        var rows = new TableServiceClient(mine.ConnectionString).GetTableClient(StorageNames.ArticlesTable).Query<ArticleEntity>().ToList();
        Assert.Equal(SamplePortalContent.Articles.Count, rows.Count);
    }
}
