using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FeedIngest.Cli.Bench;

/// <summary>An Azurite of its own for a benchmark: node on free 127.0.0.1 ports, data in a temp folder removed at dispose.</summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartGuard = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly string _location;

    private AzuriteProcess(Process process, string location, int blob, int queue, int table)
    {
        _process = process;
        _location = location;
        ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevAccountKey + ";" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    public string ConnectionString { get; }
    public int ProcessId => _process.Id;

    /// <summary>The azurite.js of the repo's npm install: the given path, or node_modules/azurite found upwards from here or the CLI.</summary>
    public static string? FindScript(string? given)
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

    public static async Task<AzuriteProcess> StartAsync(string script, CancellationToken cancellationToken)
    {
        var location = Directory.CreateTempSubdirectory("feedingest-bench-azurite-").FullName;
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        // stdin is a pipe only this process holds and never writes: when the bench ends, however it ends (killed
        // included), the pipe closes and the watch ends node, so a benchmark never leaves an Azurite behind.
        var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--require", WriteEndWithBench(location), script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location,
                     "--blobHost", "127.0.0.1", "--blobPort", Text(blob), "--queueHost", "127.0.0.1", "--queuePort", Text(queue),
                     "--tableHost", "127.0.0.1", "--tablePort", Text(table) })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node for Azurite");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, location, blob, queue, table);
        try
        {
            var deadline = DateTime.UtcNow + StartGuard;
            foreach (var port in new[] { blob, queue, table })
                while (!await IsListeningAsync(port))
                {
                    if (process.HasExited) throw new InvalidOperationException($"Azurite exited with code {process.ExitCode}");
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"Azurite did not listen on port {port} within {StartGuard.TotalMinutes:0} minutes");
                    await Task.Delay(200, cancellationToken);
                }
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

    /// <summary>
    /// A script node loads before Azurite: when its stdin reaches its end (this process is gone without its clean-up)
    /// it removes the data folder and ends node.
    /// </summary>
    private static string WriteEndWithBench(string location)
    {
        var file = Path.Combine(location, "end-with-bench.js");
        File.WriteAllText(file, $$"""
            const location = {{System.Text.Json.JsonSerializer.Serialize(location)}};
            function end() {
              try { require("fs").rmSync(location, { recursive: true, force: true }); } catch { }
              process.exit(0);
            }
            process.stdin.on("end", end);
            process.stdin.on("error", end);
            process.stdin.resume();
            if (typeof process.stdin.unref === "function") process.stdin.unref();
            """);
        return file;
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
