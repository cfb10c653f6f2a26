using System.Diagnostics;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.HostTests.Infrastructure;

/// <summary>
/// Which Azure Functions host runs the app: <c>func start</c> when Azure Functions Core Tools are on PATH (what a
/// developer has), else <c>../shared/functions-host/func-host</c> beside the repository (the same host built from
/// source, for machines where Core Tools cannot be installed), else none, with the reason the tests report.
/// </summary>
public sealed record HostLauncher(string Name, string FileName, IReadOnlyList<string> Arguments, string? WorkingDirectory)
{
    public static HostLauncher? Available { get; } = Find();

    /// <summary>Core Tools do not check function keys on a developer machine (Azure and the plain host do).</summary>
    public bool ChecksKeys => Name != "func start";
    public static string? UnavailableReason { get; } = Available is null ? Reason() : null;

    /// <summary>The process that runs the host over <paramref name="scriptRoot"/> on 127.0.0.1:<paramref name="port"/>.</summary>
    public ProcessStartInfo StartInfo(string scriptRoot, int port)
    {
        var psi = new ProcessStartInfo(FileName)
        {
            WorkingDirectory = WorkingDirectory ?? scriptRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // The plain host keeps its keys in files under its own folder (release/Secrets): one unpacked copy for the
        // tests, so every host of the run shares keys (as instances do) and the tests know where to read them.
        if (Name != "func start") psi.Environment["FUNC_HOST_CACHE"] = FuncHostCache;
        foreach (var argument in Arguments)
            psi.ArgumentList.Add(argument.Replace("{scriptRoot}", scriptRoot, StringComparison.Ordinal).Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return psi;
    }

    /// <summary>Where func-host unpacks the host for the tests (reused by later runs).</summary>
    public static string FuncHostCache { get; } = Path.Combine(Path.GetTempPath(), "func-host-feedingest-tests");

    /// <summary>The plain host's key file (masterKey, functionKeys → default), written on the first request that needs a key.</summary>
    public static string KeyFile => Path.Combine(FuncHostCache, "release", "Secrets", "host.json");

    private static HostLauncher? Find()
    {
        var func = FindOnPath("func");
        if (func is not null)
        {
            // Core Tools run the build output in the current folder (it holds functions.metadata, so nothing is rebuilt).
            return new HostLauncher("func start", func, ["start", "--port", "{port}"], null);
        }
        var shared = SharedFuncHost;
        return File.Exists(shared) ? new HostLauncher("../shared/functions-host/func-host", shared, ["{scriptRoot}", "{port}"], null) : null;
    }

    private static string SharedFuncHost => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "functions-host", "func-host"));

    private static string Reason() =>
        $"no Azure Functions host: `func` (Azure Functions Core Tools) is not on PATH and {SharedFuncHost} does not exist";

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
