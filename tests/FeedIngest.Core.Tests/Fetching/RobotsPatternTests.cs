using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Fetching;

/// <summary>The robots.txt matcher is linear: hostile patterns cost their length, not 2^wildcards.</summary>
public class RobotsPatternTests
{
    [Theory]
    [InlineData("/private/", "/private/x", true)]
    [InlineData("/private/", "/privat", false)]
    [InlineData("/*.pdf$", "/files/a.pdf", true)]
    [InlineData("/*.pdf$", "/files/a.pdf?x=1", false)]
    [InlineData("/*/tin-*/*.html", "/vn/tin-tuc/bai.html", true)]
    [InlineData("/*/tin-*/*.html", "/vn/tin-tuc/bai.htm", false)]
    [InlineData("/a*b*a$", "/abba", true)]
    [InlineData("/a*b*a$", "/abb", false)]
    [InlineData("/a*aab", "/aaaaab", true)]
    [InlineData("/index.html$", "/index.html", true)]
    [InlineData("/index.html$", "/index.html5", false)]
    [InlineData("*", "/anything", true)]
    [InlineData("/$", "/", true)]
    [InlineData("/$", "/x", false)]
    public void MatchesLikeRfc9309(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, new RobotsPattern(pattern).Matches(path));
    }

    [Fact]
    public async Task HostilePatternIsMatchedInStepsLinearInItsInput()
    {
        // 40 wildcards against 20,000 'a's that never end in 'b': a backtracking matcher needs ~C(20000, 40) steps.
        var pattern = "/" + string.Concat(Enumerable.Repeat("*a", 40)) + "*b";
        var robots = RobotsTxt.Parse($"User-agent: *\nDisallow: {pattern}\nAllow: /\n", "FeedIngest/1.0");
        var url = new Uri("https://portal.example/" + new string('a', 20_000));

        // A hang guard, not a timer: the step count below is the measure.
        var (allowed, steps) = await Task.Run(() => (robots.IsAllowed(url, out var s), s)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(allowed);
        var inputLength = url.PathAndQuery.Length + pattern.Length + 2;
        Assert.True(steps <= 3L * inputLength, $"{steps} steps for {inputLength} characters of input");
    }

    [Fact]
    public void StepsGrowLinearlyWithThePath()
    {
        var pattern = new RobotsPattern("/" + string.Concat(Enumerable.Repeat("*ab", 20)) + "*c");
        long Steps(int n)
        {
            long steps = 0;
            pattern.Matches("/" + string.Concat(Enumerable.Repeat("ab", n)), ref steps);
            return steps;
        }

        var small = Steps(1_000);
        var large = Steps(10_000);

        // Ten times the path, about ten times the work (never the square).
        Assert.InRange(large, 5 * small, 15 * small);
    }
}
