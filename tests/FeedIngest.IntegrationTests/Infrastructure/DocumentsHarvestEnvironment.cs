using System.Diagnostics;
using System.Text.Json;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>
/// An Azurite account of its own and the sample portal with its documents section (<c>serve-sample --with-documents</c>): an article
/// with a PDF and a DOCX attachment and one release published twice. The source reads the section's listing only.
/// <see cref="HarvestAsync"/> runs the real CLI once per fixture (later calls return the first result).
/// </summary>
public sealed class DocumentsHarvestEnvironment : IAsyncLifetime
{
    public const string SourceId = "song-hong";
    public AzuriteAccount Azurite { get; private set; } = null!;
    public SamplePortalServer Portal { get; private set; } = null!;
    public string SourcesFile { get; private set; } = "";
    private Task<(int ExitCode, string Output, string Error)>? _harvest;
    private readonly object _gate = new();

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteAccount.LeaseAsync();
        Portal = await SamplePortalServer.StartAsync(0, withDocuments: true);
        SourcesFile = Path.Combine(HarvestEnvironment.NewTempFolder(), "sources.json");
        File.WriteAllText(SourcesFile, JsonSerializer.Serialize(new
        {
            sources = new[]
            {
                new
                {
                    id = SourceId, name = "Quận Sông Hồng (văn bản)", district = "Sông Hồng", baseUrl = Portal.BaseUrl.AbsoluteUri,
                    hosts = new[] { "sample-portal.feedingest.dev" }, discoverFeeds = false,
                    listings = new[] { new { url = new Uri(Portal.BaseUrl, SampleDocumentsSite.IndexPath).AbsoluteUri, maxPages = 1 } },
                    politeness = new { minDelayMs = 0, maxConcurrency = 4 },
                },
            },
        }));
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    /// <summary>The canonical article id of a page of the documents section.</summary>
    public static string ArticleId(string path) =>
        FeedIngest.Core.Discovery.UrlCanonicalizer.ArticleId(new Uri(SamplePortalContent.CanonicalOrigin + path));

    public Task<(int ExitCode, string Output, string Error)> HarvestAsync()
    {
        lock (_gate) return _harvest ??= RunCliAsync("harvest", "--once", "--sources", SourcesFile);
    }

    /// <summary>The real CLI (the built feedingest.dll) as a separate process against this Azurite.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(HarvestEnvironment.CliPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["FeedIngestStorage"] = Azurite.ConnectionString;
        psi.Environment["FeedIngest__SourcesPath"] = SourcesFile;
        psi.Environment["FeedIngest__Fetching__AllowedPrivateNetworks"] = HarvestEnvironment.LoopbackOnly;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
