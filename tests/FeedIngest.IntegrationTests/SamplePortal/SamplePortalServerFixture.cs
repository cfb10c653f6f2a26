using FeedIngest.SamplePortal;

namespace FeedIngest.IntegrationTests.SamplePortal;

/// <summary>One sample portal on a free 127.0.0.1 port for a test class.</summary>
public sealed class SamplePortalServerFixture : IAsyncLifetime
{
    public SamplePortalServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await SamplePortalServer.StartAsync();
        Http = new HttpClient { BaseAddress = Server.BaseUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
