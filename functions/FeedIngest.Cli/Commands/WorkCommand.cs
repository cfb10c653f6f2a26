using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using FeedIngest.Cli.Bench;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary>
/// <c>feedingest work [--until-idle]</c>: works the <c>discover</c> and <c>articles</c> queues as the Functions app does,
/// so several processes (or machines) share one harvest. Runs are started by the timer, or by <c>bench harvest</c>.
/// </summary>
internal static class WorkCommand
{
    public static Command Create()
    {
        var untilIdle = new Option<bool>("--until-idle") { Description = "Exit once both queues are empty (default: keep polling until Ctrl+C)" };
        var usageFile = new Option<string?>("--usage-file") { Description = "Write what this process did and spent (JSON) to this file at exit", Hidden = true };
        var command = new Command("work", "Process queued discovery and article messages, like the Functions app, until stopped") { untilIdle, usageFile };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            // The process's fixed cost (runtime, DI, storage checks), apart from what its articles cost.
            var startupCpu = ProcessUsage.CpuMilliseconds(Environment.ProcessId) ?? 0;
            var worker = services.GetRequiredService<QueueWorker>();
            // Sampled only for a usage report (bench harvest), not in a worker that runs for months.
            var file = parse.GetValue(usageFile);
            await using var secondHalf = file is null ? null : new SecondHalfCpu(() => worker.ArticlesDone);
            QueueWorkSummary summary;
            try
            {
                summary = await worker.RunAsync(parse.GetValue(untilIdle), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.WriteLine("Stopped.");
                return ExitCodes.Interrupted;
            }
            Console.WriteLine($"Worked {summary.SourcesDiscovered} discover and {summary.ArticlesDone} article message(s): "
                + string.Join(", ", summary.Articles.OrderBy(p => p.Key).Select(p => $"{p.Key.ToString().ToLowerInvariant()} {p.Value}"))
                + (summary.Retried > 0 ? $"; {summary.Retried} left for a retry" : ""));
            if (file is not null && secondHalf is not null)
            {
                var pid = Environment.ProcessId;
                using var self = Process.GetCurrentProcess();
                var counts = services.GetRequiredService<StorageRequestCounter>().Snapshot();
                var (warmCpu, warmArticles) = await secondHalf.StopAsync();
                var report = new WorkerReport(summary.ArticlesDone, summary.Articles.GetValueOrDefault(ArticleResult.Stored), summary.SourcesDiscovered, summary.Retried,
                    summary.LastArticleAt, ProcessUsage.CpuMilliseconds(pid) ?? self.TotalProcessorTime.TotalMilliseconds, startupCpu,
                    System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds, GC.GetTotalPauseDuration().TotalMilliseconds,
                    warmCpu, warmArticles,
                    ProcessUsage.PeakMegabytes(pid) ?? self.PeakWorkingSet64 / 1048576.0,
                    counts.ToDictionary(p => p.Key, p => p.Value.Requests), counts.ToDictionary(p => p.Key, p => p.Value.Conflicts));
                await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report), ct);
            }
            return summary.Retried > 0 ? ExitCodes.SomeFailed : ExitCodes.Ok;
        });
        return command;
    }
}
