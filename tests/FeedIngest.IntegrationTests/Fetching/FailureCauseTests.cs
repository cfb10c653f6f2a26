using System.Net;
using System.Net.Sockets;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// Every fetch failure says what happened: each cause provoked for real (a dead port, a name that resolves nowhere,
/// TLS spoken to a plain HTTP server, a server that hangs, HTTP errors, robots.txt, caps, redirects, a blocked
/// address) and checked on the <see cref="FetchResult"/>, with what the server saw.
/// </summary>
public sealed class FailureCauseTests : TestPortalTests
{
    private static readonly Dictionary<string, string?> NoRetries = new()
    {
        ["FeedIngest:Fetching:MaxRetries"] = "0",
    };

    private static PolitenessSettings NoRobots => FetchingTestHost.Fast(robots: false);

    [Fact]
    public async Task DeadPortIsConnectionRefused()
    {
        await using var host = new FetchingTestHost(settings: NoRetries);
        var url = new Uri($"http://127.0.0.1:{DeadPort()}/tin-tuc/bai-viet-123456.html");

        var result = await host.FetchAsync(url, NoRobots);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.ConnectionRefused, result.Cause);
        Assert.Equal("connection refused", result.FailureReason);
    }

    [Fact]
    public async Task DeadHostsRobotsTxtReportsTheRefusedConnectionNotADisallow()
    {
        await using var host = new FetchingTestHost(settings: NoRetries);
        var url = new Uri($"http://127.0.0.1:{DeadPort()}/tin-tuc/bai-viet-123456.html");

        var result = await host.FetchAsync(url);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.ConnectionRefused, result.Cause);
        Assert.StartsWith("robots.txt unreachable (connection refused)", result.FailureReason);
        Assert.DoesNotContain("disallowed", result.FailureReason);
    }

    [Fact]
    public async Task NameThatResolvesNowhereIsDns()
    {
        await using var host = new FetchingTestHost(settings: NoRetries);

        var result = await host.FetchAsync(new Uri("http://portal.feedingest.invalid/tin-tuc/bai-viet-123456.html"), NoRobots);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.Dns, result.Cause);
        Assert.StartsWith("DNS lookup failed", result.FailureReason);
    }

    [Fact]
    public async Task HttpsSpokenToAPlainHttpServerIsTls()
    {
        await using var host = new FetchingTestHost(settings: NoRetries);
        var url = new Uri($"https://127.0.0.1:{_portal.BaseUrl.Port}/tin-tuc/bai-viet-123456.html");

        var result = await host.FetchAsync(url, NoRobots);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.Tls, result.Cause);
        Assert.StartsWith("TLS handshake failed", result.FailureReason);
    }

    [Fact]
    public async Task HangingServerIsTimeout()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?>
        {
            ["FeedIngest:Fetching:MaxRetries"] = "0",
            ["FeedIngest:Fetching:AttemptTimeoutSeconds"] = "0.5",
        });

        var result = await host.FetchAsync(_portal.Url("/slow-first-byte"), NoRobots);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.Timeout, result.Cause);
        Assert.Equal(1, _portal.Count("/slow-first-byte"));
    }

    [Theory]
    [InlineData("/404", 404)]
    [InlineData("/500", 500)]
    public async Task ErrorStatusIsHttpStatus(string path, int status)
    {
        await using var host = new FetchingTestHost(settings: NoRetries);

        var result = await host.FetchAsync(_portal.Url(path), NoRobots);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.HttpStatus, result.Cause);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal($"HTTP {status}", result.FailureReason);
    }

    [Fact]
    public async Task DisallowedByRobotsIsRobotsDisallowed()
    {
        _portal.RobotsTxt = "User-agent: *\nDisallow: /private/\n";

        var result = await _host.FetchAsync(_portal.Url("/private/bao-cao-123456.html"));

        Assert.Equal(FetchOutcome.Skipped, result.Outcome);
        Assert.Equal(FailureCause.RobotsDisallowed, result.Cause);
        Assert.Equal(0, _portal.CountPrefix("/private/"));
    }

    [Fact]
    public async Task RobotsTxtAnswering5xxIsRobotsUnreachableNotDisallowedAndThePageIsNotRequested()
    {
        _portal.RobotsStatus = 503;
        await using var host = new FetchingTestHost(settings: NoRetries);

        var result = await host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-123456.html"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.RobotsUnreachable, result.Cause);
        Assert.StartsWith("robots.txt unreachable (HTTP 503)", result.FailureReason);
        Assert.Contains("asked again after 10 min", result.FailureReason);
        Assert.DoesNotContain("disallowed", result.FailureReason);
        Assert.Equal(0, _portal.CountPrefix("/tin-tuc/"));
    }

    [Fact]
    public async Task OversizedBodyIsTooLarge()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?> { ["FeedIngest:Fetching:MaxResponseBytes"] = "100" });

        var result = await host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-dai-123456.html"), NoRobots);

        Assert.Equal(FailureCause.TooLarge, result.Cause);
    }

    [Fact]
    public async Task PdfIsContentType()
    {
        var result = await _host.FetchAsync(_portal.Url("/pdf"), NoRobots);

        Assert.Equal(FailureCause.ContentType, result.Cause);
    }

    [Fact]
    public async Task EndlessRedirectsAreRedirects()
    {
        var result = await _host.FetchAsync(_portal.Url("/redirect-chain/1"), NoRobots);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.Redirects, result.Cause);
        Assert.Equal("more than 5 redirects", result.FailureReason);
        Assert.Equal(6, _portal.CountPrefix("/redirect-chain/"));
    }

    [Fact]
    public async Task RedirectToAnotherHostIsOffSourceHost()
    {
        var result = await _host.FetchAsync(_portal.Url("/redirect-foreign"), NoRobots);

        Assert.Equal(FetchOutcome.Skipped, result.Outcome);
        Assert.Equal(FailureCause.OffSourceHost, result.Cause);
    }

    [Fact]
    public async Task LoopbackIsBlockedByDefaultAndNothingReachesTheServer()
    {
        // The production default: no private network allowed.
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?> { ["FeedIngest:Fetching:AllowedPrivateNetworks"] = "" });

        var result = await host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-123456.html"));

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.AddressBlocked, result.Cause);
        Assert.Contains("address 127.0.0.1 of host 127.0.0.1 is loopback", result.FailureReason);
        Assert.Empty(_portal.Seen);
    }

    [Fact]
    public async Task BlockedAddressIsNotRetried()
    {
        await using var host = new FetchingTestHost(settings: new Dictionary<string, string?> { ["FeedIngest:Fetching:AllowedPrivateNetworks"] = "" });

        var result = await host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-123456.html"), NoRobots);

        Assert.Equal(FailureCause.AddressBlocked, result.Cause);
        Assert.DoesNotContain("attempts", result.FailureReason);
    }

    [Fact]
    public async Task RedirectToAnotherLoopbackAddressIsBlockedAlthough127001IsAllowed()
    {
        // 127.0.0.1/32 is allowed (FetchingTestHost); 127.0.0.2 is loopback too but not allowed. The redirect's host is
        // on the source's list, so only the socket-level guard stands between the fetch and that address.
        var target = $"http://127.0.0.2:{_portal.BaseUrl.Port}/tin-tuc/noi-bo-123456.html";
        await using var redirecting = await RedirectServer.StartAsync(target);

        var result = await _host.Fetcher.FetchAsync(new FetchRequest(redirecting.Url)
        {
            AllowedHosts = ["127.0.0.1", "127.0.0.2"], Politeness = NoRobots,
        }, CancellationToken.None);

        Assert.Equal(FetchOutcome.Failed, result.Outcome);
        Assert.Equal(FailureCause.AddressBlocked, result.Cause);
        Assert.Equal(new Uri(target), result.FinalUrl);
        Assert.Empty(_portal.Seen);
    }

    [Fact]
    public async Task RobotsTxtRedirectOffTheSourcesHostsCountsAsNoRobotsTxt()
    {
        _portal.RobotsRedirect = "http://robots.feedingest.invalid/robots.txt";

        var result = await _host.FetchAsync(_portal.Url("/tin-tuc/bai-viet-123456.html"));

        // Followed, the redirect would have failed on DNS and blocked the host; it is not followed.
        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(1, _portal.Count("/robots.txt"));
    }

    /// <summary>A port nothing listens on.</summary>
    private static int DeadPort() => FeedIngest.IntegrationTests.Infrastructure.AzuriteInstance.FreePort();

    /// <summary>A one-path server on 127.0.0.1 that redirects every request to one URL.</summary>
    private sealed class RedirectServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private RedirectServer(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<RedirectServer> StartAsync(string target)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.Run(context =>
            {
                context.Response.Redirect(target);
                return Task.CompletedTask;
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new RedirectServer(app, new Uri(address + "/tin-tuc/chuyen-huong-123456.html"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
