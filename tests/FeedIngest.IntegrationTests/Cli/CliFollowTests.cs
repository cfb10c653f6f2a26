using System.Text.Json;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Cli;

/// <summary>
/// Issue 13.5: looking at article-events must not take events from the consumers that read it, and following
/// must print each event once (the user saw 1,469 lines in 3 s). Its own Azurite: the queue name is fixed.
/// </summary>
public sealed class CliFollowTests : IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;
    private QueueClient _queue = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        _queue = new QueueClient(_azurite.ConnectionString, StorageNames.ArticleEventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await _queue.CreateIfNotExistsAsync();
        for (var i = 0; i < 3; i++)
            await _queue.SendMessageAsync(JsonSerializer.Serialize(
                new ArticleEvent($"00000000000000a{i}", "sample", $"https://portal.example/a{i}", $"sample/2024/01/0{i + 1}/00000000000000a{i}.txt", 1, "h", ArticleChange.Created),
                ContractJson.Compact));
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    private Dictionary<string, string?> Env() => new() { ["FeedIngestStorage"] = _azurite.ConnectionString };

    private async Task<int> WaitingAsync() => (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    [Fact]
    public async Task FollowOnceLeavesEveryEventForTheConsumers()
    {
        for (var look = 0; look < 2; look++)
        {
            var (exit, stdout, stderr) = await CliProcess.RunAsync(Env(), "articles", "follow", "--once");
            Assert.True(exit == 0, stderr);
            Assert.Equal(3, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains("created     sample/00000000000000a0 v1", stdout);
        }
        Assert.Equal(3, await WaitingAsync());
        // Peeking does not count as a delivery: a consumer's poison-message limit is untouched.
        var received = (await _queue.ReceiveMessagesAsync(32)).Value;
        Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
    }

    [Fact]
    public async Task FollowingPrintsEachEventOnceAndKeepsThem()
    {
        await using var follow = CliProcess.Start(Env(), "articles", "follow", "--interval", "0.2");
        await follow.WaitUntilAsync(p => p.Output.Contains("00000000000000a2"), "the third event");
        // Many polls happen meanwhile; a new event shows once too.
        await _queue.SendMessageAsync(JsonSerializer.Serialize(
            new ArticleEvent("00000000000000b0", "sample", "https://portal.example/b0", "sample/2024/01/09/00000000000000b0.txt", 2, "h", ArticleChange.Updated),
            ContractJson.Compact));
        await follow.WaitUntilAsync(p => p.Output.Contains("00000000000000b0"), "the event sent while following");
        await Task.Delay(TimeSpan.FromSeconds(2)); // ten more polls
        await follow.InterruptAsync();
        Assert.Equal(0, await follow.WaitForExitAsync());

        var lines = follow.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("4 event(s).", follow.Error);
        Assert.Equal(4, await WaitingAsync());
    }

    [Fact]
    public async Task ConsumeIsTheExplicitWayToTakeEvents()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Env(), "articles", "follow", "--once", "--consume");
        Assert.True(exit == 0, stderr);
        Assert.Equal(3, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, await WaitingAsync());
    }
}
