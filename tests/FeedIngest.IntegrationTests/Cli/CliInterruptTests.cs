using Azure.Data.Tables;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Harvest;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Cli;

/// <summary>
/// Issue 13.4: Ctrl+C in the middle of a harvest (a slow portal keeps it busy) records the run as cancelled with
/// its counts and prints the summary so far; storage lost mid-run ends it with exit 4. The real CLI process.
/// </summary>
public sealed class CliInterruptTests : IAsyncLifetime
{
    private const int Articles = 12;
    private AzuriteInstance _azurite = null!;
    private MiniPortal _portal = null!;
    private string _sources = "";

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteInstance.StartNewAsync();
        _portal = await MiniPortal.StartAsync();
        var paths = Enumerable.Range(1, Articles).Select(i => $"/tin-tuc/bai-viet-so-{i}-ve-hoat-dong-cua-phuong.html").ToArray();
        _portal.Feed("/rss.xml", paths);
        foreach (var (path, i) in paths.Select((p, i) => (p, i)))
            _portal.Page(path, MiniPortal.Article($"Bài viết số {i + 1} về hoạt động của phường", "01/06/2024 | 09:04",
                $"Đoạn thứ nhất của bài viết số {i + 1}, đủ dài để là một đoạn văn thật sự của bài báo trên cổng thông tin điện tử phường.",
                "Đoạn thứ hai nói về lịch tiếp công dân định kỳ của Ủy ban nhân dân phường và các hoạt động trong tháng."));
        // Articles come slowly; the feed at once.
        _portal.DelayFor = path => path.StartsWith("/tin-tuc/", StringComparison.Ordinal) ? TimeSpan.FromSeconds(1.5) : TimeSpan.Zero;
        _sources = Path.Combine(Directory.CreateTempSubdirectory("feedingest-sources-").FullName, "sources.json");
        await File.WriteAllTextAsync(_sources, $$"""
            { "sources": [ { "id": "slow", "name": "Slow portal", "baseUrl": "{{_portal.BaseUrl}}", "discoverFeeds": false,
              "feeds": ["{{_portal.Url("/rss.xml")}}"], "politeness": { "minDelayMs": 0, "maxConcurrency": 1 } } ] }
            """);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_sources)!, true);
    }

    private Dictionary<string, string?> Env() => new() { ["FeedIngestStorage"] = _azurite.ConnectionString };

    private static int StoredLines(CliProcess p) => p.Error.Split('\n').Count(l => l.Contains(" stored ", StringComparison.Ordinal));

    [Fact]
    public async Task CtrlCRecordsTheRunAsCancelledWithItsCountsAndPrintsTheSummarySoFar()
    {
        await using var harvest = CliProcess.Start(Env(), "harvest", "--once", "--sources", _sources);
        await harvest.WaitUntilAsync(p => StoredLines(p) >= 2, "two stored articles");
        await harvest.InterruptAsync();
        var exit = await harvest.WaitForExitAsync();

        Assert.True(exit == 130, $"exit {exit}\n{harvest.Output}\n{harvest.Error}");
        Assert.Contains("cancelled after", harvest.Output);
        // Discovery is not silent: it says when it starts and what it found before the first article.
        Assert.Contains("[slow] discovering…", harvest.Error);
        Assert.Contains($"[slow] {Articles} article(s) to fetch", harvest.Error);
        var runs = new TableClient(_azurite.ConnectionString, StorageNames.RunsTable).Query<RunEntity>(r => r.PartitionKey == RunEntity.Partition).ToList();
        var run = Assert.Single(runs);
        Assert.Equal(RunState.Cancelled, run.State);
        Assert.NotNull(run.EndedAt);
        Assert.InRange(run.Stored, StoredLines(harvest), Articles - 1);
        Assert.Contains($"stored (new)       {run.Stored}", harvest.Output);

        // runs list shows it, as a table with a header row; redirected output has no colour codes, nor with NO_COLOR.
        var env = Env();
        env["NO_COLOR"] = "1";
        var list = await CliProcess.RunAsync(env, "runs", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain('\u001b', list.Output);
        var header = list.Output.Split('\n').First(l => l.Trim().Length > 0);
        Assert.Matches(@"run\s+host\s+state\s+took\s+found\s+stored", header);
        Assert.Contains(run.RunId, list.Output);
        Assert.Matches($@"{run.RunId}\s+cli\s+cancelled", list.Output);

        // A re-run finishes the rest.
        _portal.DelayFor = null;
        var rerun = await CliProcess.RunAsync(Env(), "harvest", "--once", "--quiet", "--sources", _sources);
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        var articles = new TableClient(_azurite.ConnectionString, StorageNames.ArticlesTable).Query<ArticleEntity>(a => a.PartitionKey == "slow").ToList();
        Assert.Equal(Articles, articles.Count(a => a.Status == ArticleStatus.Stored));
    }

    [Fact]
    public async Task CtrlCStopsTheScheduleLoopCleanly()
    {
        var env = Env();
        env["HarvestSchedule"] = "0 0 0 1 1 *"; // next run a year away: the loop waits
        _portal.DelayFor = null;
        await using var harvest = CliProcess.Start(env, "harvest", "--quiet", "--sources", _sources);
        await harvest.WaitUntilAsync(p => p.Output.Contains("Next harvest at"), "the wait for the next run");
        await harvest.InterruptAsync();

        Assert.Equal(0, await harvest.WaitForExitAsync());
        Assert.Contains("Stopped.", harvest.Output);
        Assert.DoesNotContain("   at ", harvest.Error);
    }

    [Fact]
    public async Task StorageLostMidRunEndsWithExitFourNotAFailureForEveryArticle()
    {
        await using var harvest = CliProcess.Start(Env(), "harvest", "--once", "--sources", _sources);
        await harvest.WaitUntilAsync(p => StoredLines(p) >= 1, "a stored article");
        await _azurite.StopAsync();
        var exit = await harvest.WaitForExitAsync();

        Assert.True(exit == 4, $"exit {exit}\n{harvest.Output}\n{harvest.Error}");
        Assert.Contains("error: lost storage at", harvest.Error);
        Assert.Contains("is Azurite running?", harvest.Error);
        Assert.DoesNotContain("   at ", harvest.Error);
        Assert.True(StoredLines(harvest) < Articles, harvest.Error);
    }
}
