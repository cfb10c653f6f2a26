using System.Xml.Linq;

namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>
/// The Bicep CLI from the NuGet package that tools/bicep/bicep.csproj downloads; restored here when missing,
/// so the tests need nothing but the .NET SDK and the NuGet feed (or a warm NuGet cache).
/// </summary>
internal static class BicepCli
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(5);

    public static string ProjectPath => RepositoryRoot.Combine("tools", "bicep", "bicep.csproj");

    /// <summary>The version pinned in tools/bicep/bicep.csproj (property BicepCliVersion).</summary>
    public static string PinnedVersion =>
        XDocument.Load(ProjectPath).Descendants("BicepCliVersion").Single().Value.Trim();

    public static async Task<string> LocateOrRestoreAsync()
    {
        var packagesFolder = await GlobalPackagesFolderAsync();
        var executable = Path.Combine(packagesFolder, PackageId, PinnedVersion, "tools", "bicep");
        if (!File.Exists(executable))
        {
            var restore = await ProcessRunner.RunAsync(
                DotnetHost, ["restore", ProjectPath], RepositoryRoot.Path, RestoreTimeout);
            if (restore.ExitCode != 0 || !File.Exists(executable))
            {
                throw new InvalidOperationException($"Restoring the Bicep CLI failed (exit {restore.ExitCode}):\n{restore.Combined}");
            }
        }

        // NuGet extracts the binary without its execute bit. (The package is linux-x64 only, like CI.)
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(executable, File.GetUnixFileMode(executable) | UnixFileMode.UserExecute);
        }

        return executable;
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static async Task<string> GlobalPackagesFolderAsync()
    {
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured)
        {
            return configured;
        }

        var locals = await ProcessRunner.RunAsync(
            DotnetHost, ["nuget", "locals", "global-packages", "--list"], RepositoryRoot.Path, RestoreTimeout);
        const string prefix = "global-packages:";
        var line = locals.StandardOutput.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"`dotnet nuget locals global-packages --list` printed no folder:\n{locals.Combined}");
        return line[prefix.Length..].Trim();
    }
}
