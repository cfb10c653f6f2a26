namespace FeedIngest.Cli.Bench;

/// <summary>What one <c>feedingest work --usage-file</c> process reports at exit (JSON), for <c>bench harvest</c>.
/// <c>StartupCpuMilliseconds</c>: the CPU it had spent when it was ready to take messages (0 off Linux).</summary>
internal sealed record WorkerReport(
    int ArticlesDone, int Stored, int SourcesDiscovered, int Retried, DateTimeOffset? LastArticleAt,
    double CpuMilliseconds, double StartupCpuMilliseconds, double PeakMegabytes, Dictionary<string, long> Requests, Dictionary<string, long> Conflicts);
