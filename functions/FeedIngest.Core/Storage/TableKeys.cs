namespace FeedIngest.Core.Storage;

/// <summary>Which strings can be a Table Storage PartitionKey or RowKey at all.</summary>
public static class TableKeys
{
    /// <summary>
    /// False for keys the service refuses ('/', '\', '#', '?', control characters, over 1 KiB):
    /// a lookup by such a key (a user's route value) has no row rather than a storage error.
    /// </summary>
    public static bool IsValid(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= 512
        && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
