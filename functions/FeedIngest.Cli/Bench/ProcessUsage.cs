using System.Globalization;

namespace FeedIngest.Cli.Bench;

/// <summary>CPU time and peak memory of a process, read from /proc (Linux): what a worker or Azurite spent.</summary>
internal static class ProcessUsage
{
    /// <summary>User + system CPU milliseconds of <paramref name="pid"/> (fields 14 and 15 of /proc/PID/stat), null off Linux.</summary>
    public static double? CpuMilliseconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks * 1000.0 / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Peak resident memory in MB (VmHWM of /proc/PID/status), null off Linux.</summary>
    public static double? PeakMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) return null;
            var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kb / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    // USER_HZ: 100 on every Linux the CLI runs on (getconf CLK_TCK).
    private const double ClockTicksPerSecond = 100;
}
