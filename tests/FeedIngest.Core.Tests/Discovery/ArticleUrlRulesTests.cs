using FeedIngest.Core.Discovery;
using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Tests.Discovery;

public class ArticleUrlRulesTests
{
    private static readonly ArticleUrlRules Rules = new(new SourceDefinition
    {
        Id = "hbt", Name = "HBT", BaseUrl = "https://haibatrung.hanoi.gov.vn/", Hosts = ["www.haibatrung.hanoi.gov.vn"],
    });

    [Theory]
    [InlineData("https://haibatrung.hanoi.gov.vn/tin-tuc/ubnd-phuong-hop-trien-khai-nhiem-vu-thang-12.html")]
    [InlineData("https://haibatrung.hanoi.gov.vn/tin-tuc-su-kien/bai-viet-1234567")]
    [InlineData("https://www.haibatrung.hanoi.gov.vn/chi-dao-dieu-hanh/quan-hai-ba-trung-ra-quan-tong-ve-sinh-moi-truong")]
    [InlineData("https://haibatrung.hanoi.gov.vn/NewsDetail.aspx?ID=2451")]
    public void ArticleLikeUrlsOnOwnHostsAreArticles(string url)
    {
        Assert.True(Rules.IsArticle(new Uri(url)));
    }

    [Theory]
    [InlineData("https://haibatrung.hanoi.gov.vn/")]
    [InlineData("https://haibatrung.hanoi.gov.vn/tin-tuc-su-kien")]
    [InlineData("https://haibatrung.hanoi.gov.vn/chi-dao-dieu-hanh/")]
    [InlineData("https://haibatrung.hanoi.gov.vn/tag/ha-noi-thu-do-van-hien-van-minh-hien-dai")]
    [InlineData("https://haibatrung.hanoi.gov.vn/uploads/2024/bao-cao-ket-qua-thuc-hien-123456.pdf")]
    [InlineData("https://hanoimoi.vn/tin-tuc/ubnd-phuong-hop-trien-khai-nhiem-vu-thang-12.html")]
    [InlineData("https://haibatrung.hanoi.gov.vn/tim-kiem?q=phuong-hang-bai-123456")]
    public void NavigationFilesAndForeignHostsAreNotArticles(string url)
    {
        Assert.False(Rules.IsArticle(new Uri(url)));
    }

    [Fact]
    public void SourcePatternReplacesTheHeuristics()
    {
        var rules = new ArticleUrlRules(new SourceDefinition { Id = "x", Name = "X", BaseUrl = "https://x.example/", ArticleUrlPattern = @"^/p/\d+$" });

        Assert.True(rules.IsArticle(new Uri("https://x.example/p/12")));
        Assert.False(rules.IsArticle(new Uri("https://x.example/tin-tuc/mot-bai-viet-rat-dai-ve-thu-do-123456.html")));
    }

    [Fact]
    public void FeedItemsAreTrustedUnlessObviouslyNotArticles()
    {
        Assert.True(Rules.IsFeedArticle(new Uri("https://haibatrung.hanoi.gov.vn/tin/ngan")));
        Assert.False(Rules.IsFeedArticle(new Uri("https://haibatrung.hanoi.gov.vn/")));
        Assert.False(Rules.IsFeedArticle(new Uri("https://haibatrung.hanoi.gov.vn/files/a.pdf")));
    }
}
