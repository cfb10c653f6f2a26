using System.Globalization;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Health;
using FeedIngest.IntegrationTests.SamplePortal;
using FeedIngest.SamplePortal;
using Xunit.Abstractions;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>
/// The calibration behind the drift thresholds (docs/HEALTH.md): runs of a few pages of one unchanged
/// template must not drift against each other (no false alarm), and a run of the changed template must.
/// The sample portal's pages are fetched from the real portal server; the figures are printed for the docs.
/// </summary>
public sealed class DriftCalibrationTests(SamplePortalServerFixture portal, ITestOutputHelper output) : IClassFixture<SamplePortalServerFixture>
{
    private const int PagesPerRun = 3;
    private static readonly HealthOptions Defaults = new();

    [Fact]
    public async Task UnchangedTemplateRunsDoNotDriftAndTheChangedTemplateDoes()
    {
        var extractor = new ArticleExtractor();
        var pages = new List<PageQuality>();
        foreach (var article in SamplePortalContent.Articles)
        {
            var html = await portal.Http.GetStringAsync(article.Path);
            pages.Add(PageQuality.From(extractor.Extract(html, new Uri(portal.Server.BaseUrl, article.Path))));
        }
        // Runs of PagesPerRun consecutive pages: the natural spread of one template from run to run.
        var runs = pages.Chunk(PagesPerRun).Where(c => c.Length == PagesPerRun)
            .Select((chunk, i) => QualityDrift.Summarize($"run-{i}", chunk)).ToList();
        foreach (var run in runs)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.RunId}: empty {run.EmptyShare} no-date {run.NoDateShare} no-title {run.NoTitleShare} mean {run.MeanBodyChars} dropped {run.DroppedShare}"));
        Assert.True(runs.Count >= Defaults.MinBaselineRuns + 1);

        // Leave-one-out: each run against the baseline of all the others.
        for (var i = 0; i < runs.Count; i++)
        {
            var others = runs.Where((_, j) => j != i).ToList();
            Assert.Empty(QualityDrift.Detect(runs[i], others, Defaults));
        }

        var changed = new List<PageQuality>();
        foreach (var i in Enumerable.Range(1, PagesPerRun))
            changed.Add(PageQuality.From(extractor.Extract(ChangedTemplate($"Thông báo số {i} của Ủy ban nhân dân phường"), new Uri(portal.Server.BaseUrl, $"/moi/{i}"))));
        var changedRun = QualityDrift.Summarize("changed", changed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"changed: empty {changedRun.EmptyShare} no-date {changedRun.NoDateShare} no-title {changedRun.NoTitleShare} mean {changedRun.MeanBodyChars} dropped {changedRun.DroppedShare}"));
        var flags = QualityDrift.Detect(changedRun, runs, Defaults).Select(f => f.Signal).ToList();
        Assert.Contains(QualitySignals.NoDate, flags);
        Assert.Contains(QualitySignals.EmptyBody, flags);
        Assert.Contains(QualitySignals.MeanBodyChars, flags);
    }

    [Fact]
    public void TooFewPagesOrTooShortAHistorySayNothing()
    {
        var good = QualityDrift.Summarize("good", [new PageQuality(900, true, true), new PageQuality(1000, true, true), new PageQuality(1100, true, true)]);
        var bad = QualityDrift.Summarize("bad", [new PageQuality(0, false, false), new PageQuality(0, false, false), new PageQuality(0, false, false)]);
        var tiny = QualityDrift.Summarize("tiny", [new PageQuality(0, false, false)]);

        Assert.Empty(QualityDrift.Detect(bad, [good, good], Defaults));
        Assert.Empty(QualityDrift.Detect(tiny, [good, good, good], Defaults));
        Assert.Equal([QualitySignals.EmptyBody, QualitySignals.NoDate, QualitySignals.NoTitle, QualitySignals.MeanBodyChars],
            QualityDrift.Detect(bad, [good, good, good], Defaults).Select(f => f.Signal));
    }

    /// <summary>The layout the scenario's portal switches to: no date, body cut to a teaser behind "Xem tiếp".</summary>
    internal static string ChangedTemplate(string title) => $"""
        <!doctype html><html lang="vi"><head><title>{title}</title></head><body>
        <div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a> <a href="/lien-he">Liên hệ</a></div>
        <div class="tin-chi-tiet"><h2>{title}</h2><p>Ủy ban nhân dân phường thông báo tới toàn thể nhân dân.</p><a href="/xem-tiep">Xem tiếp</a></div>
        <div class="footer">Cổng thông tin điện tử phường</div></body></html>
        """;
}
