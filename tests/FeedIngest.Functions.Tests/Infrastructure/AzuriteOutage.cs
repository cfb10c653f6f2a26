using System.Diagnostics;
using System.Reflection;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// Stops a private Azurite the way a clean shutdown does (SIGTERM) and starts it again on the same ports
/// and data. AzuriteInstance.StopAsync kills the process, and Azurite saves its data only every 5 s, so
/// a kill could forget writes it had acknowledged; real storage never does, so the outage must not either.
/// </summary>
public static class AzuriteOutage
{
    public static async Task StopAsync(AzuriteInstance azurite)
    {
        // The shared helper keeps its process private; reaching in here keeps the outage test self-contained.
        var field = typeof(AzuriteInstance).GetField("_process", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("AzuriteInstance no longer keeps its process in _process.");
        var node = (Process?)field.GetValue(azurite) ?? throw new InvalidOperationException("Azurite is not running.");
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])))
            await kill!.WaitForExitAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await node.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            await azurite.StopAsync();
        }
    }

    public static Task StartAsync(AzuriteInstance azurite) => azurite.StartAsync();
}
