using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FeedIngest.Core.Fetching;

/// <summary>The stored names of <see cref="FailureCause"/>: kebab-case ("connection-refused"), stable across versions.</summary>
public static class FailureCauses
{
    private static readonly FrozenDictionary<FailureCause, string> Names =
        Enum.GetValues<FailureCause>().ToFrozenDictionary(c => c, c => Kebab(c.ToString()));

    private static readonly FrozenDictionary<string, FailureCause> ByName =
        Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every cause with its stored name, in declaration order (None first).</summary>
    public static IReadOnlyList<FailureCause> All { get; } = Enum.GetValues<FailureCause>();

    /// <summary>"connection-refused" for <see cref="FailureCause.ConnectionRefused"/>; "none" for <see cref="FailureCause.None"/>.</summary>
    public static string Name(FailureCause cause) => Names.TryGetValue(cause, out var name) ? name : Kebab(cause.ToString());

    /// <summary>Reads a stored name back (case-insensitive); false for null, empty or unknown names.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out FailureCause cause)
    {
        cause = FailureCause.None;
        return name is not null && ByName.TryGetValue(name.Trim(), out cause);
    }

    /// <summary>The cause for an HTTP status that is not a success: always <see cref="FailureCause.HttpStatus"/>.</summary>
    public static FailureCause ForStatus(int status) => status is >= 200 and < 400 ? FailureCause.None : FailureCause.HttpStatus;

    /// <summary>Causes that mean the host could not be talked to at all (as opposed to an answer we did not want).</summary>
    public static bool IsUnreachable(FailureCause cause) =>
        cause is FailureCause.Dns or FailureCause.ConnectionRefused or FailureCause.Tls or FailureCause.Timeout or FailureCause.AddressBlocked;

    /// <summary>"dns=2;http-status=1" — counts by cause, ordered by name, as stored on a run row.</summary>
    public static string FormatCounts(IEnumerable<KeyValuePair<string, int>> counts) =>
        string.Join(';', counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    /// <summary>Reads <see cref="FormatCounts"/> back; unreadable parts are ignored.</summary>
    public static Dictionary<string, int> ParseCounts(string? text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length == 2 && int.TryParse(pair[1], System.Globalization.CultureInfo.InvariantCulture, out var n))
                counts[pair[0]] = counts.GetValueOrDefault(pair[0]) + n;
        }
        return counts;
    }

    private static string Kebab(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }
        return text.ToString();
    }
}
