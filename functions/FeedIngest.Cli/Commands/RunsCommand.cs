using System.CommandLine;
using FeedIngest.Cli.Terminal;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest runs list [--max N] [--errors]</c>: the run ledger, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var max = new Option<int>("--max") { Description = "How many runs to show", DefaultValueFactory = _ => 10 };
        var errors = new Option<bool>("--errors") { Description = "Also print each run's failure lines" };
        var list = new Command("list", "List recent harvest runs from table Runs, newest first") { max, errors };
        list.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(max);
            if (n < 1) throw new UsageException($"--max must be at least 1 (got {n})");
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var runs = new List<RunEntity>();
            await foreach (var run in services.GetRequiredService<RunLedger>().ListRecentAsync(n, ct))
                runs.Add(run);
            Screen.Out.Write(Tables.Runs(runs));
            if (parse.GetValue(errors))
                foreach (var run in runs.Where(r => !string.IsNullOrEmpty(r.Errors)))
                {
                    Console.WriteLine($"{run.RunId}:");
                    foreach (var line in run.Errors!.Split('\n')) Console.WriteLine($"    ! {line}");
                }
            Console.WriteLine($"{runs.Count} run(s).");
            return ExitCodes.Ok;
        });
        return new Command("runs", "Inspect harvest runs") { list };
    }
}
