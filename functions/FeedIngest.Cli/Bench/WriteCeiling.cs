using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace FeedIngest.Cli.Bench;

/// <summary>
/// What this Azurite takes at most, measured beside the harvest: blob uploads and table upserts, 16 in flight, with
/// payloads of an article's size. An article costs at least 3 blobs (text, JSON, raw page) and 1 row, so the
/// ceiling in articles per second is 1 / (3 / blobs per second + 1 / upserts per second).
/// </summary>
internal static class WriteCeiling
{
    public const int InFlight = 16;

    public sealed record Result(double BlobsPerSecond, double UpsertsPerSecond)
    {
        public double ArticlesPerSecond => 1 / (3 / BlobsPerSecond + 1 / UpsertsPerSecond);
    }

    public static async Task<Result> MeasureAsync(string connectionString, int operations, int payloadBytes, CancellationToken cancellationToken)
    {
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("bench-ceiling");
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var table = new TableServiceClient(connectionString).GetTableClient("BenchCeiling");
        await table.CreateIfNotExistsAsync(cancellationToken);
        var payload = BinaryData.FromBytes(new byte[payloadBytes]);
        var text = new string('x', 1000);

        var blobs = await TimeAsync(operations, i => container.GetBlobClient($"b/{i}").UploadAsync(payload, overwrite: true, cancellationToken), cancellationToken);
        var rows = await TimeAsync(operations, i => table.UpsertEntityAsync(new TableEntity("p" + (i % 64), i.ToString(System.Globalization.CultureInfo.InvariantCulture)) { ["Text"] = text },
            TableUpdateMode.Replace, cancellationToken), cancellationToken);
        await container.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await table.DeleteAsync(cancellationToken);
        return new Result(operations / blobs.TotalSeconds, operations / rows.TotalSeconds);
    }

    private static async Task<TimeSpan> TimeAsync(int operations, Func<int, Task> operation, CancellationToken cancellationToken)
    {
        // A short warm-up (connections, JIT) outside the measure.
        await Parallel.ForEachAsync(Enumerable.Range(-InFlight, InFlight), new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken },
            async (i, _) => await operation(i));
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, operations), new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken },
            async (i, _) => await operation(i));
        return stopwatch.Elapsed;
    }
}
