namespace FeedIngest.Cli.Bench;

/// <summary>What one <c>feedingest work --usage-file</c> process reports at exit (JSON), for <c>bench harvest</c>.
/// <c>StartupCpuMilliseconds</c>: the CPU it had spent when it was ready to take messages (0 off Linux); <c>JitMilliseconds</c>: time its threads spent
/// compiling methods (start-up and tier-up); <c>GcPauseMilliseconds</c>: time the collector paused it;
/// <c>SecondHalf…</c>: the CPU it spent on the second half of its articles, and how many those were (<see cref="SecondHalfCpu"/>).</summary>
internal sealed record WorkerReport(
    int ArticlesDone, int Stored, int SourcesDiscovered, int Retried, DateTimeOffset? LastArticleAt,
    double CpuMilliseconds, double StartupCpuMilliseconds, double JitMilliseconds, double GcPauseMilliseconds,
    double SecondHalfCpuMilliseconds, int SecondHalfArticles, double PeakMegabytes, Dictionary<string, long> Requests, Dictionary<string, long> Conflicts);
