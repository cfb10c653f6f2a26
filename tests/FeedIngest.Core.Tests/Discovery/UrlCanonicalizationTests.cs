using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Tests.Discovery;

public class UrlCanonicalizationTests
{
    [Theory]
    [InlineData("HTTP://Example.ORG:80/a", "http://example.org/a")]
    [InlineData("https://example.org:8443/a", "https://example.org:8443/a")]
    [InlineData("https://example.org", "https://example.org/")]
    [InlineData("https://example.org/tin-tuc/", "https://example.org/tin-tuc/")]
    [InlineData("https://example.org/tin-tuc", "https://example.org/tin-tuc")]
    [InlineData("https://example.org/a?utm_source=x&utm_medium=y", "https://example.org/a")]
    [InlineData("https://example.org/a?id=1&fbclid=abc&gclid=d", "https://example.org/a?id=1")]
    [InlineData("https://example.org/a#binh-luan", "https://example.org/a")]
    [InlineData("https://example.org/%7Etrang/%41bc", "https://example.org/~trang/Abc")]
    [InlineData("https://example.org/h%c3%a0-n%c3%b4%cc%a3i", "https://example.org/h%C3%A0-n%C3%B4%CC%A3i")]
    [InlineData("https://example.org/hà-nội", "https://example.org/h%C3%A0-n%E1%BB%99i")]
    [InlineData("https://example.org/a?q=%e1%bb%99", "https://example.org/a?q=%E1%BB%99")]
    [InlineData("https://example.org/a/../b/./c.html", "https://example.org/b/c.html")]
    public void CanonicalFormIsTheSameForEveryWayOfWritingAUrl(string written, string canonical)
    {
        Assert.Equal(canonical, UrlCanonicalizer.Canonicalize(written));
    }

    [Fact]
    public void CanonicalizingTwiceChangesNothing()
    {
        var once = UrlCanonicalizer.Canonicalize("HTTPS://HaNoiMoi.com.vn/tin-tuc/Thu-do/%e1%bb%99-123.html?utm_campaign=a&page=2#x");

        Assert.Equal(once, UrlCanonicalizer.Canonicalize(once));
    }

    [Fact]
    public void DifferentlyEncodedUrlsGetTheSameArticleId()
    {
        var a = UrlCanonicalizer.ArticleId(UrlCanonicalizer.Canonicalize("https://example.org/%7ebai-viet.html?utm_source=zalo"));
        var b = UrlCanonicalizer.ArticleId(UrlCanonicalizer.Canonicalize("https://EXAMPLE.org/~bai-viet.html"));

        Assert.Equal(a, b);
    }
}
