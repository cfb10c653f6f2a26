using FeedIngest.Core.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace FeedIngest.Core.Discovery;

/// <summary>
/// Dates as portals really write them in feeds, sitemaps and listings: RFC 822/1123 (with or without the day
/// name, with "GMT+7" or "+0700"), ISO 8601, and Vietnamese "21/11/2024 19:41". A date without an offset is
/// taken as Vietnam time (+07:00), where these portals live. Unparsable → null, never an invented date.
/// </summary>
public static partial class TolerantDateParser
{
    public static readonly TimeSpan VietnamOffset = VietnamTime.Offset;

    private static readonly string[] Rfc822Formats =
    [
        "ddd, d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm zzz", "d MMM yyyy HH:mm zzz",
        "ddd, d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm:ss", "ddd, d MMM yyyy HH:mm", "d MMM yyyy HH:mm", "ddd, d MMM yyyy", "d MMM yyyy",
    ];

    private static readonly string[] LocalFormats =
    [
        "d/M/yyyy H:mm:ss", "d/M/yyyy H:mm", "d/M/yyyy", "d-M-yyyy H:mm:ss", "d-M-yyyy H:mm", "d-M-yyyy",
        "H:mm d/M/yyyy", "H:mm:ss d/M/yyyy", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd",
    ];

    private static readonly string[] AllFormats = [.. Rfc822Formats, .. LocalFormats];

    [GeneratedRegex(@"(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex TrailingOffset();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\s*\b(GMT|UTC|UT|Z)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex GmtOffset();

    [GeneratedRegex(@"\s([+-])(\d{2}):?(\d{2})\s*$")]
    private static partial Regex NumericOffset();

    [GeneratedRegex(@"\s(GMT|UTC|UT|Z)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ZeroZone();

    [GeneratedRegex(@"\s(ICT|EST|EDT|CST|CDT|MST|MDT|PST|PDT)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex NamedZone();

    public static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = Whitespace().Replace(text.Trim(), " ");

        // ISO 8601 first: it is what sitemaps and Atom use.
        if (s.Length >= 10 && char.IsDigit(s[0]) && s[4] == '-' &&
            DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var iso))
            return HasOffset(s) ? iso : new DateTimeOffset(iso.DateTime, VietnamOffset);

        // RFC 822 family: normalise the zone to "+hh:mm" so one format list covers them.
        var zone = (TimeSpan?)null;
        var body = s;
        if (GmtOffset().Match(body) is { Success: true } g)
        {
            var hours = int.Parse(g.Groups[3].Value, CultureInfo.InvariantCulture);
            var minutes = g.Groups[4].Success ? int.Parse(g.Groups[4].Value, CultureInfo.InvariantCulture) : 0;
            zone = new TimeSpan(hours, minutes, 0) * (g.Groups[2].Value == "-" ? -1 : 1);
            body = body[..g.Index];
        }
        else if (NumericOffset().Match(body) is { Success: true } n)
        {
            zone = new TimeSpan(int.Parse(n.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(n.Groups[3].Value, CultureInfo.InvariantCulture), 0)
                   * (n.Groups[1].Value == "-" ? -1 : 1);
            body = body[..n.Index];
        }
        else if (ZeroZone().Match(body) is { Success: true } z)
        {
            zone = TimeSpan.Zero;
            body = body[..z.Index];
        }
        else if (NamedZone().Match(body) is { Success: true } named)
        {
            zone = named.Groups[1].Value.ToUpperInvariant() switch
            {
                "ICT" => VietnamOffset,
                "EST" => TimeSpan.FromHours(-5), "EDT" => TimeSpan.FromHours(-4),
                "CST" => TimeSpan.FromHours(-6), "CDT" => TimeSpan.FromHours(-5),
                "MST" => TimeSpan.FromHours(-7), "MDT" => TimeSpan.FromHours(-6),
                "PST" => TimeSpan.FromHours(-8), _ => TimeSpan.FromHours(-7),
            };
            body = body[..named.Index];
        }
        body = body.Trim().TrimEnd(',');

        // Day names are often wrong ("Thu" for a Friday); parse without them when the first try fails.
        foreach (var candidate in new[] { body, StripDayName(body) })
        {
            if (DateTime.TryParseExact(candidate, AllFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local))
                return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone ?? VietnamOffset);
        }
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var loose))
            return HasOffset(s) ? loose : new DateTimeOffset(loose.DateTime, VietnamOffset);
        return null;
    }

    private static string StripDayName(string s)
    {
        var comma = s.IndexOf(',');
        return comma is > 0 and <= 10 ? s[(comma + 1)..].Trim() : s;
    }

    // "2024-11-21" has no time and no offset; "2024-11-21T19:41:00+07:00" and "...Z" have one.
    private static bool HasOffset(string s) => s.Length > 10 && TrailingOffset().IsMatch(s);
}
