using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// A storage account of its own for one test class. The Functions app's queue and table names are fixed
/// (discover, articles, reprocess, Articles…), so tests that read queues cannot share an account
/// with other test classes; they share the Azurite process (<see cref="AzuriteAccount"/>).
/// </summary>
public sealed class PrivateAzuriteFixture : IAsyncLifetime
{
    public AzuriteAccount Azurite { get; private set; } = null!;

    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => Azurite = await AzuriteAccount.LeaseAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}
