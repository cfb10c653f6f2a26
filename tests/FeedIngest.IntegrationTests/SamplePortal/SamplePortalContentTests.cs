using System.Text;
using AngleSharp.Html.Parser;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.SamplePortal;

/// <summary>Checks on the bundled articles themselves, through the pages the server would send.</summary>
public sealed class SamplePortalContentTests(SamplePortalServerFixture portal) : IClassFixture<SamplePortalServerFixture>
{
    private static readonly HtmlParser Parser = new();
    private static IReadOnlyList<SampleArticle> Articles => SamplePortalContent.Articles;

    [Fact]
    public void The_portal_has_at_least_twelve_articles_in_both_layouts_with_unique_slugs_and_paths()
    {
        Assert.True(Articles.Count >= 12, $"{Articles.Count} articles");
        Assert.True(Articles.Count(a => a.Layout == "gov") >= 5);
        Assert.True(Articles.Count(a => a.Layout == "news") >= 5);
        Assert.All(Articles, a => Assert.Contains(a.Layout, new[] { "gov", "news" }));
        Assert.Equal(Articles.Count, Articles.Select(a => a.Slug).Distinct().Count());
        Assert.All(Articles, a => Assert.Matches($"^/tin-tuc/{a.Slug}-[0-9]+\\.html$", a.Path));
        Assert.Equal(Articles.Count, Articles.Select(a => a.Id).Distinct().Count());
    }

    [Fact]
    public void Articles_are_newest_first_on_different_days_between_2021_and_2024_in_vietnam_time()
    {
        Assert.Equal(Articles.OrderByDescending(a => a.PublishedAt), Articles);
        Assert.All(Articles, a => Assert.Equal(TimeSpan.FromHours(7), a.PublishedAt.Offset));
        Assert.All(Articles, a => Assert.InRange(a.PublishedAt.Year, 2021, 2024));
        Assert.Equal(Articles.Count, Articles.Select(a => a.PublishedAt.Date).Distinct().Count());
        Assert.Equal(4, Articles.Select(a => a.PublishedAt.Year).Distinct().Count());
    }

    [Fact]
    public void Every_text_is_unicode_nfc_and_free_of_boilerplate_markers()
    {
        foreach (var a in Articles)
        {
            foreach (var text in new[] { a.Title, a.Lead, a.Author, a.SourceAttribution, a.Category }.Concat(a.Paragraphs).Concat(a.Images.Select(i => i.Caption)))
                if (text is not null) Assert.True(text.IsNormalized(NormalizationForm.FormC), $"{a.Slug}: not NFC: {text}");
            Assert.DoesNotContain(a.Paragraphs, p => p.Contains("(Nguồn:") || p.Contains("Lượt xem") || p.Contains('\u00A0') || p.Contains("  "));
            if (a.Author is not null) Assert.NotEqual(a.Author, a.Paragraphs[^1]);
        }
    }

    [Fact]
    public void The_articles_cover_the_structures_real_portals_have()
    {
        Assert.True(Articles.Count(a => a.Author is not null) >= 4);
        Assert.True(Articles.Count(a => a.Author is null) >= 2);
        Assert.True(Articles.Count(a => a.SourceAttribution is not null) >= 3);
        Assert.True(Articles.Count(a => a.Lead is null) >= 1);
        Assert.All(Articles, a => Assert.InRange(a.Images.Count, 1, 5));
        Assert.True(Articles.Select(a => a.Category).Distinct().Count() >= 5);
        // The body of some articles holds a list, a data table (" | " rows) and sub-headings.
        Assert.Contains(Articles, a => a.Paragraphs.Count(p => p.Contains(" | ")) >= 3);
    }

