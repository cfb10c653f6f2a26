using System.Diagnostics.Metrics;

namespace FeedIngest.Core.Health;

/// <summary>
/// System.Diagnostics.Metrics instruments of the pipeline, on the meter named <see cref="MeterName"/>
/// (registered with OpenTelemetry by <c>AddFeedIngestTelemetry</c>; any MeterListener can read them too).
/// Tags: <c>source</c> on all, <c>cause</c> on failures.
/// </summary>
public sealed class FeedIngestMetrics : IDisposable
{
    public const string MeterName = "FeedIngest";

    private readonly Meter _meter;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _fetch;
    private readonly Histogram<double> _extraction;

    public FeedIngestMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _stored = _meter.CreateCounter<long>("feedingest.articles.stored", "{article}", "Articles stored (new or updated text) per source");
        _failed = _meter.CreateCounter<long>("feedingest.articles.failed", "{article}", "Article URLs failed or skipped per source and cause");
        _fetch = _meter.CreateHistogram<double>("feedingest.fetch.duration", "ms", "Time to fetch one article page (including retries and politeness waits)");
        _extraction = _meter.CreateHistogram<double>("feedingest.extraction.duration", "ms", "Time to extract one article page");
    }

    public void ArticleStored(string sourceId) => _stored.Add(1, new KeyValuePair<string, object?>("source", sourceId));

    public void ArticleFailed(string sourceId, string cause) =>
        _failed.Add(1, new KeyValuePair<string, object?>("source", sourceId), new KeyValuePair<string, object?>("cause", cause));

    public void FetchTook(string sourceId, TimeSpan elapsed) => _fetch.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("source", sourceId));

    public void ExtractionTook(string sourceId, TimeSpan elapsed) => _extraction.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("source", sourceId));

    public void Dispose() => _meter.Dispose();
}
