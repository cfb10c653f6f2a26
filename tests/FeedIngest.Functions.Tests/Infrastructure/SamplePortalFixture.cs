using FeedIngest.SamplePortal;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>The bundled sample portal on a free 127.0.0.1 port for one test class.</summary>
public sealed class SamplePortalFixture : IAsyncLifetime
{
    public SamplePortalServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SamplePortalServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
