using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

/// <summary>
/// The article-events message of a row's version, sent once: the row is the outbox (<c>EventVersion</c>,
/// <c>EventClaimedUntil</c>). A delivery first claims the send on the row (ETag) so racing deliveries send one message;
/// a claim left by a crashed delivery expires and the next delivery sends it (at least once, exactly once without crashes).
/// </summary>
public sealed class ArticleEventOutbox(TableServiceClient tables, ArticleRows rows, ArticleEventPublisher events)
{
    private readonly TableClient _articles = tables.GetTableClient(StorageNames.ArticlesTable);
    // How long one delivery owns the sending of an event (far longer than a send takes), and how long another
    // delivery waits on it: longer than the claim, so a claim left by a delivery that died is taken over, not waited out by retries.
    private static readonly TimeSpan EventClaimDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EventClaimWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Puts this delivery's claim on a row about to be written (inserted, or replaced with its ETag): the row's own write
    /// is then the claim, one request less than claiming after it. Pass <c>claimedByWrite: true</c> to
    /// <see cref="PublishPendingAsync"/> once that write succeeded.
    /// </summary>
    public static void ClaimWithWrite(ArticleEntity row) => row.EventClaimedUntil = DateTimeOffset.UtcNow + EventClaimDuration;

    /// <summary>Sends the event for the row's version unless it went out already.</summary>
    public async Task PublishPendingAsync(ArticleEntity row, CancellationToken cancellationToken, SaveChange? change = null, bool claimedByWrite = false)
    {
        var waitUntil = DateTimeOffset.UtcNow + EventClaimWait;
        while (true)
        {
            if (row.Status != ArticleStatus.Stored || row.EventVersion >= row.Version || row.JsonBlob is null) return;
            var now = DateTimeOffset.UtcNow;
            // This delivery's own row write carried the claim (first pass only): send without claiming again.
            var ownClaim = claimedByWrite && row.EventClaimedUntil > now;
            claimedByWrite = false;
            if (!ownClaim && row.EventClaimedUntil > now)
            {
                // Another delivery is sending it: wait until it has, or until its claim expires and this one sends it.
                // Returning as if it were sent would lose the event when the other delivery died mid-send.
                if (now > waitUntil)
                    throw new InvalidOperationException($"The article-events message for {row.PartitionKey}/{row.RowKey} v{row.Version} is claimed by another delivery until {row.EventClaimedUntil:O}; retry later.");
                await Task.Delay(200, cancellationToken);
                row = await rows.GetAsync(row.PartitionKey, row.RowKey, cancellationToken) ?? row;
                continue;
            }
            if (!ownClaim)
            {
                row.EventClaimedUntil = now + EventClaimDuration;
                try
                {
                    var claimed = await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                    row.ETag = claimed.Headers.ETag ?? row.ETag;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    row = await rows.GetAsync(row.PartitionKey, row.RowKey, cancellationToken) ?? row; // another delivery claimed it: see how it ends
                    continue;
                }
            }
            var kind = change switch
            {
                SaveChange.Reprocessed => ArticleChange.Reprocessed,
                SaveChange.Updated => ArticleChange.Updated,
                SaveChange.Created => ArticleChange.Created,
                _ => row.Version <= 1 ? ArticleChange.Created : ArticleChange.Updated,
            };
            try
            {
                await events.PublishAsync(new ArticleEvent(row.RowKey, row.PartitionKey, row.Url ?? "", row.JsonBlob, row.Version, row.ContentHash ?? "", kind)
                {
                    SchemaVersion = row.SchemaVersion > 0 ? row.SchemaVersion : 1,
                    ClusterId = row.ClusterId,
                    Attachments = row.AttachmentCount,
                }, cancellationToken);
            }
            catch (Exception)
            {
                // Give the claim back so the redelivery sends at once; if the table is unreachable too, the claim expires.
                row.EventClaimedUntil = null;
                try { await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, CancellationToken.None); }
                catch (Exception) { }
                throw;
            }
            row.EventVersion = row.Version;
            row.EventClaimedUntil = null;
            try
            {
                await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // The row moved on (a newer version); its own delivery sends its own event.
            }
            return;
        }
    }
}
