using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>
/// The cascade's safety nets and the bounds on removal rules: a misleading class name never costs the article, and the
/// quality counters say how many blocks the line rules and the cross-page memory dropped.
/// </summary>
public sealed class CascadeTests
{
    private static readonly string[] Paragraphs =
    [
        "The district library reopened on Monday after an eight-month renovation that replaced the roof, the heating and every shelf in the children's room.",
        "Librarians said the new reading room, which faces the river, already had a waiting list for its study desks before the doors opened, with students booking weeks ahead.",
        "The renovation cost 2.1 million dollars, most of it from a state grant, and the library kept a small lending point open in the town hall while the work went on.",
        "Opening hours will be extended to nine in the evening on weekdays from next month, and the library plans Saturday workshops for older residents learning to use tablets.",
    ];

    private static string Article() => string.Join("", Paragraphs.Select(p => $"<p>{p}</p>"));

    [Fact]
    public void AnArticleInAContainerNamedLikeAWidgetBesideAPositivelyNamedOneLinerStillComesOut()
    {
        // The article sits in a box named like furniture (class weight -25); a one-line prompt sits in "entry-content" (+25).
        var html = $"""
            <html><head><title>Library reopens after renovation - Town Notes</title></head><body>
            <div id="nav"><a href="/">Home</a> <a href="/news">News</a></div>
            <div class="widget-area col-main">{Article()}</div>
            <div class="entry-content"><p>Leave a comment below and tell us what you think.</p></div>
            <div class="footer">Town Notes, 1 Market Square</div>
            </body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(Paragraphs, article.Blocks);
    }

    [Fact]
    public void AContainerHoldingMostOfThePageIsNotRemovedForAStrongClassWord()
    {
        var html = $"""
            <html><head><title>Library reopens after renovation</title></head><body>
            <div class="menu"><a href="/">Home</a></div>
            <div class="social-share-wrapper"><article class="post tag-comments category-related-news">
              <h1>Library reopens after renovation</h1>{Article()}
            </article></div>
            <div class="related"><h3>Related</h3><ul><li><a href="/a">Pool closes for repairs</a></li><li><a href="/b">New bus line to the hospital</a></li></ul></div>
            </body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(Paragraphs, article.Blocks);
        Assert.Equal("Library reopens after renovation", article.Title);
    }

    [Fact]
    public void APageWideFormWithoutParagraphsIsThePage()
    {
        var body = string.Join("<br><br>", Paragraphs);
        var html = $"""
            <html><head><title>Library reopens after renovation</title></head><body>
            <form id="aspnetForm" method="post"><input type="hidden" name="__VIEWSTATE" value="x">
            <table><tr><td><a href="/">Trang chủ</a> | <a href="/tin-tuc">Tin tức</a></td></tr>
            <tr><td><font size="2">{body}</font></td></tr></table></form>
            </body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(Paragraphs, article.Blocks);
    }

    [Fact]
    public void BlocksDroppedByTheCrossPageMemoryAreCounted()
    {
        var memory = new BoilerplateMemory();
        const string Footer = "Town Notes is published by the Market Square Community Trust, a registered charity.";
        string Page(int i) => $"<html><body><div class=content><p>{Paragraphs[i % 4]} Page {i}.</p><p>{Paragraphs[(i + 1) % 4]}</p><p>{Footer}</p></div></body></html>";
        var extractor = new ArticleExtractor();
        for (var i = 0; i < 6; i++)
            extractor.Extract(Page(i), new Uri($"https://town.example/news/{i}"), new ExtractionContext { Boilerplate = memory });

        var article = extractor.Extract(Page(7), new Uri("https://town.example/news/7"), new ExtractionContext { Boilerplate = memory });

        Assert.DoesNotContain(Footer, article.Blocks);
        Assert.Equal(1, article.BlocksDroppedByMemory);
        Assert.True(article.BlocksDropped >= 1);
        Assert.Equal(article.BlocksTotal - article.Blocks.Count, article.BlocksDropped);
    }
}
