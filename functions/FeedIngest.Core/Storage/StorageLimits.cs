namespace FeedIngest.Core.Storage;

/// <summary>
/// The storage services' limits, enforced where data enters (see docs/CONTRACT.md, "Limits"):
/// a table property holds at most 32,767 UTF-16 characters (64 KiB), a queue message at most 64 KiB
/// (48 KiB of JSON once Base64-encoded), a URL at most 2,048 characters (sitemaps protocol).
/// </summary>
public static class StorageLimits
{
    /// <summary>Longest string we write to a table property (the service allows 32,767 characters).</summary>
    public const int MaxPropertyChars = 32_000;
    /// <summary>Longest URL we queue or record (sitemaps protocol: under 2,048 characters).</summary>
    public const int MaxUrlChars = 2_047;
    /// <summary>Longest queue message body before Base64 (64 KiB after it).</summary>
    public const int MaxMessageBytes = 48 * 1024;

    /// <summary>The value cut to <paramref name="maxChars"/> with a visible "…" so readers know it was cut.</summary>
    public static string? Cap(string? value, int maxChars = MaxPropertyChars) =>
        value is null || value.Length <= maxChars ? value : value[..(maxChars - 1)] + "…";
}
