using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FeedIngest.Cli.Bench;

/// <summary>The three ports an Azurite listens on, all on 127.0.0.1.</summary>
internal sealed record AzuritePorts(int Blob, int Queue, int Table)
{
    public static AzuritePorts Free() => new(AzuriteNode.FreePort(), AzuriteNode.FreePort(), AzuriteNode.FreePort());

    public IEnumerable<int> All => [Blob, Queue, Table];

    public string ConnectionString(string account, string key) =>
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};" +
        $"BlobEndpoint=http://127.0.0.1:{Blob}/{account};" +
        $"QueueEndpoint=http://127.0.0.1:{Queue}/{account};" +
        $"TableEndpoint=http://127.0.0.1:{Table}/{account};";
}

/// <summary>
/// Starts node with the repo's npm Azurite for a process that owns it (the harvest benchmark, the tests): on given
/// ports, data in a given folder, and a watch that ends node and removes the folder when the owner is gone however it
/// ended, so no Azurite is ever left behind.
/// </summary>
internal static class AzuriteNode
{
    public const string DevAccountName = "devstoreaccount1";
    public const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The azurite.js of the repo's npm install: the given path, or node_modules/azurite found upwards from here or the CLI.</summary>
    public static string? FindScript(string? given = null)
    {
        if (given is not null) return File.Exists(given) ? Path.GetFullPath(given) : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var script = Path.Combine(dir.FullName, "node_modules", "azurite", "dist", "src", "azurite.js");
                if (File.Exists(script)) return script;
            }
        return null;
    }

    /// <summary>
    /// Starts node; its output goes to <paramref name="log"/> (the first 200 lines, for an error message).
    /// <paramref name="accounts"/>: storage accounts (name → key) served besides the emulator's own (AZURITE_ACCOUNTS).
    /// <paramref name="preload"/>: one more script node loads before Azurite (a CPU profiler's).
    /// </summary>
    public static Process Start(string script, string location, AzuritePorts ports, ConcurrentQueue<string> log,
        IReadOnlyDictionary<string, string>? accounts = null, string? preload = null)
    {
        var psi = new ProcessStartInfo("node")
        {
            // Never written to: the kernel closes it when the owner ends, however it ends, and the watch sees the end.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--require", WriteOwnerWatch(location), script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location,
                     "--blobHost", "127.0.0.1", "--blobPort", Text(ports.Blob), "--queueHost", "127.0.0.1", "--queuePort", Text(ports.Queue),
                     "--tableHost", "127.0.0.1", "--tablePort", Text(ports.Table) })
            psi.ArgumentList.Add(argument);
        if (preload is not null)
        {
            psi.ArgumentList.Insert(0, preload);
            psi.ArgumentList.Insert(0, "--require");
        }
        if (accounts is { Count: > 0 })
            psi.Environment["AZURITE_ACCOUNTS"] = string.Join(';', accounts.Select(a => $"{a.Key}:{a.Value}").Prepend($"{DevAccountName}:{DevAccountKey}"));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && log.Count < 200) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && log.Count < 200) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Waits until all three ports accept connections. Adaptive: as long as node is alive, keep waiting (a loaded machine
    /// takes long to start node); <paramref name="guard"/> is only a hang guard.
    /// </summary>
    public static async Task WaitUntilListeningAsync(Process node, AzuritePorts ports, TimeSpan guard, ConcurrentQueue<string> log,
        CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + guard;
        foreach (var port in ports.All)
            while (!await IsListeningAsync(port))
            {
                if (node.HasExited) throw new InvalidOperationException($"Azurite exited with code {node.ExitCode}: {string.Join(" | ", log)}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Azurite did not listen on {port} within {guard.TotalSeconds:0} s: {string.Join(" | ", log)}");
                await Task.Delay(200, cancellationToken);
            }
    }

    /// <summary>
    /// A script node loads before Azurite: it ends node when the owning process is gone, so an Azurite is never left
    /// behind by an owner that was killed or ended without its clean-up. Two signals, either enough: node's stdin (a
    /// pipe only the owner holds) reaches its end, or a once-a-second look at the owner in /proc finds it gone. Either
    /// way it removes the data folder first.
    /// </summary>
    private static string WriteOwnerWatch(string location)
    {
        var file = Path.Combine(location, "exit-with-owner.js");
        // An owner that ended can linger as a zombie (nothing reaps it in some containers), and signal 0 still reaches a
        // zombie: on Linux its state in /proc tells. Its pid can also be reused soon on a busy machine (pid_max is
        // small in containers): the process's start time (field 22 of /proc/<pid>/stat) must match too.
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
            // The owner is gone (or let go): nobody else will remove the data folder.
            const location = {{System.Text.Json.JsonSerializer.Serialize(location)}};
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
    /// someone else's port-0 bind (another server, an outgoing connection) takes it — and a server started on it a
    /// moment later then meets a stranger. Ports below the range are never handed out that way; only another random
    /// pick can meet this one, and that is rare.
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
            return int.Parse(range[0], CultureInfo.InvariantCulture);
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

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
