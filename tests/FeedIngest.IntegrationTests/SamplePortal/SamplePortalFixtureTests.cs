using System.Text;
using FeedIngest.IntegrationTests.Infrastructure;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.SamplePortal;

public sealed class SamplePortalFixtureTests
{
    private static readonly string FixtureDirectory = Path.Combine(RepoPaths.Root, "tests", "fixtures", "sample-portal");

    /// <summary>Set FEEDINGEST_UPDATE_FIXTURES=1 to rewrite tests/fixtures/sample-portal from the bundled content.</summary>
    [Fact]
    public void The_committed_fixtures_match_the_bundled_content_exactly()
    {
        if (Environment.GetEnvironmentVariable("FEEDINGEST_UPDATE_FIXTURES") == "1")
        {
            foreach (var stale in Directory.Exists(FixtureDirectory) ? Directory.GetFiles(FixtureDirectory) : [])
                File.Delete(stale);
            SamplePortalFixtures.Export(FixtureDirectory);
        }

        var expected = SamplePortalFixtures.All();
        var committed = Directory.GetFiles(FixtureDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), committed);
        foreach (var (name, content) in expected)
            Assert.True(content == File.ReadAllText(Path.Combine(FixtureDirectory, name), Encoding.UTF8),
                $"{name} differs from the bundled content; rerun with FEEDINGEST_UPDATE_FIXTURES=1 and review the diff");
    }

    [Fact]
    public void The_fixture_texts_are_nfc_with_one_block_per_line_and_no_blank_lines()
    {
        foreach (var article in SamplePortalContent.Articles)
        {
            var text = SamplePortalFixtures.GoldText(article);
            Assert.True(text.IsNormalized(NormalizationForm.FormC), article.Slug);
            var lines = text.TrimEnd('\n').Split('\n');
            Assert.All(lines, l => Assert.False(string.IsNullOrWhiteSpace(l), $"{article.Slug} has a blank line"));
            Assert.All(lines, l => Assert.Equal(l.Trim(), l));
            Assert.Equal(article.Paragraphs.Count + (article.Lead is null ? 0 : 1), lines.Length);
        }
    }
}
