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

        // The app does not run with it: no function answers (the host answers an error, or has stopped listening
        // when the worker could not start), and nothing is harvested.
        Assert.NotEqual(HttpStatusCode.OK, await HealthStatusAsync(host));
        Assert.Empty(await environment.Storage.TimerRunsAsync());
    }

    private static async Task<HttpStatusCode?> HealthStatusAsync(FunctionsHost host)
    {
        try
        {
            using var health = await host.Http.GetAsync("api/health");
            return health.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
