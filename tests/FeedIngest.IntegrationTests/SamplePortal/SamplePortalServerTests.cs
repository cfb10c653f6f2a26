using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Xml;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.SamplePortal;

public sealed class SamplePortalServerTests(SamplePortalServerFixture portal) : IClassFixture<SamplePortalServerFixture>
{
    private static readonly HtmlParser Parser = new();

    [Fact]
    public void The_server_listens_on_loopback_on_the_free_port_it_was_given()
    {
        Assert.Equal("127.0.0.1", portal.Server.BaseUrl.Host);
        Assert.NotEqual(0, portal.Server.BaseUrl.Port);
        Assert.Equal("/", portal.Server.BaseUrl.AbsolutePath);
    }

    [Fact]
    public async Task The_home_page_is_utf8_html_that_announces_the_rss_feed()
    {
        using var response = await portal.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var document = Parser.ParseDocument(await response.Content.ReadAsStringAsync());
        var alternate = document.QuerySelector("link[rel=alternate][type='application/rss+xml']");
        Assert.Equal("/rss/tin-tuc.rss", alternate?.GetAttribute("href"));
        Assert.Contains(SamplePortalContent.Articles[0].Path, document.QuerySelectorAll("a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public async Task Following_next_links_from_the_listing_visits_at_least_three_pages_that_link_every_article()
    {
        var linked = new HashSet<string>();
        var pages = new List<string>();
        string? next = "/tin-tuc";
        while (next is not null && pages.Count < 20)
        {
            pages.Add(next);
            var html = await portal.Http.GetStringAsync(next);
            var document = Parser.ParseDocument(html);
            foreach (var a in document.QuerySelectorAll(".item-title a"))
                linked.Add(a.GetAttribute("href")!);
            Assert.True(document.QuerySelectorAll(".item-news").Length <= 4, $"{next} lists more than 4 articles");
            next = document.QuerySelector("a[rel=next]")?.GetAttribute("href");
            if (next is not null)
                Assert.Contains(next, document.QuerySelectorAll(".paging a").Select(a => a.GetAttribute("href")));
        }

        Assert.True(pages.Count >= 3, $"only {pages.Count} listing pages");
        Assert.Equal(["/tin-tuc", "/tin-tuc?page=2", "/tin-tuc?page=3"], pages.Take(3));
        Assert.Equal(SamplePortalContent.Articles.Select(a => a.Path).Order(), linked.Order());
    }

    [Fact]
    public async Task The_rss_feed_parses_and_lists_the_six_newest_articles_on_the_served_host()
    {
        using var response = await portal.Http.GetAsync("/rss/tin-tuc.rss");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/rss+xml", response.Content.Headers.ContentType?.MediaType);

        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = XmlReader.Create(stream);
        var feed = SyndicationFeed.Load(reader);

        var newest = SamplePortalContent.Articles.OrderByDescending(a => a.PublishedAt).Take(6).ToList();
        Assert.Equal(newest.Select(a => a.Title), feed.Items.Select(i => i.Title.Text));
        Assert.Equal(newest.Select(a => new Uri(portal.Server.BaseUrl, a.Path)), feed.Items.Select(i => i.Links[0].Uri));
        Assert.Equal(newest.Select(a => a.PublishedAt), feed.Items.Select(i => i.PublishDate));
        Assert.All(feed.Items, i => Assert.Equal(TimeSpan.FromHours(7), i.PublishDate.Offset));
    }

    [Fact]
    public async Task The_feed_writes_titles_in_cdata_and_dates_in_rfc822_with_vietnam_offset()
    {
        var xml = await portal.Http.GetStringAsync("/rss/tin-tuc.rss");

        Assert.Contains("<title><![CDATA[", xml);
        Assert.Matches(@"<pubDate>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0700</pubDate>", xml);
    }

    [Fact]
    public async Task Every_article_page_answers_html_with_a_canonical_link_on_the_fixed_origin()
    {
        foreach (var article in SamplePortalContent.Articles)
        {
            using var response = await portal.Http.GetAsync(article.Path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            var document = Parser.ParseDocument(await response.Content.ReadAsStringAsync());

            var canonical = document.QuerySelector("link[rel=canonical]")?.GetAttribute("href");
            Assert.Equal($"https://sample-portal.feedingest.dev{article.Path}", canonical);
            Assert.Equal(article.Title, document.QuerySelector("h1")?.TextContent.Trim());
            if (article.Layout == "news")
            {
                Assert.Equal(article.Title, document.QuerySelector("meta[property='og:title']")?.GetAttribute("content"));
                Assert.Equal(article.PublishedAt, DateTimeOffset.Parse(document.QuerySelector("meta[property='article:published_time']")!.GetAttribute("content")!));
            }
            else
            {
                Assert.Null(document.QuerySelector("meta[property='og:title']"));
                var dateLine = article.PublishedAt.ToString("'Ngày đăng 'dd'/'MM'/'yyyy' | 'HH:mm", CultureInfo.InvariantCulture);
                Assert.Contains(dateLine, document.Body!.TextContent);
            }
        }
    }

    [Fact]
    public async Task Internal_links_on_article_pages_stay_on_the_served_host()
    {
        var article = SamplePortalContent.Articles.First(a => a.Layout == "gov");
        var document = Parser.ParseDocument(await portal.Http.GetStringAsync(article.Path));

        var hrefs = document.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!).ToList();
        Assert.DoesNotContain(hrefs, h => h.StartsWith(SamplePortalContent.CanonicalOrigin, StringComparison.Ordinal));
        var articleLinks = hrefs.Where(h => h.StartsWith("/tin-tuc/", StringComparison.Ordinal)).Distinct().ToList();
        Assert.NotEmpty(articleLinks);
        foreach (var href in articleLinks)
        {
            using var response = await portal.Http.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_sitemap_lists_every_article_and_robots_txt_points_to_it()
    {
        var sitemap = XDocument.Parse(await portal.Http.GetStringAsync("/sitemap.xml"));
        XNamespace ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
        var locations = sitemap.Descendants(ns + "loc").Select(l => l.Value).ToHashSet();
        foreach (var article in SamplePortalContent.Articles)
            Assert.Contains(new Uri(portal.Server.BaseUrl, article.Path).ToString(), locations);

        using var robots = await portal.Http.GetAsync("/robots.txt");
        Assert.Equal("text/plain", robots.Content.Headers.ContentType?.MediaType);
        var text = await robots.Content.ReadAsStringAsync();
        Assert.Contains("User-agent: *", text);
        Assert.Contains("Allow: /", text);
        Assert.Contains($"Sitemap: {portal.Server.BaseUrl}sitemap.xml", text);
    }

    [Theory]
    [InlineData("/khong-co-trang-nay")]
    [InlineData("/tin-tuc/khong-ton-tai-9999.html")]
    [InlineData("/tin-tuc?page=99")]
    [InlineData("/tin-tuc?page=0")]
    [InlineData("/tin-tuc?page=abc")]
    [InlineData("/rss/khong-co.rss")]
    [InlineData("/trang/khong-co")]
    public async Task Unknown_paths_answer_404(string path)
    {
        using var response = await portal.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task A_head_request_gets_the_headers_of_the_page_without_its_body()
    {
        var path = SamplePortalContent.Articles[1].Path;
        using var get = await portal.Http.GetAsync(path);

        using var head = await portal.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_first_listing_page_is_the_same_with_or_without_page_1_and_links_back_from_later_pages()
    {
        var plain = await portal.Http.GetStringAsync("/tin-tuc");
        var explicitFirst = await portal.Http.GetStringAsync("/tin-tuc?page=1");
        var second = Parser.ParseDocument(await portal.Http.GetStringAsync("/tin-tuc?page=2"));

        Assert.Equal(plain, explicitFirst);
        Assert.Equal("/tin-tuc", second.QuerySelector("a[rel=prev]")?.GetAttribute("href"));
        Assert.Contains("Trang sau", second.QuerySelector("a[rel=next]")?.TextContent);
    }

    [Fact]
    public async Task A_conditional_get_with_the_current_etag_answers_304_without_a_body()
    {
        var path = SamplePortalContent.Articles[^1].Path;
        using var first = await portal.Http.GetAsync(path);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.NotNull(first.Content.Headers.LastModified);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var second = await portal.Http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, second.Headers.ETag);
    }

    [Fact]
    public async Task A_conditional_get_with_a_stale_etag_answers_200_with_the_page()
    {
        var path = SamplePortalContent.Articles[0].Path;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\""));

        using var response = await portal.Http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(SamplePortalContent.Articles[0].Title, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_conditional_get_on_the_feed_with_if_modified_since_answers_304()
    {
        using var first = await portal.Http.GetAsync("/rss/tin-tuc.rss");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/rss/tin-tuc.rss");
        conditional.Headers.IfModifiedSince = first.Content.Headers.LastModified;

        using var second = await portal.Http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }
}
