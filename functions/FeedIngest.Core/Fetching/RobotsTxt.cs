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

    private readonly IReadOnlyList<Rule> _rules;

    private RobotsTxt(IReadOnlyList<Rule> rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
    }

    public TimeSpan? CrawlDelay { get; }
    public IReadOnlyList<string> Sitemaps { get; }

    public bool IsAllowed(Uri url)
    {
        var path = url.PathAndQuery;
        if (path == "/robots.txt") return true;
        Rule? best = null;
        foreach (var rule in _rules)
        {
            if (!rule.Matches(path)) continue;
            if (best is null || rule.Pattern.Length > best.Pattern.Length || (rule.Pattern.Length == best.Pattern.Length && rule.Allow))
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

    private sealed record Rule(string Pattern, bool Allow)
    {
        public bool Matches(string path) => Match(Pattern, 0, path, 0);

        // Patterns are short; a small backtracking matcher over '*' and a trailing '$' is enough.
        private static bool Match(string pattern, int pi, string path, int si)
        {
            while (pi < pattern.Length)
            {
                var c = pattern[pi];
                if (c == '*')
                {
                    for (var k = si; k <= path.Length; k++)
                        if (Match(pattern, pi + 1, path, k)) return true;
                    return false;
                }
                if (c == '$' && pi == pattern.Length - 1) return si == path.Length;
                if (si >= path.Length || !CharEquals(c, path[si])) return false;
                pi++;
                si++;
            }
            return true; // prefix match
        }

        private static bool CharEquals(char a, char b) => a == b;
    }
}
