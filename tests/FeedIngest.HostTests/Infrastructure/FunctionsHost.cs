using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.HostTests.Infrastructure;

/// <summary>
/// One Azure Functions host process over the app's build output, on a free 127.0.0.1 port, with its console log
/// kept for assertions. Every process it starts (the host and the worker the host spawns) carries a marker in its
/// environment, so disposal finds and kills all of them, even a worker orphaned by a crashed host.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _marker;

    private readonly string _storage;

    private FunctionsHost(Process process, string marker, int port, string name, string storage)
    {
        _storage = storage;
        _process = process;
        _marker = marker;
        Name = name;
        BaseUrl = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }
    public Uri BaseUrl { get; }
    public HttpClient Http { get; }

    /// <summary>The host's console log so far (the worker's lines included), one entry per line.</summary>
    public IReadOnlyList<string> LogLines => _log.ToArray();

    public string LogText => string.Join('\n', _log);

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string Tail(int lines = 80) => $"--- last {lines} lines of host {Name} ---\n" + string.Join('\n', _log.ToArray().TakeLast(lines));

    /// <summary>Starts the host with the app settings given (as `func start` reads local.settings.json); waits until it answers HTTP.</summary>
    public static async Task<FunctionsHost> StartAsync(string name, IReadOnlyDictionary<string, string> settings, bool waitUntilHealthy = true)
    {
        var launcher = HostLauncher.Available ?? throw new InvalidOperationException(HostLauncher.UnavailableReason);
        var port = AzuriteInstance.FreePort();
        var psi = launcher.StartInfo(AppBuildOutput.Directory, port);
        var marker = $"feedingest-hosttest-{Guid.NewGuid():N}";
        psi.Environment["FEEDINGEST_HOSTTEST_MARKER"] = marker;
        foreach (var (key, value) in settings) psi.Environment[key] = value;
        psi.Environment.Remove("ASPNETCORE_URLS");
        psi.Environment.Remove("ASPNETCORE_ENVIRONMENT");

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var host = new FunctionsHost(process, marker, port, name, settings["AzureWebJobsStorage"]);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) host._log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) host._log.Enqueue("stderr: " + e.Data); };
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (waitUntilHealthy) await host.WaitUntilAnsweringAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Until <c>GET /api/health</c> answers 200 (the worker is up and its functions are indexed).</summary>
    public Task WaitUntilAnsweringAsync() =>
        Poll.UntilAsync(async () =>
        {
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"The host exited with code {_process.ExitCode}.\n{Tail()}");
            using var response = await Http.GetAsync("api/health");
            return response.StatusCode == HttpStatusCode.OK;
        }, $"host {Name} to answer GET /api/health with 200", diagnostics: () => Tail());

    public bool HasExited => _process.HasExited;

    public bool LogContains(string text) => _log.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// The host's default function key, read where the host keeps it: the blob <c>{hostId}/host.json</c> of the
    /// <c>azure-webjobs-secrets</c> container in AzureWebJobsStorage ("functionKeys" → "default"), or, when the host
    /// keeps secrets in files, release/Secrets/host.json of the unpacked host. Written on the first request that needs a key.
    /// </summary>
    public async Task<string> FunctionKeyAsync()
    {
        if (_key is not null) return _key;
        if (HostLauncher.Available is { ChecksKeys: false }) return _key = "not-checked-locally";
        // The host creates its keys when it first checks one: a request carrying a wrong key makes it do so.
        using (var probe = new HttpRequestMessage(HttpMethod.Get, "api/articles/none/none"))
        {
            probe.Headers.Add("x-functions-key", "not-a-key");
            using (await Http.SendAsync(probe)) { }
        }
        _key = await Poll.UntilAsync(ReadDefaultKeyAsync, key => key is not null,
            $"the host's default function key in the azure-webjobs-secrets container or {HostLauncher.KeyFile}", TimeSpan.FromMinutes(2), diagnostics: () => Tail());
        return _key!;
    }

    private async Task<string?> ReadDefaultKeyAsync()
    {
        var container = new Azure.Storage.Blobs.BlobContainerClient(_storage, "azure-webjobs-secrets");
        if (await container.ExistsAsync())
        {
            await foreach (var blob in container.GetBlobsAsync())
            {
                if (!blob.Name.EndsWith("/host.json", StringComparison.Ordinal)) continue;
                var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
                if (DefaultKey(content.Value.Content.ToString()) is { } key) return key;
            }
        }
        var file = HostLauncher.KeyFile;
        return File.Exists(file) ? DefaultKey(await File.ReadAllTextAsync(file)) : null;
    }

    private static string? DefaultKey(string secretsJson)
    {
        var json = JsonNode.Parse(secretsJson.TrimStart('\uFEFF'))!;
        return (string?)json["functionKeys"]?.AsArray().FirstOrDefault(k => (string?)k?["name"] == "default")?["value"];
    }

    private string? _key;

    /// <summary>A request with the function key (header x-functions-key, as a client would send it).</summary>
    public async Task<HttpResponseMessage> SendWithKeyAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("x-functions-key", await FunctionKeyAsync());
        return await Http.SendAsync(request);
    }

    /// <summary>SIGTERM (the host stops its worker and releases its locks), then kills whatever is left carrying the marker.</summary>
    public async ValueTask DisposeAsync()
    {
        // FEEDINGEST_HOSTTEST_LOGS=<folder> keeps every host's whole log there (for a failure in CI).
        if (Environment.GetEnvironmentVariable("FEEDINGEST_HOSTTEST_LOGS") is { Length: > 0 } logs)
        {
            try
            {
                Directory.CreateDirectory(logs);
                await File.WriteAllLinesAsync(Path.Combine(logs, $"{DateTime.UtcNow:HHmmss}-{Name}.log"), _log);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Keeping the log is a convenience; stopping the host is not.
            }
        }
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                    await term!.WaitForExitAsync();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try { await _process.WaitForExitAsync(patience.Token); }
                catch (OperationCanceledException) { }
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        finally
        {
            KillMarkedProcesses(_marker);
            _process.Dispose();
        }
    }

    /// <summary>Every process whose environment holds the marker: the host and its worker(s), orphaned or not.</summary>
    private static void KillMarkedProcesses(string marker)
    {
        if (!Directory.Exists("/proc")) return;
        var needle = $"FEEDINGEST_HOSTTEST_MARKER={marker}";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ"));
                if (!environment.Split('\0').Contains(needle)) continue;
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // gone already, or not ours to read
            }
        }
    }
}
