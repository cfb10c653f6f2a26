using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FeedIngest.IntegrationTests.Harvest;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>
/// Four sources harvested by the real CLI, four runs in a row, against a private Azurite: the bundled sample
/// portal (healthy), a dead host (nothing listens on its port), a portal whose robots.txt disallows everything,
/// and a portal that publishes four new articles per run and switches to a new template before the fourth run
/// (date gone, body cut to a teaser). Alerts go to a local webhook receiver.
/// </summary>
public sealed class HealthScenario : IAsyncLifetime
{
    public const string Sample = "sample";
    public const string Dead = "dead-host";
    public const string Blocked = "robots-blocked";
    public const string Changing = "changing-template";
    public const int Runs = 4;
    public const int ArticlesPerRun = 4;

    public AzuriteAccount Azurite { get; private set; } = null!;
    public SamplePortalServer SamplePortal { get; private set; } = null!;
    public MiniPortal BlockedPortal { get; private set; } = null!;
    public MiniPortal ChangingPortal { get; private set; } = null!;
    public WebhookReceiver Webhook { get; private set; } = null!;
    public string SourcesFile { get; private set; } = "";
    public List<(int ExitCode, string Output, string Error)> Harvests { get; } = [];

    private readonly List<string> _changingPaths = [];

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteAccount.LeaseAsync();
        SamplePortal = await SamplePortalServer.StartAsync(0);
        BlockedPortal = await MiniPortal.StartAsync();
        BlockedPortal.Page("/robots.txt", "User-agent: *\nDisallow: /\n", "text/plain");
        BlockedPortal.Feed("/rss", "/tin/1", "/tin/2");
        BlockedPortal.Page("/tin/1", MiniPortal.Article("Bài một", "01/12/2026 | 08:00", Paragraphs(1)));
        ChangingPortal = await MiniPortal.StartAsync();
        Webhook = await WebhookReceiver.StartAsync();
        SourcesFile = WriteSources();

        for (var run = 1; run <= Runs; run++)
        {
            PublishArticles(run, changedTemplate: run == Runs);
            Harvests.Add(await RunCliAsync("harvest", "--once", "--quiet", "--sources", SourcesFile));
        }
    }

    /// <summary>Four new articles on the changing portal; from the last run on, in the new template.</summary>
    private void PublishArticles(int run, bool changedTemplate)
    {
        for (var i = 1; i <= ArticlesPerRun; i++)
        {
            var path = $"/tin-tuc/bai-{run}-{i}.html";
            _changingPaths.Add(path);
            var title = $"Thông báo số {run}.{i} của Ủy ban nhân dân phường";
            ChangingPortal.Page(path, changedTemplate ? NewTemplate(title) : MiniPortal.Article(title, $"0{run}/11/2026 | 0{i}:30", Paragraphs(run * 10 + i)));
        }
        ChangingPortal.Feed("/rss", _changingPaths.ToArray());
    }

    /// <summary>The portal's new layout: no visible date, and the body reduced to a teaser behind a "read more" link.</summary>
    private static string NewTemplate(string title) => DriftCalibrationTests.ChangedTemplate(title);

    private static string[] Paragraphs(int seed) =>
    [
        $"Ủy ban nhân dân phường thông báo kế hoạch số {seed} về việc tổ chức tiếp công dân định kỳ trong tháng, đề nghị các tổ dân phố phổ biến rộng rãi tới toàn thể nhân dân trên địa bàn.",
        $"Thời gian tiếp công dân bắt đầu từ 8 giờ sáng tại trụ sở ủy ban, lãnh đạo phường trực tiếp lắng nghe ý kiến, kiến nghị của người dân về đất đai, trật tự đô thị và vệ sinh môi trường (đợt {seed}).",
        "Các trường hợp cần hỗ trợ thủ tục hành chính xin liên hệ bộ phận một cửa để được hướng dẫn cụ thể, đầy đủ và kịp thời theo quy định hiện hành của pháp luật.",
    ];

    private string WriteSources()
    {
        var deadPort = ClosedPort();
        object Mini(string id, MiniPortal portal) => new
        {
            id, name = id, baseUrl = portal.BaseUrl.AbsoluteUri, discoverFeeds = false,
            feeds = new[] { portal.Url("/rss").AbsoluteUri }, politeness = new { minDelayMs = 0, maxConcurrency = 4 },
        };
        var registry = new
        {
            sources = new object[]
            {
                new
                {
                    id = Sample, name = "Sample portal", baseUrl = SamplePortal.BaseUrl.AbsoluteUri, hosts = new[] { "sample-portal.feedingest.dev" },
                    feeds = new[] { new Uri(SamplePortal.BaseUrl, "/rss/tin-tuc.rss").AbsoluteUri },
                    politeness = new { minDelayMs = 0, maxConcurrency = 4 },
                },
                new
                {
                    // robots.txt is not asked for, so the failure is the host's own: nothing listens.
                    id = Dead, name = Dead, baseUrl = $"http://127.0.0.1:{deadPort}/", discoverFeeds = false,
                    feeds = new[] { $"http://127.0.0.1:{deadPort}/rss" }, politeness = new { minDelayMs = 0, obeyRobotsTxt = false },
                },
                Mini(Blocked, BlockedPortal),
                Mini(Changing, ChangingPortal),
            },
        };
        var file = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "sources.json");
        File.WriteAllText(file, JsonSerializer.Serialize(registry));
        return file;
    }

    private static int ClosedPort() => FeedIngest.IntegrationTests.Infrastructure.AzuriteInstance.FreePort();

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["FeedIngestStorage"] = Azurite.ConnectionString,
        ["FeedIngest__SourcesPath"] = SourcesFile,
        ["FeedIngest__Alerts__WebhookUrl"] = Webhook.Url.AbsoluteUri,
        ["FeedIngest__Alerts__FailedRunsBeforeAlert"] = "2",
        ["FeedIngest__Fetching__MaxRetries"] = "0",
        // The test portals are on loopback, which the fetcher refuses unless allowed.
        ["FeedIngest__Fetching__AllowedPrivateNetworks"] = "127.0.0.1/32",
        ["FeedIngest__Fetching__RetryBaseDelaySeconds"] = "0.1",
    };

    /// <summary>Runs the real CLI (the built feedingest.dll) as a separate process with this scenario's settings.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    public ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(HarvestEnvironment.CliPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in Environment) psi.Environment[key] = value;
        return psi;
    }

    public async Task DisposeAsync()
    {
        await Webhook.DisposeAsync();
        await ChangingPortal.DisposeAsync();
        await BlockedPortal.DisposeAsync();
        await SamplePortal.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

/// <summary>The scenario's four harvests run once for every test class that reads them.</summary>
[CollectionDefinition(Name)]
public sealed class HealthScenarioCollection : ICollectionFixture<HealthScenario>
{
    public const string Name = "Health scenario";
}
