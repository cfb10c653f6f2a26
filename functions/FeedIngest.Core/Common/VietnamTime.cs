namespace FeedIngest.Core.Common;

/// <summary>Vietnam time (+07:00, no daylight saving): the zone of every portal we harvest and of every date we print or key by.</summary>
public static class VietnamTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    public static DateTimeOffset ToVietnam(DateTimeOffset value) => value.ToOffset(Offset);

    /// <summary>The Vietnam calendar day of an instant.</summary>
    public static DateOnly Day(DateTimeOffset value) => DateOnly.FromDateTime(value.ToOffset(Offset).DateTime);

    /// <summary>Midnight of a Vietnam calendar day, as an instant.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);
}