    [Fact]
    public async Task Every_page_shows_its_title_lead_paragraphs_and_captions()
    {
        foreach (var a in Articles)
        {
            var document = Parser.ParseDocument(await portal.Http.GetStringAsync(a.Path));
            var blocks = document.QuerySelectorAll("p, h2, li, figcaption, td, b, strong, em")
                .Select(e => e.TextContent.Trim()).ToHashSet();

            if (a.Lead is not null) Assert.Contains(a.Lead, blocks);
            foreach (var paragraph in a.Paragraphs)
            {
                var cells = paragraph.Split(" | ");
                Assert.All(cells, c => Assert.Contains(c, blocks));
            }
            foreach (var image in a.Images)
            {
                Assert.Contains(image.Caption, blocks);
                Assert.NotNull(document.QuerySelector($"img[src='{image.Src}'], img[data-src='{image.Src}']"));
            }
        }
    }

    [Fact]
    public async Task Every_boilerplate_string_is_on_its_page_and_never_in_the_expected_body()
    {
        foreach (var a in Articles)
        {
            var page = Parser.ParseDocument(await portal.Http.GetStringAsync(a.Path)).Body!.TextContent;
            foreach (var boilerplate in a.BoilerplateStrings)
            {
                Assert.Contains(boilerplate, page);
                Assert.DoesNotContain(boilerplate, a.ExpectedText);
            }
            foreach (var image in a.Images)
                Assert.Contains(image.Caption, a.BoilerplateStrings);
        }
    }

    [Fact]
    public void The_boilerplate_lists_name_the_related_boxes_counters_and_footers_of_each_layout()
    {
        foreach (var a in Articles.Where(a => a.Layout == "gov"))
        {
            Assert.Contains("Tin khác", a.BoilerplateStrings);
            Assert.Contains(a.BoilerplateStrings, s => s.StartsWith("Ngày đăng ", StringComparison.Ordinal));
            Assert.Contains(a.BoilerplateStrings, s => s.StartsWith("Lượt xem: ", StringComparison.Ordinal));
            Assert.Contains(a.Category.ToUpperInvariant(), a.BoilerplateStrings);
            Assert.Contains(a.BoilerplateStrings, s => s.StartsWith("Tổng lượt truy cập", StringComparison.Ordinal));
        }
        foreach (var a in Articles.Where(a => a.Layout == "news"))
        {
            foreach (var heading in new[] { "Tin liên quan", "Có thể bạn quan tâm", "Nên xem", "Đọc nhiều", "Từ khóa:", "Bình luận" })
                Assert.Contains(heading, a.BoilerplateStrings);
            Assert.Contains(a.BoilerplateStrings, s => s.StartsWith("Thứ ", StringComparison.Ordinal) || s.StartsWith("Chủ nhật, ", StringComparison.Ordinal));
        }
        // Other articles' titles appear in every page's related lists.
        Assert.All(Articles, a => Assert.True(Articles.Count(o => o != a && a.BoilerplateStrings.Contains(o.Title)) >= 5, a.Slug));
    }

    [Fact]
    public async Task At_least_two_articles_carry_a_related_list_inside_the_body()
    {
        var inside = 0;
        foreach (var a in Articles)
        {
            var document = Parser.ParseDocument(await portal.Http.GetStringAsync(a.Path));
            var body = document.QuerySelector("#noidung, .story__body")!;
            if (body.QuerySelectorAll("a[href^='/tin-tuc/']").Length > 0) inside++;
        }
        Assert.True(inside >= 2, $"{inside} articles have related links inside the body");
    }

    [Fact]
    public async Task Some_news_pages_load_images_lazily_and_gov_pages_use_both_caption_styles()
    {
        var lazy = 0;
        var captionTables = 0;
        var imageParagraphs = 0;
        foreach (var a in Articles)
        {
            var document = Parser.ParseDocument(await portal.Http.GetStringAsync(a.Path));
            lazy += document.QuerySelectorAll("img[data-src]").Length;
            captionTables += document.QuerySelectorAll("#noidung table img").Length;
            imageParagraphs += document.QuerySelectorAll("#noidung p.Image").Length;
        }
        Assert.True(lazy >= 3);
        Assert.True(captionTables >= 3);
        Assert.True(imageParagraphs >= 2);
    }
}
