using System.Diagnostics;
using System.Text;

namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The real feedingest process, running: its output lines as they come, a way to wait for one, SIGINT like Ctrl+C.
/// Killed on dispose if still running, so a failing test leaves no process behind.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    /// <summary>A guard against hangs only: generous, never a speed requirement.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly object _gate = new();

    private CliProcess(Process process) => _process = process;

    public string Output { get { lock (_gate) return _out.ToString(); } }
    public string Error { get { lock (_gate) return _err.ToString(); } }
    public int Id => _process.Id;

    public static CliProcess Start(IDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(HarvestEnvironment.CliPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test portals are on loopback, which the fetcher refuses unless allowed (a test may override it).
        psi.Environment["FeedIngest__Fetching__AllowedPrivateNetworks"] = HarvestEnvironment.LoopbackOnly;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = new Process { StartInfo = psi };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli._gate) cli._out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli._gate) cli._err.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs to the end: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IDictionary<string, string?> environment, params string[] args)
    {
        await using var cli = Start(environment, args);
        var exit = await cli.WaitForExitAsync();
        return (exit, cli.Output, cli.Error);
    }

    public async Task WaitUntilAsync(Func<CliProcess, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition(this))
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                if (condition(this)) return;
                throw new InvalidOperationException($"feedingest exited ({_process.ExitCode}) before {what}\n{Output}\n{Error}");
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"hang guard: no {what} within {HangGuard}\n{Output}\n{Error}");
            await Task.Delay(100);
        }
    }

    /// <summary>Ctrl+C as a terminal sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
    }

    /// <param name="hangGuard">A longer guard for a command that runs long by design (a benchmark); <see cref="HangGuard"/> otherwise.</param>
    public async Task<int> WaitForExitAsync(TimeSpan? hangGuard = null)
    {
        using var guard = new CancellationTokenSource(hangGuard ?? HangGuard);
        try
        {
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"hang guard: feedingest still running after {hangGuard ?? HangGuard}\n{Output}\n{Error}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
