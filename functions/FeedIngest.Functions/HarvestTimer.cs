using Cronos;
using FeedIngest.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Functions;

/// <summary>Starts a harvest run on the <c>HarvestSchedule</c> app setting (CRON with seconds) and fans out one discover message per source.</summary>
public sealed class HarvestTimer(QueueStages stages, IConfiguration configuration, ILogger<HarvestTimer> logger)
{
    public const string ScheduleSetting = "HarvestSchedule";

    [Function(nameof(HarvestTimer))]
    public async Task Run([TimerTrigger("%HarvestSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue) logger.LogWarning("Harvest timer is past due; starting now");
        // The run id is the schedule occurrence: a second start of the same occurrence (another instance, a retry) enqueues nothing.
        await stages.StartScheduledRunAsync(ScheduleOccurrence.Latest(configuration[ScheduleSetting], DateTimeOffset.UtcNow), cancellationToken);
    }
}

/// <summary>The schedule occurrence a timer invocation belongs to.</summary>
public static class ScheduleOccurrence
{
    /// <summary>Tolerance for a timer that fires a little before its occurrence (clock skew between instances).</summary>
    private static readonly TimeSpan Early = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The latest occurrence of <paramref name="schedule"/> (six-field CRON) at or before <paramref name="now"/>; for a
    /// schedule the host accepts but Cronos does not (a TimeSpan such as "00:05:00"), <paramref name="now"/> to the second.
    /// </summary>
    public static DateTimeOffset Latest(string? schedule, DateTimeOffset now)
    {
        var second = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (string.IsNullOrWhiteSpace(schedule) || !CronExpression.TryParse(schedule, CronFormat.IncludeSeconds, out var cron)) return second;
        foreach (var window in new[] { TimeSpan.FromHours(1), TimeSpan.FromDays(32), TimeSpan.FromDays(400) })
        {
            DateTime? latest = null;
            foreach (var occurrence in cron.GetOccurrences(now.UtcDateTime - window, now.UtcDateTime + Early, fromInclusive: true, toInclusive: true))
                latest = occurrence;
            if (latest is { } found) return new DateTimeOffset(found, TimeSpan.Zero);
        }
        return second;
    }
}
