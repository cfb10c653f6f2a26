namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>
/// A fresh fault-injecting test portal and a fetching "instance" (its own service container) per test; the instance
/// records when its requests leave (<see cref="_sends"/>), for the spacing tests.
/// </summary>
public abstract class TestPortalTests : IAsyncLifetime
{
    protected TestPortal _portal = null!;
    protected FetchingTestHost _host = null!;
    protected readonly SendRecorder _sends = new();

    public async Task InitializeAsync()
    {
        _portal = await TestPortal.StartAsync();
        _host = new FetchingTestHost(extraServices: _sends.AddTo);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _portal.DisposeAsync();
    }
}
