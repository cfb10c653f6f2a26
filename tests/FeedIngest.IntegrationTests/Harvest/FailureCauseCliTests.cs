using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Harvest;

/// <summary>
/// The real CLI process against a portal that is not running: the console says what happened, one line per failure
/// with its cause and no stack trace (those only with --verbose), and the Runs row counts the failures by cause.
/// </summary>
public sealed class FailureCauseCliTests(HarvestEnvironment env) : IClassFixture<HarvestEnvironment>
{
    private static string DeadPortalSources()
    {
        var port = FeedIngest.IntegrationTests.Infrastructure.AzuriteInstance.FreePort(); // nothing listens there
        return HarvestEnvironment.WriteSources(new Uri($"http://127.0.0.1:{port}/"), "dead");
    }

    [Fact]
    public async Task DeadPortalPrintsOneLinePerFailureWithItsCauseAndNoStackTrace()
    {
        var (exit, output, error) = await env.RunCliAsync("harvest", "--once", "--sources", DeadPortalSources());
        var all = output + error;

        Assert.Equal(2, exit);
        var failures = output.Split('\n').Where(l => l.TrimStart().StartsWith("! ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, failures.Count); // the feed and the listing
        Assert.All(failures, l => Assert.Contains("dead: [connection-refused] ", l));
        Assert.Contains("failures by cause  connection-refused 2", output);
        Assert.Contains("discovery failed for 1 source(s)", output);
        Assert.DoesNotContain("unchanged since the last run", output);
        Assert.DoesNotContain("disallowed", all);
        Assert.DoesNotContain("   at ", all);
        Assert.DoesNotContain("Polly", all);
        // One warning for the host's robots.txt; nothing per retry.
        Assert.Single(all.Split('\n'), l => l.Contains("warn:", StringComparison.Ordinal));

        var runId = output.Split('\n').Single(l => l.StartsWith("Harvest ", StringComparison.Ordinal)).Split(' ')[1];
        var run = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient(StorageNames.RunsTable).GetEntity<RunEntity>(RunEntity.Partition, RunKeys.RowKey(runId)).Value;
        Assert.Equal("connection-refused=2", run.FailuresByCause);
        Assert.Contains("[connection-refused]", run.Errors);
    }

    [Fact]
    public async Task VerboseShowsEveryAttemptWithItsStackTrace()
    {
        var (exit, output, error) = await env.RunCliAsync("harvest", "--once", "--verbose", "--sources", DeadPortalSources());

        Assert.Equal(2, exit);
        Assert.Contains("   at ", output + error);
        Assert.Contains("SocketException", output + error);
    }
}
