namespace FeedIngest.Core.Storage;

/// <summary>Text columns that grow (error lines) kept inside a table property.</summary>
public static class TableRows
{
    /// <summary>Appends lines to a text column, keeping the newest when it would outgrow a table property.</summary>
    public static string? AppendLines(string? existing, IReadOnlyCollection<string>? lines, int maxChars = 30_000)
    {
        if (lines is null || lines.Count == 0) return existing;
        var text = string.IsNullOrEmpty(existing) ? string.Join('\n', lines) : existing + "\n" + string.Join('\n', lines);
        return text.Length <= maxChars ? text : "…" + text[^(maxChars - 1)..];
    }
}
