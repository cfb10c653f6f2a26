using System.Globalization;
using System.Text.Json;

namespace FeedIngest.Cli.Bench;

/// <summary>
/// A V8 CPU profile of a benchmark's Azurite over exactly the harvest (<c>bench harvest --profile-azurite DIR</c>): a script
/// node loads before Azurite starts and stops the profiler when files named <c>{prefix}.start</c> and <c>{prefix}.stop</c>
/// appear, and writes <c>{prefix}.cpuprofile</c> (Chrome DevTools or speedscope open it). <see cref="Summarize"/> says
/// which of Azurite's storage operations the CPU went to: the emulator, not our process, bounds a harvest here.
/// </summary>
internal sealed class AzuriteCpuProfile(string prefix)
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    public string ProfilePath => prefix + ".cpuprofile";

    /// <summary>The script node is to load (<c>--require</c>), written beside the profile.</summary>
    public string WriteScript()
    {
        var file = prefix + ".profiler.js";
        File.WriteAllText(file, $$"""
            const fs = require("fs");
            const inspector = require("inspector");
            const prefix = {{JsonSerializer.Serialize(prefix)}};
            const session = new inspector.Session();
            session.connect();
            let state = "waiting";
            const timer = setInterval(() => {
              if (state === "waiting" && fs.existsSync(prefix + ".start")) {
                state = "profiling";
                session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 1000 }, () =>
                  session.post("Profiler.start", () => fs.writeFileSync(prefix + ".started", ""))));
              } else if (state === "profiling" && fs.existsSync(prefix + ".stop")) {
                state = "stopped";
                clearInterval(timer);
                session.post("Profiler.stop", (error, result) => {
                  if (!error) fs.writeFileSync(prefix + ".cpuprofile", JSON.stringify(result.profile));
                  fs.writeFileSync(prefix + ".written", error ? String(error) : "");
                });
              }
            }, 100);
            timer.unref();
            """);
        return file;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        File.WriteAllText(prefix + ".start", "");
        return WaitForAsync(prefix + ".started", "start profiling", cancellationToken);
    }

    /// <summary>Stops the profiler and waits for the profile; the control files are removed.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        File.WriteAllText(prefix + ".stop", "");
        await WaitForAsync(prefix + ".written", "write its CPU profile", cancellationToken);
        var error = await File.ReadAllTextAsync(prefix + ".written", cancellationToken);
        foreach (var marker in new[] { ".start", ".started", ".stop", ".written", ".profiler.js" }) File.Delete(prefix + marker);
        if (error.Length > 0) throw new InvalidOperationException($"Azurite's CPU profiler failed: {error}");
    }

    private static async Task WaitForAsync(string file, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!File.Exists(file))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Azurite did not {what} within {Guard.TotalMinutes:0} minutes");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// Azurite's busy CPU by operation, largest first: each sample goes to the innermost frame of Azurite's persistence
    /// layer on its stack ("LokiTableMetadataStore.insertTableEntity": where the emulator's cost grows with what it
    /// holds), else to the innermost request handler, else to Azurite's request pipeline (parsing, routing, serialization),
    /// lokijs saving its database to disk, the garbage collector, or "(other)": node's HTTP and timers. Idle samples are left out.
    /// </summary>
    public static IReadOnlyList<(string Operation, double Share)> Summarize(string profilePath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(profilePath));
        var root = document.RootElement;
        var frames = new Dictionary<int, (string Function, string Url, int Parent)>();
        var parents = new Dictionary<int, int>();
        foreach (var node in root.GetProperty("nodes").EnumerateArray())
        {
            var id = node.GetProperty("id").GetInt32();
            if (node.TryGetProperty("children", out var children))
                foreach (var child in children.EnumerateArray()) parents[child.GetInt32()] = id;
        }
        foreach (var node in root.GetProperty("nodes").EnumerateArray())
        {
            var id = node.GetProperty("id").GetInt32();
            var call = node.GetProperty("callFrame");
            frames[id] = (call.GetProperty("functionName").GetString() ?? "", call.GetProperty("url").GetString() ?? "", parents.GetValueOrDefault(id));
        }
        var byLeaf = new Dictionary<int, long>();
        var samples = root.GetProperty("samples").EnumerateArray().Select(s => s.GetInt32()).ToList();
        var deltas = root.GetProperty("timeDeltas").EnumerateArray().Select(d => d.GetInt64()).ToList();
        for (var i = 0; i < samples.Count && i < deltas.Count; i++) byLeaf[samples[i]] = byLeaf.GetValueOrDefault(samples[i]) + Math.Max(0, deltas[i]);

        var byOperation = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (leaf, time) in byLeaf)
        {
            var operation = Operation(leaf, frames);
            if (operation is null) continue;
            byOperation[operation] = byOperation.GetValueOrDefault(operation) + time;
        }
        var busy = Math.Max(1, byOperation.Values.Sum());
        return byOperation.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value / (double)busy)).ToList();
    }

    private static string? Operation(int leaf, Dictionary<int, (string Function, string Url, int Parent)> frames)
    {
        var leafFunction = frames[leaf].Function;
        if (leafFunction == "(idle)") return null;
        if (leafFunction == "(garbage collector)") return leafFunction;
        string? handler = null;
        var inAzurite = false;
        for (var id = leaf; id != 0 && frames.TryGetValue(id, out var frame); id = frame.Parent)
        {
            if (frame.Url.Contains("/lokijs/", StringComparison.Ordinal) && frame.Function is "saveDatabase" or "autosaveHandleInterval") return "(lokijs saving to disk)";
            if (!frame.Url.Contains("/azurite/dist/src/", StringComparison.Ordinal) || frame.Function.Length == 0) continue;
            inAzurite = true;
            if (frame.Url.Contains("/persistence/", StringComparison.Ordinal)) return Name(frame);
            if (handler is null && frame.Url.Contains("/handlers/", StringComparison.Ordinal)) handler = Name(frame);
        }
        return handler ?? (inAzurite ? "(request parsing, routing, serialization)" : "(other: node, HTTP, timers)");

        static string Name((string Function, string Url, int Parent) frame) =>
            Path.GetFileNameWithoutExtension(frame.Url) + "." + frame.Function;
    }

    /// <summary>"a 31.8%, b 8.4%, …": the <paramref name="top"/> largest shares.</summary>
    public static string Format(IReadOnlyList<(string Operation, double Share)> shares, int top) =>
        string.Join(", ", shares.Take(top).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Operation} {s.Share * 100:F1}%")));
}
