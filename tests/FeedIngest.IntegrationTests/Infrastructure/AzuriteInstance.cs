using System.Collections.Concurrent;
using System.Diagnostics;
using FeedIngest.Cli.Bench;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A real Azurite process from the repo's pinned npm package, on free 127.0.0.1 ports, with its data in a
/// temp folder (so it can be stopped and started again mid-test to simulate a storage outage).
/// </summary>
public sealed class AzuriteInstance : IAsyncDisposable
{
    private readonly string _location = Directory.CreateTempSubdirectory("feedingest-azurite-").FullName;
    private readonly IReadOnlyDictionary<string, string> _accounts;
    private Process? _process;

    /// <param name="accounts">Storage accounts (name → key) this Azurite serves besides the emulator's own: each is a
    /// separate namespace of tables, containers and queues (AZURITE_ACCOUNTS), so test classes can share one process.</param>
    public AzuriteInstance(IReadOnlyDictionary<string, string>? accounts = null) =>
        _accounts = accounts ?? new Dictionary<string, string>();

    /// <summary>A hang guard for start-up, not an expectation: FEEDINGEST_AZURITE_START_SECONDS overrides it.</summary>
    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FEEDINGEST_AZURITE_START_SECONDS"), out var s) && s > 0 ? s : 180);

    private readonly AzuritePorts _ports = AzuritePorts.Free();

    public int BlobPort => _ports.Blob;
    public int QueuePort => _ports.Queue;
    public int TablePort => _ports.Table;

    public string ConnectionString => _ports.ConnectionString(AzuriteNode.DevAccountName, AzuriteNode.DevAccountKey);

    /// <summary>The connection string of one of the accounts given to the constructor.</summary>
    public string ConnectionStringFor(string account) => _ports.ConnectionString(account, _accounts[account]);

    public static async Task<AzuriteInstance> StartNewAsync(IReadOnlyDictionary<string, string>? accounts = null)
    {
        var instance = new AzuriteInstance(accounts);
        try
        {
            await instance.StartAsync();
            return instance;
        }
        catch
        {
            // A start that failed (timed out, port taken) must not leave node or its temp folder behind.
            await instance.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) return;
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"Azurite is not installed at {script}: run `npm ci` in the repo root (./test.sh does).");
        var log = new ConcurrentQueue<string>();
        _process = AzuriteNode.Start(script, _location, _ports, log, _accounts);
        try
        {
            await AzuriteNode.WaitUntilListeningAsync(_process, _ports, StartGuard, log);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops Azurite the way a clean shutdown does (SIGTERM), so it saves what it acknowledged — Azurite writes
    /// its data only every few seconds, and a kill could forget writes real storage never would. The data
    /// folder stays for <see cref="StartAsync"/>: an outage, not a loss.
    /// </summary>
    public async Task StopGracefullyAsync()
    {
        if (_process is not { HasExited: false } node) return;
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])))
            await term!.WaitForExitAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await node.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync();
    }

    /// <summary>Kills the process; the data folder stays for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// For the end of the test process, where nothing may wait (the test host can be ended at any moment, and a wait
    /// there once kept the other exit handlers from running): closes node's stdin, and node's watch removes the data
    /// folder and ends node. Killing node instead would leave the folder, or race node still writing into it.
    /// </summary>
    public void LetGo()
    {
        try { if (_process is { HasExited: false } node) node.StandardInput.Close(); }
        catch (Exception e) when (e is InvalidOperationException or IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        DeleteLocation(attempts: 10, pause: TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Removes the data folder; tries again for a moment when a file appeared while it was being emptied (test.sh fails
    /// a run that leaves temp folders behind).
    /// </summary>
    private void DeleteLocation(int attempts, TimeSpan pause)
    {
        for (var attempt = 0; attempt < attempts && Directory.Exists(_location); attempt++)
        {
            try { Directory.Delete(_location, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Thread.Sleep(pause); }
        }
    }

    /// <summary>A free port below the kernel's ephemeral range (<see cref="AzuriteNode.FreePort"/> says why).</summary>
    public static int FreePort() => AzuriteNode.FreePort();

    /// <summary>Nothing listens on the port (it can be bound on 127.0.0.1 now).</summary>
    public static bool IsFree(int port) => AzuriteNode.IsFree(port);
}
