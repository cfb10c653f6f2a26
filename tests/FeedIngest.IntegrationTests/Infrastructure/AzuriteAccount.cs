using System.Security.Cryptography;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A storage account of its own for one test class, in an Azurite process shared by the whole test process: the
/// app's fixed table, container and queue names stay isolated per account, and a test run starts a few Azurite
/// processes instead of one per class. Classes that stop storage on purpose (outage tests) keep a private
/// <see cref="AzuriteInstance"/>.
/// </summary>
public sealed class AzuriteAccount : IAsyncDisposable
{
    private AzuriteAccount(string name, AzuriteInstance azurite)
    {
        Name = name;
        ConnectionString = azurite.ConnectionStringFor(name);
        BlobPort = azurite.BlobPort;
        QueuePort = azurite.QueuePort;
        TablePort = azurite.TablePort;
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    /// <summary>A fresh account (never handed out before) in the shared Azurite; starts it (or another) when needed.</summary>
    public static async Task<AzuriteAccount> LeaseAsync()
    {
        var (instance, name) = await SharedAzurite.NextAccountAsync();
        return new AzuriteAccount(name, instance);
    }

    /// <summary>Nothing to stop: the account's data goes with the shared process when the test process ends.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The shared processes: each serves <see cref="AccountsPerProcess"/> accounts, used once each.</summary>
    private static class SharedAzurite
    {
        private const int AccountsPerProcess = 64;
        private static readonly SemaphoreSlim Gate = new(1, 1);
        private static readonly List<AzuriteInstance> Started = RegisterCleanup();
        private static AzuriteInstance? _current;
        private static Queue<string> _unused = new();

        public static async Task<(AzuriteInstance, string)> NextAccountAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (_current is null || _unused.Count == 0)
                {
                    // Account names: 3–24 lower-case letters and digits; unique per process so a stray one is recognisable.
                    var accounts = Enumerable.Range(1, AccountsPerProcess).ToDictionary(
                        i => $"fi{Environment.ProcessId}x{Started.Count}x{i}", _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
                    _current = await AzuriteInstance.StartNewAsync(accounts);
                    lock (Started) Started.Add(_current);
                    _unused = new Queue<string>(accounts.Keys);
                }
                return (_current, _unused.Dequeue());
            }
            finally
            {
                Gate.Release();
            }
        }

        private static List<AzuriteInstance> RegisterCleanup()
        {
            var started = new List<AzuriteInstance>();
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                lock (started) foreach (var instance in started) instance.LetGo();
            };
            return started;
        }
    }
}
