using System.Diagnostics;
using FeedIngest.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>
/// The status page served by <c>feedingest dashboard</c> (a real CLI process) in a real headless Chromium:
/// it loads without console errors, shows the sample portal and the runs, and flags the broken sources.
/// </summary>
[Collection(HealthScenarioCollection.Name)]
public sealed class StatusPageBrowserTests(HealthScenario scenario)
{
    /// <summary>Debian's Chromium (./test.sh installs it); FEEDINGEST_CHROMIUM names another.</summary>
    private static string ChromiumPath => Environment.GetEnvironmentVariable("FEEDINGEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [SkippableFact]
    public async Task TheStatusPageShowsSourcesRunsFailuresAndFlagsTheBrokenSources()
    {
        Skip.IfNot(File.Exists(ChromiumPath), $"no Chromium at {ChromiumPath}: install it (apt-get install chromium; ./test.sh does) or set FEEDINGEST_CHROMIUM");
        using var dashboard = Process.Start(scenario.StartInfo("dashboard", "--port", "0"))!;
        try
        {
            var url = await ReadDashboardUrlAsync(dashboard);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1000 } });
            var errors = new List<string>();
            page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
            page.PageError += (_, error) => errors.Add(error);

            var response = await page.GotoAsync(url.AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });

            Assert.Equal(200, response!.Status);
            await Assertions.Expect(page.Locator($"#sources tr[data-source='{HealthScenario.Sample}']")).ToHaveAttributeAsync("data-state", "ok");
            var dead = page.Locator($"#sources tr[data-source='{HealthScenario.Dead}']");
            await Assertions.Expect(dead).ToHaveAttributeAsync("data-state", "failing");
            await Assertions.Expect(dead.Locator(".badge")).ToHaveTextAsync("failing");
            await Assertions.Expect(dead).ToContainTextAsync("connection-refused");
            // "Visibly flagged": the failing row is tinted red, not only labelled.
            Assert.Equal("rgb(255, 235, 233)", await dead.Locator("td").First.EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor"));
            await Assertions.Expect(page.Locator($"#sources tr[data-source='{HealthScenario.Blocked}']")).ToContainTextAsync("robots-disallowed");
            var changing = page.Locator($"#sources tr[data-source='{HealthScenario.Changing}']");
            await Assertions.Expect(changing).ToHaveAttributeAsync("data-state", "drift");
            await Assertions.Expect(changing.Locator(".flag").Filter(new LocatorFilterOptions { HasText = "no-date" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(HealthScenario.Runs);
            Assert.True(await page.Locator("#failures tbody tr").CountAsync() >= 2);
            await Assertions.Expect(page.Locator($"#chart rect[data-source='{HealthScenario.Sample}']")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator($"#chart rect[data-source='{HealthScenario.Changing}']")).ToHaveCountAsync(1);

            var screenshot = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "feedingest-status-page.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            Assert.True(new FileInfo(screenshot).Length > 10_000);
            Assert.Empty(errors);
        }
        finally
        {
            dashboard.Kill(entireProcessTree: true);
            await dashboard.WaitForExitAsync();
        }
    }

    private static async Task<Uri> ReadDashboardUrlAsync(Process dashboard)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await dashboard.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("Dashboard on ", StringComparison.Ordinal))
                return new Uri(line["Dashboard on ".Length..].Split(' ')[0]);
        throw new InvalidOperationException("feedingest dashboard exited before it listened: " + await dashboard.StandardError.ReadToEndAsync());
    }
}
