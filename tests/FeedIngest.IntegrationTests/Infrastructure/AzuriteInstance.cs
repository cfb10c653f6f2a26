using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A real Azurite process from the repo's pinned npm package, on free 127.0.0.1 ports, with its data in a
/// temp folder (so it can be stopped and started again mid-test to simulate a storage outage).
/// </summary>
public sealed class AzuriteInstance : IAsyncDisposable
{
    private const string DevAccountName = "devstoreaccount1";
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
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

    public int BlobPort { get; } = FreePort();
    public int QueuePort { get; } = FreePort();
    public int TablePort { get; } = FreePort();

    public string ConnectionString => ConnectionStringFor(DevAccountName, DevAccountKey);

    /// <summary>The connection string of one of the accounts given to the constructor.</summary>
    public string ConnectionStringFor(string account) => ConnectionStringFor(account, _accounts[account]);

    private string ConnectionStringFor(string account, string key) =>
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{account};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{account};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{account};";

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
        var psi = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                "--require", WriteParentWatch(), script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", _location,
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
            },
            // Never written to: the kernel closes it when this process ends, however it ends, and node sees the end.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_accounts.Count > 0)
            psi.Environment["AZURITE_ACCOUNTS"] = string.Join(';', _accounts.Select(a => $"{a.Key}:{a.Value}").Prepend($"{DevAccountName}:{DevAccountKey}"));
        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start Azurite.");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null && log.Count < 200) log.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null && log.Count < 200) log.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Generous and adaptive: as long as node is alive and has not given up, keep waiting (a loaded machine
        // takes long to start node); the hard limit is only a hang guard.
        var deadline = DateTime.UtcNow + StartGuard;
        try
        {
            foreach (var port in new[] { BlobPort, QueuePort, TablePort })
            {
                while (!await IsListeningAsync(port))
                {
                    if (_process.HasExited) throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}: {string.Join(" | ", log)}");
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"Azurite did not listen on {port} within {StartGuard.TotalSeconds:0} s: {string.Join(" | ", log)}");
                    await Task.Delay(200);
                }
            }
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

    /// <summary>
    /// A script node loads before Azurite: it ends node when this test process is gone, so an Azurite is never left
    /// behind by a test process that was killed or ended without running its clean-up. Two signals, either enough:
    /// node's stdin (a pipe only this process holds) reaches its end, or a once-a-second look at this process in /proc
    /// finds it gone. Either way it removes the data folder first.
    /// </summary>
    private string WriteParentWatch()
    {
        var file = Path.Combine(_location, "exit-with-test-process.js");
        // A test process that ended can linger as a zombie (nothing reaps it in some containers), and signal 0 still
        // reaches a zombie: on Linux its state in /proc tells. Its pid can also be reused soon on a busy machine
        // (pid_max is small in containers): the process's start time (field 22 of /proc/<pid>/stat) must match too.
        File.WriteAllText(file, $$"""
            const parent = {{Environment.ProcessId}};
            const parentStart = "{{OwnStartTime()}}";
            const fs = require("fs");
            const hasProc = fs.existsSync("/proc/self/stat");
            function alive() {
              if (hasProc) {
                try {
                  const stat = fs.readFileSync("/proc/" + parent + "/stat", "utf8");
                  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                  return !/^[ZX]/.test(fields[0]) && (parentStart === "" || fields[19] === parentStart);
                }
                catch { return false; }
              }
              try { process.kill(parent, 0); return true; } catch { return false; }
            }
            // The test process is gone (or let go): nobody else will remove the data folder.
            const location = {{System.Text.Json.JsonSerializer.Serialize(_location)}};
            function end() {
              try { fs.rmSync(location, { recursive: true, force: true }); } catch { }
              process.exit(0);
            }
            setInterval(() => { if (!alive()) end(); }, 1000).unref();
            process.stdin.on("end", end);
            process.stdin.on("error", end);
            process.stdin.resume();
            if (typeof process.stdin.unref === "function") process.stdin.unref(); // Azurite's own shutdown still ends node
            """);
        return file;
    }

    /// <summary>This process's start time in clock ticks since boot (field 22 of /proc/self/stat), or "" off Linux.</summary>
    private static string OwnStartTime()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException) { return ""; }
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A free port below the kernel's ephemeral range. A port the kernel hands out for port 0 is free only until
    /// someone else's port-0 bind (another test's server, an outgoing connection) takes it — and a test that starts
    /// its server on it a moment later then meets a stranger. Ports below the range are never handed out that way;
    /// only another test's pick can meet this one, and a random pick makes that rare.
    /// </summary>
    public static int FreePort()
    {
        var below = EphemeralRangeStart();
        for (var attempt = 0; below > LowestPick + 1000 && attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(LowestPick, below);
            if (IsFree(port)) return port;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Above the ports people run things on by hand (Azurite's 10000-10002, test.sh's 10100-10102, the portal's 5080).
    private const int LowestPick = 11000;

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768; // Linux's default
        }
    }

    /// <summary>Nothing listens on the port (it can be bound on 127.0.0.1 now).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
