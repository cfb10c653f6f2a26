using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FeedIngest.Core.Storage;

/// <summary>
/// Counts the storage requests this process sends, by service and resource ("table Urls", "blob articles",
/// "queue articles"), and the conflict answers among them (409 on an insert, 412 on a conditional write): what a run costs in requests, and how
/// often optimistic concurrency lost a race. One policy per service client, once per try (retries count).
/// </summary>
public sealed class StorageRequestCounter
{
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    /// <summary>The policy for one service's client ("blob", "table" or "queue").</summary>
    public HttpPipelinePolicy PolicyFor(string service) => new CountingPolicy(this, service);

    /// <summary>Requests and conflict (409/412) answers so far, by "service resource".</summary>
    public IReadOnlyDictionary<string, (long Requests, long Conflicts)> Snapshot() =>
        _tallies.ToDictionary(p => p.Key, p => (Interlocked.Read(ref p.Value.Requests), Interlocked.Read(ref p.Value.Conflicts)), StringComparer.Ordinal);

    private void Count(string service, Uri uri, int status)
    {
        var tally = _tallies.GetOrAdd($"{service} {Resource(uri)}", _ => new Tally());
        Interlocked.Increment(ref tally.Requests);
        if (status is 409 or 412) Interlocked.Increment(ref tally.Conflicts);
    }

    /// <summary>
    /// The container, table or queue a request addresses: the first path segment, after the account name on
    /// path-style endpoints (Azurite: http://127.0.0.1:10000/devstoreaccount1/…). Table paths lose their keys
    /// ("Urls(PartitionKey='…',RowKey='…')" → "Urls"); the hosts' politeness queues are "hostslots-*"; the account itself is "(account)".
    /// </summary>
    internal static string Resource(Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathStyle = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback;
        var index = pathStyle ? 1 : 0;
        if (segments.Length <= index) return "(account)";
        var name = Uri.UnescapeDataString(segments[index]);
        // One queue per host for politeness tokens: counted together.
        if (name.StartsWith(Fetching.HostSlotTokens.QueuePrefix, StringComparison.Ordinal)) return Fetching.HostSlotTokens.QueuePrefix + "*";
        var paren = name.IndexOf('(');
        return paren > 0 ? name[..paren] : name;
    }

    private sealed class Tally
    {
        public long Requests;
        public long Conflicts;
    }

    private sealed class CountingPolicy(StorageRequestCounter owner, string service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            owner.Count(service, message.Request.Uri.ToUri(), message.HasResponse ? message.Response.Status : 0);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                await ProcessNextAsync(message, pipeline);
            }
            finally
            {
                owner.Count(service, message.Request.Uri.ToUri(), message.HasResponse ? message.Response.Status : 0);
            }
        }
    }
}
