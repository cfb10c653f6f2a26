using System.Net;
using FeedIngest.HostTests.Infrastructure;

namespace FeedIngest.HostTests;

/// <summary>A bad setting stops the app at start-up with a message that names it, instead of failing on the first article.</summary>
public sealed class StartupValidationUnderHostTests
{
    [SkippableFact]
    public async Task AnOutOfRangeSettingStopsTheWorkerWithAMessageNamingIt()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        await using var environment = await HostEnvironment.StartAsync();
        var host = await environment.StartHostAsync("bad-setting", new Dictionary<string, string> { ["FeedIngest__Fetching__MaxRedirects"] = "-1" }, waitUntilHealthy: false);

        await Poll.UntilAsync(() => Task.FromResult(host.LogContains("FeedIngest:Fetching:MaxRedirects must be between 0 and 20")),
            "the host log to name the bad setting", diagnostics: () => host.Tail());

        // The app does not run with it: no function answers, nothing is harvested.
        using var health = await host.Http.GetAsync("api/health");
        Assert.NotEqual(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(await environment.Storage.TimerRunsAsync());
    }
}
