using System.Globalization;

namespace FeedIngest.Core.Fetching;

/// <summary>
/// A parsed robots.txt (RFC 9309): the group for our product token, else the "*" group; the longest matching
/// Allow/Disallow rule wins (Allow on a tie); "*" and "$" wildcards; Crawl-delay and Sitemap lines.
/// </summary>
public sealed class RobotsTxt
{
    public static readonly RobotsTxt AllowAll = new([], null, []);
    /// <summary>RFC 9309 §2.3.1.4: an unreachable robots.txt means the whole host is disallowed for now.</summary>
    public static readonly RobotsTxt DisallowAll = new([new Rule("/", false)], null, []);

    /// <summary>
    /// robots.txt could not be read (5xx, or the host did not answer): every URL of the host is off limits until it
    /// is asked again, and fetches fail with this cause instead of reading as "disallowed".
    /// </summary>
    public static RobotsTxt Unreachable(FailureCause cause, string reason) =>
        new([new Rule("/", false)], null, []) { UnreachableCause = cause, UnreachableReason = reason };

    /// <summary>Set when robots.txt was unreachable: the host's own failure (DNS, connection refused, TLS, timeout, address blocked) or <see cref="FailureCause.RobotsUnreachable"/>.</summary>
    public FailureCause? UnreachableCause { get; private init; }
    public string? UnreachableReason { get; private init; }

    private readonly IReadOnlyList<Rule> _rules;

    private RobotsTxt(IReadOnlyList<Rule> rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
    }

    public TimeSpan? CrawlDelay { get; }
    public IReadOnlyList<string> Sitemaps { get; }

    public bool IsAllowed(Uri url) => IsAllowed(url, out _);

    /// <summary>As <see cref="IsAllowed(Uri)"/>, counting the character comparisons made (linear in path and rules).</summary>
    internal bool IsAllowed(Uri url, out long steps)
    {
        steps = 0;
        var path = url.PathAndQuery;
        if (path == "/robots.txt") return true;
        Rule? best = null;
        foreach (var rule in _rules)
        {
            if (!rule.Pattern.Matches(path, ref steps)) continue;
            if (best is null || rule.Length > best.Length || (rule.Length == best.Length && rule.Allow))
                best = rule;
        }
        return best?.Allow ?? true;
    }

    public static RobotsTxt Parse(string text, string productToken)
    {
        var token = productToken.Split('/')[0].Trim().ToLowerInvariant();
        var sitemaps = new List<string>();
        var groups = new List<(List<string> Agents, List<Rule> Rules, TimeSpan? Delay)>();
        (List<string> Agents, List<Rule> Rules, TimeSpan? Delay)? current = null;
        var lastWasAgent = false;

        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var key = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "user-agent":
                    if (!lastWasAgent || current is null)
                    {
                        current = ([], [], null);
                        groups.Add(current.Value);
                    }
                    current.Value.Agents.Add(value.ToLowerInvariant());
                    lastWasAgent = true;
                    continue;
                case "allow" or "disallow" when current is not null:
                    // "Disallow:" with no path allows everything: it adds no rule.
                    if (value.Length > 0) current.Value.Rules.Add(new Rule(value, key == "allow"));
                    break;
                case "crawl-delay" when current is not null:
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                    {
                        var index = groups.IndexOf(current.Value);
                        current = (current.Value.Agents, current.Value.Rules, TimeSpan.FromSeconds(seconds));
                        groups[index] = current.Value;
                    }
                    break;
                case "sitemap":
                    if (Uri.TryCreate(value, UriKind.Absolute, out _)) sitemaps.Add(value);
                    break;
            }
            lastWasAgent = false;
        }

        var mine = groups.Where(g => g.Agents.Any(a => a != "*" && token.StartsWith(a, StringComparison.Ordinal) || a == token)).ToList();
        if (mine.Count == 0) mine = groups.Where(g => g.Agents.Contains("*")).ToList();
        var rules = mine.SelectMany(g => g.Rules).ToList();
        var delay = mine.Select(g => g.Delay).FirstOrDefault(d => d is not null);
        return new RobotsTxt(rules, delay, sitemaps);
    }

    /// <summary>One Allow/Disallow line, its pattern compiled once.</summary>
    private sealed class Rule(string pattern, bool allow)
    {
        public RobotsPattern Pattern { get; } = new(pattern);
        public int Length { get; } = pattern.Length;
        public bool Allow { get; } = allow;
    }
}
