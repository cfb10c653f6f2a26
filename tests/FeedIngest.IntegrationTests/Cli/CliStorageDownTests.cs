using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Cli;

/// <summary>
/// Issue 13.1: the follow-up commands run.sh prints, pasted after Azurite has stopped. Each must say in one line
/// where it looked for storage and what to do, exit 4, and print a stack trace only with --verbose.
/// </summary>
public sealed class CliStorageDownTests
{
    // Nothing listens here: the port was free a moment ago and is not handed to anyone in this test.
    private static readonly int Closed = AzuriteInstance.FreePort();

    private static Dictionary<string, string?> Env() => new()
    {
        ["FeedIngestStorage"] =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{Closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{Closed}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{Closed}/devstoreaccount1;",
    };

    public static TheoryData<string> StorageCommands => new()
    {
        "articles list",
        "articles show 0123456789abcdef",
        "articles follow --once",
        "articles follow",
        "runs list",
        "reprocess --article 0123456789abcdef",
        "harvest --once",
    };

    [Theory]
    [MemberData(nameof(StorageCommands))]
    public async Task EveryStorageCommandSaysInOneLineThatStorageIsDownAndExitsFour(string command)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Env(), command.Split(' '));

        Assert.True(exit == 4, $"{command}: exit {exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: cannot reach storage at http://127.0.0.1:{Closed}/devstoreaccount1 (Connection refused (127.0.0.1:{Closed})) — is Azurite running? (npm run azurite / ./run.sh)", line.TrimEnd());
        Assert.DoesNotContain("   at ", stdout + stderr);
    }

    [Fact]
    public async Task VerboseAddsTheStackTrace()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync(Env(), "runs", "list", "--verbose");

        Assert.Equal(4, exit);
        Assert.StartsWith("error: cannot reach storage at", stderr);
        Assert.Contains("   at ", stderr);
    }
}
