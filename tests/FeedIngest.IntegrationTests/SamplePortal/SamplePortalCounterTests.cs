using System.Net;
using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.SamplePortal;

public sealed class SamplePortalCounterTests
{
    [Fact]
    public async Task The_server_counts_every_request_by_path_and_forgets_them_on_reset()
    {
        await using var server = await SamplePortalServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var article = SamplePortalContent.Articles[0].Path;

        await http.GetStringAsync(article);
        await http.GetStringAsync(article);
        await http.GetStringAsync("/tin-tuc?page=2");
        using (var missing = await http.GetAsync("/khong-co")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        Assert.Equal(4, server.RequestCount);
        Assert.Equal(2, server.RequestsByPath[article]);
        Assert.Equal(1, server.RequestsByPath["/tin-tuc?page=2"]);
        Assert.Equal(1, server.RequestsByPath["/khong-co"]);

        server.ResetCounters();

        Assert.Equal(0, server.RequestCount);
        Assert.Empty(server.RequestsByPath);
    }

    [Fact]
    public async Task Concurrent_requests_are_all_counted()
    {
        await using var server = await SamplePortalServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => http.GetStringAsync("/robots.txt")));

        Assert.Equal(40, server.RequestCount);
        Assert.Equal(40, server.RequestsByPath["/robots.txt"]);
    }

    [Fact]
    public async Task Two_servers_on_free_ports_run_side_by_side_and_stop_cleanly()
    {
        var first = await SamplePortalServer.StartAsync();
        var second = await SamplePortalServer.StartAsync();
        Assert.NotEqual(first.BaseUrl.Port, second.BaseUrl.Port);

        await first.StopAsync();
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(second.BaseUrl, "/"))).StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(first.BaseUrl));

        await second.DisposeAsync();
        await first.DisposeAsync(); // stopping twice is harmless
    }

    [Fact]
    public async Task Starting_on_a_port_that_is_taken_throws_and_leaves_the_first_server_serving()
    {
        await using var first = await SamplePortalServer.StartAsync();

        await Assert.ThrowsAnyAsync<IOException>(() => SamplePortalServer.StartAsync(first.BaseUrl.Port));

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(first.BaseUrl)).StatusCode);
    }
}
