namespace FeedIngest.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition with a generous guard: the guard catches hangs, it never measures speed.</summary>
public static class Poll
{
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(4);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? guard = null, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + (guard ?? Guard);
        Exception? last = null;
        T value = default!;
        while (true)
        {
            try
            {
                value = await probe();
                if (done(value)) return value;
                last = null;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                last = e;
            }
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"Still waiting for {what} after {(guard ?? Guard).TotalSeconds:0} s (last value: {Describe(value)}; last error: {last?.Message ?? "none"})"
                    + (diagnostics is null ? "" : Environment.NewLine + diagnostics()));
            await Task.Delay(500);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> probe, string what, TimeSpan? guard = null, Func<string>? diagnostics = null) =>
        UntilAsync(probe, ok => ok, what, guard, diagnostics);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable list and not string => $"[{string.Join(", ", list.Cast<object?>().Take(20))}]",
        _ => value.ToString() ?? "",
    };
}
