using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FeedIngest.Core.Health;
using FeedIngest.IntegrationTests.Harvest;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>The pipeline's System.Diagnostics.Metrics instruments, read with a MeterListener during a real harvest.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MetricsTests(AzuriteFixture storage)
{
    [Fact]
    public async Task AHarvestCountsStoredAndFailedArticlesPerSourceAndTimesFetchAndExtraction()
    {
        var sourceId = "metrics-" + Guid.NewGuid().ToString("N")[..6];
        await using var portal = await MiniPortal.StartAsync();
        portal.Feed("/rss", "/a1", "/a2", "/missing");
        var paragraph = "Ủy ban nhân dân phường thông báo lịch tiếp công dân định kỳ trong tháng, đề nghị các tổ dân phố phổ biến rộng rãi tới nhân dân.";
        portal.Page("/a1", MiniPortal.Article("Bài thứ nhất", "01/12/2026 | 08:00", paragraph, paragraph + " Một."));
        portal.Page("/a2", MiniPortal.Article("Bài thứ hai", "01/12/2026 | 09:00", paragraph, paragraph + " Hai."));
        var measurements = new ConcurrentBag<(string Instrument, double Value, string? Source, string? Cause)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FeedIngestMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? source = null, cause = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "source") source = tag.Value as string;
                if (tag.Key == "cause") cause = tag.Value as string;
            }
            if (source == sourceId) measurements.Add((instrument.Name, value, source, cause));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await MiniPortal.HarvestAsync(storage.ConnectionString, portal.Source(sourceId, "/rss"), new Dictionary<string, string?> { ["FeedIngest:Fetching:MaxRetries"] = "0" });

        Assert.Equal(2, measurements.Where(m => m.Instrument == "feedingest.articles.stored").Sum(m => m.Value));
        var failed = Assert.Single(measurements, m => m.Instrument == "feedingest.articles.failed");
        Assert.Equal("http-status", failed.Cause);
        Assert.Equal(3, measurements.Count(m => m.Instrument == "feedingest.fetch.duration"));
        Assert.All(measurements.Where(m => m.Instrument.EndsWith(".duration", StringComparison.Ordinal)), m => Assert.True(m.Value >= 0));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "feedingest.extraction.duration"));
    }
}
