namespace FeedIngest.Cli.Bench;

/// <summary>
/// Samples a worker's CPU and its finished-article count, so <c>bench harvest</c> can tell the cost of an article
/// from the cost of a process: a worker compiles its hot code (tier 0, then tier 1) during its first seconds,
/// a fixed cost every process pays once. The CPU spent on the second half of its articles is the warm cost.
/// </summary>
internal sealed class SecondHalfCpu : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(200);
    private const int MaxSamples = 10_000;
    private readonly Func<int> _articlesDone;
    private readonly List<(int Done, double CpuMs)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public SecondHalfCpu(Func<int> articlesDone)
    {
        _articlesDone = articlesDone;
        _sampling = SampleAsync();
    }

    /// <summary>CPU milliseconds spent and articles finished after the worker's first half of articles (zeros with under 2 articles, or when they all finished between two samples).</summary>
    public async Task<(double CpuMs, int Articles)> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        if (_samples.Count == 0) return (0, 0);
        var (done, cpu) = _samples[^1];
        var half = _samples.FirstOrDefault(s => s.Done >= done / 2.0 && s.Done > 0);
        return done < 2 || half.Done >= done ? (0, 0) : (cpu - half.CpuMs, done - half.Done);
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            do Sample();
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException) { }
    }

    // Never concurrent: the sampling loop has ended before StopAsync samples the last time. A long run keeps every
    // other sample when the list is full: bounded memory, coarser steps.
    private void Sample()
    {
        var done = _articlesDone();
        // getrusage (microseconds), not /proc's 10 ms ticks: the second half of a small run can take less than a tick.
        var cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        if (_samples.Count >= MaxSamples)
        {
            var kept = _samples.Where((_, i) => i % 2 == 0).ToList();
            _samples.Clear();
            _samples.AddRange(kept);
        }
        _samples.Add((done, cpu));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
