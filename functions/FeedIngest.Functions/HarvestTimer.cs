using FeedIngest.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Functions;

/// <summary>Starts a harvest run on the <c>HarvestSchedule</c> app setting (CRON with seconds) and fans out one discover message per source.</summary>
public sealed class HarvestTimer(QueueStages stages, ILogger<HarvestTimer> logger)
{
    [Function(nameof(HarvestTimer))]
    public async Task Run([TimerTrigger("%HarvestSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue) logger.LogWarning("Harvest timer is past due; starting now");
        // The run id is the minute of the occurrence: a second invocation in the same minute enqueues nothing.
        var now = DateTimeOffset.UtcNow;
        await stages.StartScheduledRunAsync(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero), cancellationToken);
    }
}
