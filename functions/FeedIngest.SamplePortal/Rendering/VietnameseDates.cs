using System.Globalization;
using FeedIngest.Core.Common;

namespace FeedIngest.SamplePortal.Rendering;

/// <summary>The date formats Vietnamese portals print; all in Vietnam time (+07:00).</summary>
internal static class VietnameseDates
{
    private static readonly string[] Weekdays = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

    public static DateTimeOffset InVietnam(DateTimeOffset value) => VietnamTime.ToVietnam(value);

    /// <summary>27/01/2021</summary>
    public static string Date(DateTimeOffset value) => InVietnam(value).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    /// <summary>16:20</summary>
    public static string Time(DateTimeOffset value) => InVietnam(value).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Thứ Tư, 27/01/2021 - 16:20</summary>
    public static string NewsDateLine(DateTimeOffset value) =>
        $"{Weekdays[(int)InVietnam(value).DayOfWeek]}, {Date(value)} - {Time(value)}";

    /// <summary>Wed, 27 Jan 2021 16:20:00 +0700 (RFC 822, as RSS wants it).</summary>
    public static string Rfc822(DateTimeOffset value) =>
        InVietnam(value).ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0700";

    /// <summary>2021-01-27T16:20:00+07:00</summary>
    public static string Iso(DateTimeOffset value) => InVietnam(value).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
}
