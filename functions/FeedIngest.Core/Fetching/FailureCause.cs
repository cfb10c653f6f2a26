namespace FeedIngest.Core.Fetching;

/// <summary>Why a URL was not stored: one closed vocabulary carried through Urls, Runs, health, logs and the CLI.</summary>
/// <remarks>Stored as the kebab-case name from <see cref="FailureCauses.Name"/>; new members only append.</remarks>
public enum FailureCause
{
    None = 0,
    Dns,
    ConnectionRefused,
    Tls,
    Timeout,
    HttpStatus,
    RobotsDisallowed,
    RobotsUnreachable,
    TooLarge,
    ContentType,
    Redirects,
    AddressBlocked,
    UrlTooLong,
    OffSourceHost,
    EmptyContent,
    Storage,
    Cancelled,
    Other,
}
