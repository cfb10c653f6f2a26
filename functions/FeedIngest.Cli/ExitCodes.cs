namespace FeedIngest.Cli;

/// <summary>
/// The exit codes of every <c>feedingest</c> command (README "Exit codes" and docs/CLI.md list the same table).
/// One meaning per number: scripts can tell "some items failed" from "you typed it wrong".
/// </summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;
    /// <summary>Unexpected error (a bug or an environment problem the CLI has no better name for).</summary>
    public const int Error = 1;
    /// <summary>Done, but some articles, sources or pages failed; each failure is recorded or printed with its reason.</summary>
    public const int SomeFailed = 2;
    /// <summary>The source registry is invalid (nothing was written).</summary>
    public const int InvalidRegistry = 3;
    /// <summary>Storage (Azurite or the storage account) cannot be reached.</summary>
    public const int StorageUnreachable = 4;
    /// <summary>The thing asked for does not exist (an article id, a job).</summary>
    public const int NotFound = 5;
    /// <summary>Bad command line: unknown option, missing or malformed value, missing file or folder (sysexits EX_USAGE).</summary>
    public const int Usage = 64;
    /// <summary>Interrupted by Ctrl+C or SIGTERM; what was done so far is recorded and printed.</summary>
    public const int Interrupted = 130;
}

/// <summary>A command-line problem the user can fix: printed as one line, exit code <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
