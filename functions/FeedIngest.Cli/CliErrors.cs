using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;

namespace FeedIngest.Cli;

/// <summary>Every error the CLI reports: one line saying what and what to do, the exit code from <see cref="ExitCodes"/>.</summary>
internal static class CliErrors
{
    public static int Report(Exception e, bool verbose)
    {
        var (message, hint, code) = Classify(e);
        Console.Error.WriteLine(hint is null ? $"error: {message}" : $"error: {message} — {hint}");
        if (verbose) Console.Error.WriteLine(e.ToString());
        else if (code == ExitCodes.Error) Console.Error.WriteLine("(run again with --verbose for the details)");
        return code;
    }

    private static (string Message, string? Hint, int Code) Classify(Exception e) => e switch
    {
        UsageException u => (u.Message, null, ExitCodes.Usage),
        StorageUnreachableException s => (s.Message, StorageHint(s.Endpoint), ExitCodes.StorageUnreachable),
        StorageUnavailableException s => ($"lost storage at {CliHost.StorageEndpoint ?? "(unknown)"} during the run ({StorageUnreachableException.Describe(s.InnerException ?? s)})", StorageHint(CliHost.StorageEndpoint), ExitCodes.StorageUnreachable),
        _ when StorageFailures.IsUnreachable(e) => ($"cannot reach storage at {CliHost.StorageEndpoint ?? "(unknown)"} ({StorageUnreachableException.Describe(e)})", StorageHint(CliHost.StorageEndpoint), ExitCodes.StorageUnreachable),
        SourceRegistryValidationException r => ($"invalid source registry {r.Location}: {string.Join("; ", r.Problems)}", null, ExitCodes.InvalidRegistry),
        OperationCanceledException => ("interrupted", null, ExitCodes.Interrupted),
        Azure.Identity.AuthenticationFailedException a => ($"cannot sign in to storage: {a.Message.Split('\n')[0]}", "Run 'az login', or set FeedIngestStorage to a connection string (docs/CLI.md).", ExitCodes.StorageUnreachable),
        Azure.RequestFailedException { Status: 403 } f => ($"storage refused access ({f.ErrorCode}): check the account key or the identity's data roles", null, ExitCodes.StorageUnreachable),
        _ => (FirstLine(e.GetBaseException()), null, ExitCodes.Error),
    };

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();

    /// <summary>Local endpoints mean Azurite; anything else is an account the user configured.</summary>
    public static string StorageHint(string? endpoint) =>
        endpoint is null || endpoint.Contains("127.0.0.1", StringComparison.Ordinal) || endpoint.Contains("localhost", StringComparison.Ordinal)
            ? "is Azurite running? (npm run azurite / ./run.sh)"
            : "check FeedIngestStorage and the network (docs/CLI.md)";
}
