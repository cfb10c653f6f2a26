namespace FeedIngest.Core;

/// <summary>Top-level settings (configuration section "FeedIngest").</summary>
public sealed class FeedIngestOptions
{
    public const string SectionName = "FeedIngest";

    /// <summary>Path (or http(s)/blob URL) of the source registry file.</summary>
    public string SourcesPath { get; set; } = "sources.json";
    /// <summary>Articles processed at once by the in-process (CLI) harvest; per-host politeness still applies.</summary>
    public int MaxParallelArticles { get; set; } = 8;
    /// <summary>Re-check stored articles published within this many days (conditional GET; 0 = never).</summary>
    public int RecrawlDays { get; set; }
    /// <summary>A stored article is re-checked at most this often inside the re-crawl window.</summary>
    public int RecrawlIntervalHours { get; set; } = 6;
    /// <summary>
    /// Most URLs one run re-queues per source from earlier runs (pending, failed, re-crawls; new URLs are always
    /// queued): the rest is left for the next run and said so in the run row, so a backlog never outgrows one invocation.
    /// </summary>
    public int MaxRequeuedPerSource { get; set; } = 2000;
    /// <summary>A permanent failure (404/410, not HTML, too large, redirect overflow) is tried again after this many days.</summary>
    public int PermanentRetryDays { get; set; } = 30;
    /// <summary>A URL left pending by another run is queued again only after this long (its message may still be waiting in the queue).</summary>
    public int PendingRequeueMinutes { get; set; } = 60;
    /// <summary>Contact URL named in the User-Agent so portal operators can reach us.</summary>
    public string ContactUrl { get; set; } = "https://github.com/feedingest/feedingest";
}
