using System.Net;
using FeedIngest.HostTests.Infrastructure;

namespace FeedIngest.HostTests;

/// <summary>What happens to messages that cannot succeed, under the host's own retry and poison handling (host.json).</summary>
[Collection(SingleHostCollection.Name)]
public sealed class QueueFailuresUnderHostTests(SingleHostFixture fixture)
{
    [SkippableFact]
    public async Task AnUnreadableMessageEndsInThePoisonQueueAfterMaxDequeueCountAndTheHostKeepsServing()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        await fixture.FirstHarvestAsync();
        var body = $"not json {Guid.NewGuid():N}";

        await fixture.Storage.SendAsync("articles", body);

        await Poll.UntilAsync(async () => (await fixture.Storage.PeekAsync("articles-poison")).Contains(body),
            "the unreadable message in articles-poison", diagnostics: () => fixture.Host.Tail());
        // The host tried it maxDequeueCount times (host.json: 5), then moved it, and said so.
        Assert.Contains(fixture.Host.LogLines, l => l.Contains("articles-poison", StringComparison.Ordinal));
        // Host.Results is the host's invocation record (Application Insights turns it into a request, not a trace),
        // so it is not counted as a log line about the message.
        var mentions = WithMessage(fixture.Host.LogLines, body).Where(e => !e.Contains("Host.Results", StringComparison.Ordinal)).ToList();
        Assert.False(fixture.Host.HasExited);
        using var health = await fixture.Host.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // Each failed delivery is logged by the host once ("Executed … (Failed …)" with the reason); the app adds nothing.
        Assert.True(mentions.Count <= 5, $"the message was logged {mentions.Count} times:\n" + string.Join('\n', mentions));
    }

    [SkippableFact]
    public async Task AFailedArticleIsRecordedAndLoggedOnceWithItsSourceAndRun()
    {
        Skip.If(HostLauncher.Available is null, HostLauncher.UnavailableReason);
        var run = await fixture.FirstHarvestAsync();
        var url = new Uri(fixture.Portal.BaseUrl, $"tin-tuc/khong-ton-tai-{Guid.NewGuid():N}.html").AbsoluteUri;

        // As an operator re-driving a message would: a page the portal answers 404 for.
        await fixture.Storage.SendAsync("articles", $$"""{"runId":"{{run.GetString("RunId")}}","sourceId":"{{HostEnvironment.SourceId}}","url":"{{url}}","mode":"harvest"}""");

        var recorded = await Poll.UntilAsync(async () => (await fixture.Storage.RowsAsync("Urls")).FirstOrDefault(r => r.GetString("Url") == url && r.GetString("Status") == "failed"),
            row => row is not null, $"{url} recorded as failed in Urls", diagnostics: () => fixture.Host.Tail());
        Assert.Contains("404", recorded!.GetString("Reason"), StringComparison.Ordinal);
        // Give the host a moment to flush the worker's log lines, then count what mentions the page.
        await Poll.UntilAsync(() => Task.FromResult(WarningsAbout(fixture.Host.LogLines, url).Count > 0), $"a warning about {url}", diagnostics: () => fixture.Host.Tail());
        await Task.Delay(TimeSpan.FromSeconds(3));
        var warnings = WarningsAbout(fixture.Host.LogLines, url);
        var warning = Assert.Single(warnings);
        Assert.Contains(HostEnvironment.SourceId, warning, StringComparison.Ordinal);
        Assert.Contains(run.GetString("RunId"), warning, StringComparison.Ordinal);
    }

    private static List<string> WithMessage(IReadOnlyList<string> log, string text) =>
        HarvestUnderHostTests.Entries(log).Where(e => e.Any(l => l.Contains(text, StringComparison.Ordinal))).Select(e => string.Join(" | ", e)).ToList();

    private static List<string> WarningsAbout(IReadOnlyList<string> log, string url) =>
        HarvestUnderHostTests.Entries(log)
            .Where(e => (e[0].StartsWith("warn:", StringComparison.Ordinal) || e[0].StartsWith("fail:", StringComparison.Ordinal)) && e.Any(l => l.Contains(url, StringComparison.Ordinal)))
            .Select(e => string.Join(" | ", e)).ToList();
}
