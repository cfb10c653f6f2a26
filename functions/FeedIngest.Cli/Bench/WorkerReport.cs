namespace FeedIngest.Cli.Bench;

/// <summary>What one <c>feedingest work --usage-file</c> process reports at exit (JSON), for <c>bench harvest</c>.</summary>
internal sealed record WorkerReport(
    int ArticlesDone, int Stored, int SourcesDiscovered, int Retried, DateTimeOffset? LastArticleAt,
    double CpuMilliseconds, double PeakMegabytes, Dictionary<string, long> Requests, Dictionary<string, long> Conflicts);
