using FeedIngest.Core.Fetching;
using FeedIngest.Core.Pipeline;
using Spectre.Console;

namespace FeedIngest.Cli.Terminal;

/// <summary>
/// What a harvest shows while it runs: on a terminal a live status line (discovery can take tens of seconds)
/// above the per-article lines; redirected, only the per-article lines on stderr.
/// </summary>
internal static class HarvestProgressView
{
    public static async Task<HarvestSummary> RunAsync(bool quiet, Func<IProgress<HarvestProgress>, Task<HarvestSummary>> run)
    {
        if (!Screen.ErrorIsInteractive)
            return await run(new Immediate(p => WriteLine(p, quiet, Console.Error.WriteLine)));
        return await Screen.Error.Status().Spinner(Spinner.Known.Dots).StartAsync("starting…", async status =>
            await run(new Immediate(p =>
            {
                status.Status(Markup.Escape(p switch
                {
                    { Last: null, Total: 0 } => $"[{p.SourceId}] discovering articles (feeds, listings, sitemaps)…",
                    _ => $"[{p.SourceId}] {p.Done}/{p.Total} articles fetched and extracted…",
                }));
                WriteLine(p, quiet, line => Screen.Error.WriteLine(line));
            })));
    }

    private static void WriteLine(HarvestProgress p, bool quiet, Action<string> write)
    {
        if (quiet) return;
        if (p.Last is null)
        {
            write(p.Total == 0 ? $"[{p.SourceId}] discovering…" : $"[{p.SourceId}] {p.Total} article(s) to fetch");
            return;
        }
        var reason = p.Last.Reason is null ? ""
            : p.Last.Result is ArticleResult.Failed or ArticleResult.Skipped ? $" — [{FailureCauses.Name(p.Last.Cause == FailureCause.None ? FailureCause.Other : p.Last.Cause)}] {p.Last.Reason}"
            : $" — {p.Last.Reason}";
        write($"[{p.SourceId}] {p.Done}/{p.Total} {p.Last.Result.ToString().ToLowerInvariant()} {p.Last.Url}{reason}");
    }

    /// <summary>Reports on the caller's thread (unlike Progress&lt;T&gt;), so no line arrives after the summary.</summary>
    private sealed class Immediate(Action<HarvestProgress> report) : IProgress<HarvestProgress>
    {
        private readonly Lock _gate = new();

        public void Report(HarvestProgress value)
        {
            lock (_gate) report(value);
        }
    }
}
