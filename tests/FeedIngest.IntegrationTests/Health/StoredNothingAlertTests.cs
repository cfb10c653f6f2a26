using FeedIngest.IntegrationTests.Harvest;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>A source that stored articles every run and then stores none alerts once ("stored-nothing"), not on every quiet run after.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoredNothingAlertTests(AzuriteFixture storage)
{
    [Fact]
    public async Task ARunThatStoresNothingWhereTheSourceUsuallyStoresAlertsOncePerEpisode()
    {
        var sourceId = "quiet-" + Guid.NewGuid().ToString("N")[..6];
        await using var portal = await MiniPortal.StartAsync();
        await using var webhook = await WebhookReceiver.StartAsync();
        var settings = new Dictionary<string, string?> { ["FeedIngest:Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri };
        var paths = new List<string>();
        var paragraph = "Ủy ban nhân dân phường thông báo lịch tiếp công dân định kỳ trong tháng, đề nghị các tổ dân phố phổ biến rộng rãi tới toàn thể nhân dân trên địa bàn phường.";

        for (var run = 1; run <= 5; run++)
        {
            if (run <= 3)
                foreach (var i in Enumerable.Range(1, 2))
                {
                    var path = $"/tin/{run}-{i}";
                    paths.Add(path);
                    portal.Page(path, MiniPortal.Article($"Thông báo {run}.{i}", "01/12/2026 | 08:00", paragraph, paragraph + $" Đợt {run}.{i}."));
                }
            portal.Feed("/rss", paths.ToArray());
            await MiniPortal.HarvestAsync(storage.ConnectionString, portal.Source(sourceId, "/rss"), settings);
            if (run <= 3) Assert.Empty(webhook.Alerts);
        }

        var alert = Assert.Single(webhook.Alerts, a => (string?)a["sourceId"] == sourceId);
        Assert.Equal("stored-nothing", (string?)alert["kind"]);
        Assert.Equal(0, (int)alert["storedLastRun"]!);
        Assert.Equal(2.0, (double)alert["usualStored"]!);
        Assert.Contains("stored nothing", (string)alert["text"]!);
    }
}
