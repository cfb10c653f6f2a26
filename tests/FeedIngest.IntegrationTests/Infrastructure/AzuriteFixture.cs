namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite for a test collection: the one test.sh / CI started (FEEDINGEST_TEST_STORAGE) when set,
/// else a private instance on free ports. Tests isolate themselves with unique container/table names.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteAccount? _own;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var shared = Environment.GetEnvironmentVariable("FEEDINGEST_TEST_STORAGE");
        if (!string.IsNullOrWhiteSpace(shared))
        {
            ConnectionString = shared;
            return;
        }
        _own = await AzuriteAccount.LeaseAsync();
        ConnectionString = _own.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_own is not null) await _own.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
