namespace FeedIngest.Core.Fetching;

/// <summary>
/// A robots.txt path pattern (RFC 9309 §2.2.3: <c>*</c> matches any sequence, a final <c>$</c> anchors the end,
/// otherwise a prefix match), compiled once into its literal segments with KMP tables. Matching runs in time
/// linear in path and pattern: each segment is searched leftmost-first from where the previous one ended (for
/// <c>*</c>-only patterns the leftmost match is never wrong), so no character of the path is scanned twice — a
/// hostile "/*a*a*a…*b" costs what its length costs, where backtracking is exponential in the wildcards.
/// </summary>
internal sealed class RobotsPattern
{
    private readonly string[] _segments;
    private readonly int[][] _failure;
    private readonly bool _anchored;

    public RobotsPattern(string pattern)
    {
        _anchored = pattern.EndsWith('$');
        var body = _anchored ? pattern[..^1] : pattern;
        _segments = body.Split('*');
        _failure = _segments.Select(Failure).ToArray();
    }

    public bool Matches(string path)
    {
        long steps = 0;
        return Matches(path, ref steps);
    }

    public bool Matches(string path, ref long steps)
    {
        var first = _segments[0];
        if (_segments.Length == 1)
        {
            // No wildcard: a prefix, or with '$' the whole path.
            steps += first.Length;
            return _anchored ? path == first : path.StartsWith(first, StringComparison.Ordinal);
        }
        steps += first.Length;
        if (!path.StartsWith(first, StringComparison.Ordinal)) return false;
        var position = first.Length;
        var last = _segments.Length - 1;
        for (var i = 1; i < last; i++)
        {
            var end = Find(path, position, i, ref steps);
            if (end < 0) return false;
            position = end;
        }
        var tail = _segments[last];
        if (_anchored)
        {
            // The last segment must end the path, after everything matched so far.
            steps += tail.Length;
            return path.Length - tail.Length >= position && path.EndsWith(tail, StringComparison.Ordinal);
        }
        return Find(path, position, last, ref steps) >= 0;
    }

    /// <summary>KMP search of segment <paramref name="index"/> in path from <paramref name="start"/>; the index after the match, or -1.</summary>
    private int Find(string path, int start, int index, ref long steps)
    {
        var segment = _segments[index];
        if (segment.Length == 0) return start;
        var failure = _failure[index];
        var matched = 0;
        for (var i = start; i < path.Length; i++)
        {
            while (matched > 0 && path[i] != segment[matched])
            {
                matched = failure[matched - 1];
                steps++;
            }
            steps++;
            if (path[i] == segment[matched]) matched++;
            if (matched == segment.Length) return i + 1;
        }
        return -1;
    }

    private static int[] Failure(string segment)
    {
        var table = new int[segment.Length];
        var k = 0;
        for (var i = 1; i < segment.Length; i++)
        {
            while (k > 0 && segment[i] != segment[k]) k = table[k - 1];
            if (segment[i] == segment[k]) k++;
            table[i] = k;
        }
        return table;
    }
}
