using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Fetching;

/// <summary>
/// A host's concurrency slots as tokens in a queue of the host's own: a slot is claimed by receiving a token (the queue
/// hides it from every other receiver until its visibility timeout, the slot's lease) and given back by making it
/// visible again. A receive hands a visible message to one receiver only, so instances never race for a slot: no
/// 409/412 answers however many instances wait, and a waiter's poll is one receive.
/// <para>The registry row (PartitionKey <c>slots|{host}</c>, RowKey <c>tokens</c> in the throttle table) says how many
/// tokens the host has and their generation. The first instance to meet a host issues them; a token of another
/// generation is deleted when it is met. A new generation is issued when an instance starts with another
/// <c>maxConcurrency</c> for the host, when an issue never completed (its issuer stopped half-way), and when
/// tokens are missing (the queue holds fewer messages than the host has tokens, hidden ones included).</para>
/// </summary>
public sealed partial class HostSlotTokens(QueueServiceClient queues, TableClient registry, string tableName, TimeProvider time, ILogger logger)
{
    /// <summary>Queue names of the hosts' tokens start with this (one queue per host and throttle table).</summary>
    public const string QueuePrefix = "hostslots-";
    private const string RegistryRow = "tokens";
    // An issue not marked complete after this long was abandoned by its issuer (a crash between its steps).
    private static readonly TimeSpan IssueTimeout = TimeSpan.FromSeconds(30);
    // Tokens never expire (-1): a queue message otherwise lives 7 days, and a host would lose its slots.
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);
    // How many receives one claim may make while it meets only tokens of an old generation (set aside) before it reports no slot.
    private const int MaxReceivesPerClaim = 8;

    /// <summary>The tokens of one host, for <see cref="TryTakeAsync"/> and <see cref="GiveBackAsync"/>.</summary>
    public Host For(string hostKey, string partition) => new(queues.GetQueueClient(QueueName(tableName, hostKey)), partition);

    /// <summary>The host's token queue: the prefix and a hash of table and host (queue names: lower case, ≤ 63 chars).</summary>
    public static string QueueName(string tableName, string hostKey) =>
        QueuePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tableName + "|" + hostKey.ToLowerInvariant())))[..24];

    /// <summary>
    /// Receives up to <paramref name="wanted"/> tokens of the host's current generation (one receive for several
    /// waiting requests), each hidden from every other instance for <paramref name="lease"/>; empty when every token is
    /// held. <paramref name="count"/> is this instance's <c>maxConcurrency</c> for the host, used when it issues the tokens.
    /// </summary>
    public async Task<IReadOnlyList<SlotToken>> TryTakeAsync(Host host, int count, int wanted, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (host.Generation is null) await EnsureIssuedAsync(host, count, cancellationToken);
        // Visibility timeouts are whole seconds: rounded up, so a token is never visible again before its lease ends.
        var visibility = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(lease.TotalSeconds)));
        var taken = new List<SlotToken>();
        var registryRead = false;
        for (var receives = 0; receives < MaxReceivesPerClaim && taken.Count == 0; receives++)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await host.Queue.ReceiveMessagesAsync(Math.Clamp(wanted, 1, 32) /* the most one receive returns */, visibility, cancellationToken)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
            {
                // No queue yet: another instance is issuing the tokens (wait for them), or it was deleted (issue again).
                var row = await ReadRegistryAsync(host, cancellationToken);
                if (row is not null && row.GetBoolean("Complete") != true && !Abandoned(row)) break;
                if (!await IssueAsync(host, count, row, "the host's queue was missing", cancellationToken)) break;
                continue;
            }
            if (messages.Length == 0)
            {
                await ReissueIfMissingAsync(host, count, cancellationToken);
                break;
            }
            host.EmptySince = null;
            foreach (var message in messages)
            {
                // Another instance may have issued a new generation: the registry is read again (once per claim).
                if (SlotToken.TryParse(message, out var token) && token.Generation != host.Generation && !registryRead)
                {
                    await AdoptRegistryAsync(host, cancellationToken);
                    registryRead = true;
                }
                if (token is not null && token.Generation == host.Generation)
                {
                    taken.Add(token with { Count = host.Count });
                    continue;
                }
                // A token of an old generation (or not a token): set aside for good.
                try { await host.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken); }
                catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound) { }
            }
        }
        return taken;
    }

    /// <summary>
    /// Makes the token visible to every instance again. False when it is no longer this instance's (its lease ran out
    /// and another instance received it, or it was set aside): there is nothing to give back.
    /// </summary>
    public async Task<bool> GiveBackAsync(Host host, SlotToken token, CancellationToken cancellationToken = default)
    {
        try
        {
            await host.Queue.UpdateMessageAsync(token.MessageId, token.PopReceipt, token.Text, TimeSpan.Zero, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.BadRequest)
        {
            return false; // gone, or received by another instance since its lease ran out (pop receipt mismatch)
        }
    }

    /// <summary>
    /// This process's first look at the host: adopts the registry's generation, or issues one when the host has none,
    /// when the last issue was abandoned, or when it was issued for another count (a deployment changed
    /// <c>maxConcurrency</c>; later looks adopt whatever generation they meet, so two configurations running side by
    /// side during a deployment do not keep replacing each other's).
    /// </summary>
    private async Task EnsureIssuedAsync(Host host, int count, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await ReadRegistryAsync(host, cancellationToken);
            if (row is not null && row.GetInt32("Count") == count && !Abandoned(row)) { Adopt(host, row); return; }
            var reason = row is null ? "first use of the host" : Abandoned(row) ? "the last issue was abandoned" : $"maxConcurrency is now {count} (was {row.GetInt32("Count")})";
            if (await IssueAsync(host, count, row, reason, cancellationToken)) return;
        }
        throw new RequestFailedException((int)HttpStatusCode.Conflict, $"could not issue the politeness tokens of {host.Partition}: the registry kept changing");
    }

    private bool Abandoned(TableEntity row) =>
        row.GetBoolean("Complete") != true && time.GetUtcNow() - (row.GetDateTimeOffset("IssuedUtc") ?? DateTimeOffset.MinValue) >= IssueTimeout;

    private async Task AdoptRegistryAsync(Host host, CancellationToken cancellationToken)
    {
        if (await ReadRegistryAsync(host, cancellationToken) is { } row && row.GetInt32("Count") > 0) Adopt(host, row);
    }

    private static void Adopt(Host host, TableEntity row)
    {
        host.Generation = row.GetString("Generation");
        host.Count = row.GetInt32("Count") ?? 1;
    }

    private async Task<TableEntity?> ReadRegistryAsync(Host host, CancellationToken cancellationToken)
    {
        var row = await registry.GetEntityIfExistsAsync<TableEntity>(host.Partition, RegistryRow, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// Writes a new generation to the registry (insert, or replace of <paramref name="replacing"/> with If-Match), then
    /// sends its tokens and marks it complete. False when another instance changed the registry first.
    /// </summary>
    private async Task<bool> IssueAsync(Host host, int count, TableEntity? replacing, string reason, CancellationToken cancellationToken)
    {
        var generation = Guid.NewGuid().ToString("N")[..12];
        var entity = new TableEntity(host.Partition, RegistryRow)
        {
            ["Generation"] = generation, ["Count"] = count, ["IssuedUtc"] = time.GetUtcNow(), ["Complete"] = false,
        };
        Response written;
        try
        {
            written = replacing is null
                ? await registry.AddEntityAsync(entity, cancellationToken)
                : await registry.UpdateEntityAsync(entity, replacing.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        await host.Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Task.WhenAll(Enumerable.Range(0, count).Select(index =>
            host.Queue.SendMessageAsync(SlotToken.Format(generation, index), visibilityTimeout: null, timeToLive: NeverExpires, cancellationToken)));
        entity["Complete"] = true;
        try { await registry.UpdateEntityAsync(entity, written.Headers.ETag ?? ETag.All, TableUpdateMode.Replace, cancellationToken); }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.PreconditionFailed) { } // replaced meanwhile
        host.Generation = generation;
        host.Count = count;
        host.EmptySince = null;
        LogIssued(logger, count, host.Partition, generation, reason);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued {Count} politeness slot tokens for {Host} (generation {Generation}): {Reason}")]
    private static partial void LogIssued(ILogger logger, int count, string host, string generation, string reason);

    /// <summary>
    /// No token was visible. When none has been for a lease (a crashed holder's token would have come back) and the
    /// queue holds fewer messages than the host has tokens, hidden ones included (the count is never lower than the
    /// real one), some were lost (deleted by hand, the queue cleared): a new generation is issued. One count per lease
    /// of waiting.
    /// </summary>
    private async Task ReissueIfMissingAsync(Host host, int count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        host.EmptySince ??= now;
        if (now - host.EmptySince < host.MissingAfter) return;
        host.EmptySince = now;
        var properties = await host.Queue.GetPropertiesAsync(cancellationToken);
        if (properties.Value.ApproximateMessagesCount >= host.Count) return;
        await IssueAsync(host, count, await ReadRegistryAsync(host, cancellationToken),
            $"the queue held {properties.Value.ApproximateMessagesCount} of {host.Count} tokens", cancellationToken);
    }

    /// <summary>One host's queue and what this process knows of its tokens (used under the throttle's claim gate).</summary>
    public sealed class Host(QueueClient queue, string partition)
    {
        public QueueClient Queue { get; } = queue;
        public string Partition { get; } = partition;
        public string? Generation { get; set; }
        public int Count { get; set; } = 1;
        /// <summary>Since when no token has been visible to this process (null: one was, at the last receive).</summary>
        public DateTimeOffset? EmptySince { get; set; }
        /// <summary>How long no token may be visible before the queue's messages are counted (set by the throttle: a lease).</summary>
        public TimeSpan MissingAfter { get; set; } = TimeSpan.FromMinutes(3);
    }
}

/// <summary>A received token: slot <see cref="Index"/> of <see cref="Count"/> of a host, held until given back or its lease ends.</summary>
public sealed record SlotToken(string Generation, int Index, string MessageId, string PopReceipt, string Text)
{
    /// <summary>How many tokens the host has (its generation's count).</summary>
    public int Count { get; init; } = 1;

    internal static string Format(string generation, int index) => string.Create(CultureInfo.InvariantCulture, $"{generation}:{index}");

    internal static bool TryParse(QueueMessage message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SlotToken? token)
    {
        token = null;
        var text = message.MessageText ?? "";
        var colon = text.IndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return false;
        token = new SlotToken(text[..colon], index, message.MessageId, message.PopReceipt, text);
        return true;
    }
}
