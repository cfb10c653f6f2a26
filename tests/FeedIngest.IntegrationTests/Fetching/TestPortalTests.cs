namespace FeedIngest.IntegrationTests.Fetching;

/// <summary>A fresh fault-injecting test portal and a fetching "instance" (its own service container) per test.</summary>
public abstract class TestPortalTests : IAsyncLifetime
{
    protected TestPortal _portal = null!;
    protected FetchingTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _portal = await TestPortal.StartAsync();
        _host = new FetchingTestHost();
    }

    public virtual async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _portal.DisposeAsync();
    }
}
