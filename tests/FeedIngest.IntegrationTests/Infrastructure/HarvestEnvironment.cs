using System.Diagnostics;
using System.Text.Json;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>A private Azurite and the bundled sample portal on free ports, with a sources.json pointing at it.</summary>
public sealed class HarvestEnvironment : IAsyncLifetime
{
    public AzuriteAccount Azurite { get; private set; } = null!;
    public SamplePortalServer Portal { get; private set; } = null!;
    public string SourcesFile { get; private set; } = "";
    public const string SourceId = "sample";

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteAccount.LeaseAsync();
        Portal = await SamplePortalServer.StartAsync(0);
        SourcesFile = WriteSources(Portal.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    /// <summary>
    /// Folders <see cref="WriteSources"/> made, for any test class: removed when the test process ends (test.sh checks
    /// nothing is left) — not with one environment, whose disposal would pull other classes' registries away.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> TempFolders = CleanedAtExit();

    private static System.Collections.Concurrent.ConcurrentBag<string> CleanedAtExit()
    {
        var folders = new System.Collections.Concurrent.ConcurrentBag<string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var dir in folders) try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return folders;
    }

    public static string NewTempFolder()
    {
        var folder = Directory.CreateTempSubdirectory("feedingest-sources-").FullName;
        TempFolders.Add(folder);
        return folder;
    }

    public static string WriteSources(Uri baseUrl, string sourceId = SourceId)
    {
        var file = Path.Combine(NewTempFolder(), "sources.json");
        var registry = new
        {
            sources = new[]
            {
                new
                {
                    id = sourceId,
                    name = "Sample portal",
                    district = "Hai Bà Trưng",
                    baseUrl = baseUrl.AbsoluteUri,
                    hosts = new[] { "sample-portal.feedingest.dev" },
                    feeds = new[] { new Uri(baseUrl, "/rss/tin-tuc.rss").AbsoluteUri },
                    listings = new[] { new { url = new Uri(baseUrl, "/tin-tuc").AbsoluteUri, maxPages = 10 } },
                    politeness = new { minDelayMs = 0, maxConcurrency = 4 },
                },
            },
        };
        File.WriteAllText(file, JsonSerializer.Serialize(registry));
        return file;
    }

    /// <summary>The test portals listen on 127.0.0.1; the SSRF guard refuses loopback unless allowed.</summary>
    public const string LoopbackOnly = "127.0.0.1/32";

    public Dictionary<string, string?> Settings(string? sourcesFile = null) => new()
    {
        ["FeedIngestStorage"] = Azurite.ConnectionString,
        ["FeedIngest:SourcesPath"] = sourcesFile ?? SourcesFile,
        ["FeedIngest:Fetching:AllowedPrivateNetworks"] = LoopbackOnly,
    };

    /// <summary>The CLI as built beside the tests (same configuration), with its own deps and runtime config.</summary>
    public static string CliPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var path = Path.Combine(RepoPaths.Root, "functions", "FeedIngest.Cli", "bin", configuration, "net10.0", "feedingest.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the CLI first (dotnet build FeedIngest.sln).", path);
        }
    }

    /// <summary>Runs the real CLI (the built feedingest.dll) as a separate process.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["FeedIngestStorage"] = Azurite.ConnectionString;
        psi.Environment["FeedIngest__Fetching__AllowedPrivateNetworks"] = LoopbackOnly;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
