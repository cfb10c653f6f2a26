using FeedIngest.Core.Discovery;
using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Tests.Discovery;

public class ListingPageParserTests
{
    private static readonly Uri PageUrl = new("https://portal.example/tin-tuc?page=1");
    private static readonly ArticleUrlRules Rules = new(new SourceDefinition { Id = "p", Name = "P", BaseUrl = "https://portal.example/" });

    [Fact]
    public void ArticleLinksAreResolvedCanonicalisedAndDeduplicated()
    {
        const string html = """
            <base href="https://portal.example/tin-tuc/">
            <a href="/">Trang chủ</a>
            <a href="bai-viet-so-mot-123456.html?utm_source=home#x"><img src="a.jpg"></a>
            <a href="bai-viet-so-mot-123456.html">Bài viết số một</a>
            <a href="https://other.example/bai-viet-so-hai-123456.html">Trang khác</a>
            <a href="javascript:void(0)">In</a>
            """;

        var page = ListingPageParser.Parse(html, PageUrl, Rules, null, null);

        var item = Assert.Single(page.Articles);
        Assert.Equal(new Uri("https://portal.example/tin-tuc/bai-viet-so-mot-123456.html"), item.Url);
        Assert.Equal("Bài viết số một", item.Title);
        Assert.Null(page.NextPage);
    }

    [Fact]
    public void SelectorsLimitArticlesAndFindTheNextPage()
    {
        const string html = """
            <div class="sidebar"><a href="/doc-nhieu-bai-khac-987654.html">Đọc nhiều</a></div>
            <div class="list"><h3><a href="/bai-trong-danh-sach-123456.html">Trong danh sách</a></h3></div>
            <div class="paging"><span class="go"><a href="/tin-tuc?page=2">2</a></span></div>
            """;

        var page = ListingPageParser.Parse(html, PageUrl, Rules, ".list h3", ".paging .go a");

        Assert.Equal([new Uri("https://portal.example/bai-trong-danh-sach-123456.html")], page.Articles.Select(a => a.Url));
        Assert.Equal(new Uri("https://portal.example/tin-tuc?page=2"), page.NextPage);
    }

    [Theory]
    [InlineData("""<a href="/tin-tuc?page=2">Trang sau</a>""")]
    [InlineData("""<a href="/tin-tuc?page=2">»</a>""")]
    [InlineData("""<link rel="next" href="/tin-tuc?page=2">""")]
    [InlineData("""<a class="pagination-next" href="/tin-tuc?page=2"><i></i></a>""")]
    public void NextPageIsFoundByTheUsualPagerConventions(string pager)
    {
        var page = ListingPageParser.Parse(pager, PageUrl, Rules, null, null);

        Assert.Equal(new Uri("https://portal.example/tin-tuc?page=2"), page.NextPage);
    }

    [Fact]
    public void FeedLinksAreFoundOnAHomePage()
    {
        const string html = """
            <head><link rel="alternate" type="application/rss+xml" href="/rss/tin-tuc.rss">
            <link rel="alternate" type="application/atom+xml" href="https://portal.example/atom">
            <link rel="alternate" hreflang="en" href="/en"></head>
            """;

        var feeds = ListingPageParser.FeedLinks(html, new Uri("https://portal.example/"));

        Assert.Equal([new Uri("https://portal.example/rss/tin-tuc.rss"), new Uri("https://portal.example/atom")], feeds);
    }
}
