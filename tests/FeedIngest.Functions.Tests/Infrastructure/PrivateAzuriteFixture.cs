using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// A private Azurite for one test class. The Functions app's queue and table names are fixed
/// (discover, articles, reprocess, Articles…), so tests that read queues cannot share an account
/// with other test classes or projects running in parallel.
/// </summary>
public sealed class PrivateAzuriteFixture : IAsyncLifetime
{
    public AzuriteInstance Azurite { get; private set; } = null!;

    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => Azurite = await AzuriteInstance.StartNewAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}
