using System.CommandLine;
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
            await using var services = CliHost.Build();
            var count = 0;
            await foreach (var run in services.GetRequiredService<RunLedger>().ListRecentAsync(parse.GetValue(max), ct))
            {
                count++;
                var took = run.EndedAt is { } end ? $"{(end - run.StartedAt).TotalSeconds:0.0} s" : "running";
                Console.WriteLine($"{run.RowKey}  {run.Host,-9} {run.State,-23} {took,9}  found {run.Discovered}, stored {run.Stored}, updated {run.Updated}, unchanged {run.Unchanged}, skipped {run.Skipped}, failed {run.Failed}{(string.IsNullOrEmpty(run.FailuresByCause) ? "" : $" (by cause: {run.FailuresByCause})")}  [{run.Sources}]");
                if (parse.GetValue(errors) && !string.IsNullOrEmpty(run.Errors))
                    foreach (var line in run.Errors.Split('\n')) Console.WriteLine($"    ! {line}");
            }
            Console.WriteLine($"{count} run(s).");
            return 0;
        });
        return new Command("runs", "Inspect harvest runs") { list };
    }
}
