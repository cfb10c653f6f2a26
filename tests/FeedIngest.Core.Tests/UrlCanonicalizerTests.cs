using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Tests;

public class UrlCanonicalizerTests
{
    [Fact]
    public void CanonicalizeLowerCasesHostDropsDefaultPortFragmentAndTracking()
    {
        var url = new Uri("HTTPS://HaiBaTrung.Hanoi.Gov.VN:443/tin-tuc/bai-1.html?utm_source=fb&id=5&fbclid=x#top");

        var canonical = UrlCanonicalizer.Canonicalize(url);

        Assert.Equal("https://haibatrung.hanoi.gov.vn/tin-tuc/bai-1.html?id=5", canonical.AbsoluteUri);
    }

    [Fact]
    public void ArticleIdIsFirstSixteenHexCharsOfSha256OfCanonicalUrl()
    {
        // sha256("https://example.org/a") computed independently with sha256sum.
        var id = UrlCanonicalizer.ArticleId("https://example.org/a");

        Assert.Equal("b5b10dd0429e69ac", id);
    }
}
