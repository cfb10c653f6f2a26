using FeedIngest.Core.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Publication dates as portals write them: ISO 8601 in metadata, and the visible Vietnamese forms
/// ("Ngày đăng 01/06/2022 | 09:04", "Thứ Hai, 27/01/2021 - 10:15", "16:20 27/01/2021", "27/01/2021, 16:20",
/// "… GMT+7"). A value without a zone is Vietnam time (+07:00).
/// </summary>
public static partial class DateParsing
{
    public static readonly TimeSpan VietnamOffset = VietnamTime.Offset;

    [GeneratedRegex(@"(?<!\d)(?<d>\d{1,2})\s*[/\-.]\s*(?<m>\d{1,2})\s*[/\-.]\s*(?<y>\d{4})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"(?<!\d)(?<d>\d{1,2})\s+tháng\s+(?<m>\d{1,2})\s*(?:năm|,)?\s*(?<y>\d{4})(?!\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthYearInWords();

    /// <summary>"February 6, 2024", "Feb. 6 2024", "6 February 2024".</summary>
    [GeneratedRegex(@"\b(?:(?<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<y>\d{4})|(?<d>\d{1,2})\s+(?<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?<y>\d{4}))(?!\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EnglishDate();

    private static readonly string[] MonthAbbreviations = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    [GeneratedRegex(@"(?<!\d)(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex YearMonthDay();

    [GeneratedRegex(@"(?<!\d)(?<h>\d{1,2})\s*[:h]\s*(?<min>\d{2})(?:\s*:\s*(?<s>\d{2}))?(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex ClockTime();

    // A generated pattern: the static Regex.IsMatch(string, pattern) goes through the shared cache and its lock on every call.
    [GeneratedRegex(@"[+\-]\d{2}:?\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex ZoneOffsetAtEnd();

    [GeneratedRegex(@"(?:GMT|UTC)\s*(?<sign>[+\-])\s*(?<zh>\d{1,2})(?::?(?<zm>\d{2}))?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ZoneSuffix();

    /// <summary>Parses a machine date (ISO 8601, RFC 1123) as found in JSON-LD, meta tags and datetime attributes.</summary>
    public static DateTimeOffset? ParseMachine(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim();
        var hasZone = v.EndsWith('Z') || ZoneOffsetAtEnd().IsMatch(v) || v.EndsWith("GMT", StringComparison.OrdinalIgnoreCase);
        if (hasZone && DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withZone))
            return withZone;
        if (DateTime.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeLocal, out var local)
            && YearMonthDay().IsMatch(v))
            return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), VietnamOffset);
        return ParseVisible(v);
    }

    /// <summary>Four digits in a row (\d: any Unicode decimal digit, as char.IsDigit): every date pattern below needs its
    /// year, so a text without them is answered without running the patterns.</summary>
    private static bool HasFourDigitRun(string text)
    {
        var run = 0;
        foreach (var ch in text)
        {
            if ((uint)(ch - '0') <= 9 || (ch > '\u007F' && char.IsDigit(ch)))
            {
                if (++run == 4) return true;
            }
            else run = 0;
        }
        return false;
    }

    /// <summary>Parses the first visible date (day/month/year, with an optional clock time before or after it) in a text.</summary>
    public static DateTimeOffset? ParseVisible(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !HasFourDigitRun(text)) return null;
        var dm = DayMonthYear().Match(text);
        if (!dm.Success) dm = DayMonthYearInWords().Match(text);
        int day, month, year, dateStart, dateEnd;
        if (dm.Success)
        {
            day = int.Parse(dm.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
            month = int.Parse(dm.Groups["m"].ValueSpan, CultureInfo.InvariantCulture);
            year = int.Parse(dm.Groups["y"].ValueSpan, CultureInfo.InvariantCulture);
            (dateStart, dateEnd) = (dm.Index, dm.Index + dm.Length);
        }
        else
        {
            var ym = YearMonthDay().Match(text);
            if (ym.Success)
            {
                day = int.Parse(ym.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
                month = int.Parse(ym.Groups["m"].ValueSpan, CultureInfo.InvariantCulture);
                year = int.Parse(ym.Groups["y"].ValueSpan, CultureInfo.InvariantCulture);
                (dateStart, dateEnd) = (ym.Index, ym.Index + ym.Length);
            }
            else
            {
                var en = EnglishDate().Match(text);
                if (!en.Success) return null;
                day = int.Parse(en.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
                month = Array.IndexOf(MonthAbbreviations, en.Groups["mon"].Value.ToLowerInvariant()) + 1;
                year = int.Parse(en.Groups["y"].ValueSpan, CultureInfo.InvariantCulture);
                (dateStart, dateEnd) = (en.Index, en.Index + en.Length);
            }
        }
        if (month is < 1 or > 12 || day < 1 || year is < 1990 or > 2100 || day > DateTime.DaysInMonth(year, month)) return null;

        // The clock time sits right after the date ("01/06/2022 | 09:04", "27/01/2021, 16:20", "- 10:15")
        // or right before it ("16:20 27/01/2021"); a time further away belongs to something else.
        int hour = 0, minute = 0, second = 0;
        Match? clock = null;
        foreach (Match t in ClockTime().Matches(text))
        {
            var after = t.Index >= dateEnd && t.Index - dateEnd <= 12 && IsSeparatorRun(text.AsSpan(dateEnd, t.Index - dateEnd));
            var before = t.Index + t.Length <= dateStart && dateStart - (t.Index + t.Length) <= 10
                         && IsSeparatorRun(text.AsSpan(t.Index + t.Length, dateStart - t.Index - t.Length));
            if (after || before) { clock = t; break; }
        }
        if (clock is not null)
        {
            hour = int.Parse(clock.Groups["h"].ValueSpan, CultureInfo.InvariantCulture);
            minute = int.Parse(clock.Groups["min"].ValueSpan, CultureInfo.InvariantCulture);
            if (clock.Groups["s"].Success) second = int.Parse(clock.Groups["s"].ValueSpan, CultureInfo.InvariantCulture);
            if (hour > 23 || minute > 59 || second > 59) (hour, minute, second) = (0, 0, 0);
        }

        var offset = VietnamOffset;
        var zone = ZoneSuffix().Match(text);
        if (zone.Success)
        {
            var h = int.Parse(zone.Groups["zh"].ValueSpan, CultureInfo.InvariantCulture);
            var m = zone.Groups["zm"].Success ? int.Parse(zone.Groups["zm"].ValueSpan, CultureInfo.InvariantCulture) : 0;
            if (h <= 14 && m < 60)
                offset = (zone.Groups["sign"].Value == "-" ? -1 : 1) * new TimeSpan(h, m, 0);
        }
        return new DateTimeOffset(year, month, day, hour, minute, second, offset);
    }

    /// <summary>True for text that is little more than a date: "Thứ Sáu, 16/07/2021 10:15", "Ngày đăng 27/01/2021 | 16:20".</summary>
    internal static bool IsDateLine(string text)
    {
        if (text.Length > 80) return false;
        string rest;
        if (DayMonthYear().IsMatch(text)) rest = DayMonthYear().Replace(text, " ");
        else if (EnglishDate().IsMatch(text)) rest = EnglishDate().Replace(text, " ").Replace("a.m.", " ", StringComparison.OrdinalIgnoreCase).Replace("p.m.", " ", StringComparison.OrdinalIgnoreCase);
        else return false;
        rest = ClockTime().Replace(rest, " ");
        rest = ZoneSuffix().Replace(rest, " ");
        var letters = 0;
        foreach (var ch in rest) if (char.IsLetter(ch)) letters++;
        return letters <= 24;
    }

    [GeneratedRegex(@"^[\s|,\-–()/.]*(?:(?:vào )?lúc|ngày|,)?[\s|,\-–()/.]*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SeparatorRun();

    // What may stand between a date and its clock time: spaces, "|", "-", ",", brackets, "lúc", "ngày".
    private static bool IsSeparatorRun(ReadOnlySpan<char> between) => SeparatorRun().IsMatch(between);
}
