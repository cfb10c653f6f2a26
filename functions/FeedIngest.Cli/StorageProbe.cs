using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli;

/// <summary>Storage could not be reached; printed as one line with the endpoint, exit code <see cref="ExitCodes.StorageUnreachable"/>.</summary>
internal sealed class StorageUnreachableException(string endpoint, Exception cause)
    : Exception($"cannot reach storage at {endpoint} ({Describe(cause)})", cause)
{
    public string Endpoint { get; } = endpoint;

    /// <summary>The first try's own reason ("Connection refused (127.0.0.1:10000)"), not the SDK's retry wrapper.</summary>
    public static string Describe(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: > 0 } a) e = a.InnerExceptions[0];
        return e.Message.Split('\n')[0].Trim();
    }
}

/// <summary>
/// The first storage call of a command, made with one quick retry so that "Azurite is not running" is said in
/// seconds rather than after the SDK's default back-off (4 tries, up to a minute and more).
/// </summary>
internal static class StorageProbe
{
    public static async Task EnsureReachableAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var blobs = services.GetService<BlobServiceClient>();
        if (blobs is null) return; // Storage not configured: the command's own resolution error says so.
        var endpoint = Endpoint(blobs.Uri);
        try
        {
            // A data-plane read that a reader role may do: works against Azurite and against an account with RBAC.
            await blobs.GetBlobContainerClient(StorageNames.ArticlesContainer)
                .ExistsAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token.Combine(cancellationToken));
        }
        catch (Exception e) when (StorageFailures.IsUnreachable(e) || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new StorageUnreachableException(endpoint, e);
        }
    }

    public static string Endpoint(Uri uri) => uri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>
    /// CLI defaults for every storage client: a short back-off and a bounded network timeout, so an outage in the
    /// middle of a run ends it in seconds (exit 4) rather than after minutes of retries.
    /// </summary>
    public static void UseShortRetries(IServiceCollection services) =>
        services.AddAzureClients(clients => clients.ConfigureDefaults(options =>
        {
            options.Retry.Mode = RetryMode.Exponential;
            options.Retry.MaxRetries = 2;
            options.Retry.Delay = TimeSpan.FromMilliseconds(300);
            options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        }));

    private static CancellationToken Combine(this CancellationToken a, CancellationToken b) =>
        CancellationTokenSource.CreateLinkedTokenSource(a, b).Token;
}
