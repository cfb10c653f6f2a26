using System.Collections.Concurrent;
using System.Diagnostics;

namespace FeedIngest.Cli.Bench;

/// <summary>An Azurite of its own for a benchmark: node on free 127.0.0.1 ports, data in a temp folder removed at dispose.</summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartGuard = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly string _location;

    private AzuriteProcess(Process process, string location, AzuritePorts ports)
    {
        _process = process;
        _location = location;
        ConnectionString = ports.ConnectionString(AzuriteNode.DevAccountName, AzuriteNode.DevAccountKey);
    }

    public string ConnectionString { get; }
    public int ProcessId => _process.Id;

    /// <param name="profile">When given, node loads its profiler, which starts and stops on the bench's word.</param>
    public static async Task<AzuriteProcess> StartAsync(string script, AzuriteCpuProfile? profile, CancellationToken cancellationToken)
    {
        var location = Directory.CreateTempSubdirectory("feedingest-bench-azurite-").FullName;
        var ports = AzuritePorts.Free();
        var log = new ConcurrentQueue<string>();
        Process node;
        try
        {
            node = AzuriteNode.Start(script, location, ports, log, preload: profile?.WriteScript());
        }
        catch
        {
            Directory.Delete(location, recursive: true);
            throw;
        }
        var azurite = new AzuriteProcess(node, location, ports);
        try
        {
            await AzuriteNode.WaitUntilListeningAsync(azurite._process, ports, StartGuard, log, cancellationToken);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_location, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
