using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Tests.Sources;

public class SourceRegistryValidationTests
{
    private const string ValidSource = """
        { "id": "phuong-mau", "name": "Phường mẫu", "baseUrl": "https://mau.hanoi.gov.vn/", "feeds": ["https://mau.hanoi.gov.vn/rss"] }
        """;

    [Fact]
    public void ValidRegistryLoadsWithDefaultsFilledIn()
    {
        var registry = SourceRegistryLoader.Parse($$"""{ "sources": [ {{ValidSource}} ] }""");

        var source = Assert.Single(registry.Sources);
        Assert.Equal("phuong-mau", source.Id);
        Assert.True(source.Enabled);
        Assert.Equal(1000, source.Politeness.MinDelayMs);
        Assert.Equal(["mau.hanoi.gov.vn"], source.AllHosts());
    }

    [Fact]
    public void EveryProblemIsReportedWithItsJsonPath()
    {
        const string json = """
            {
              "sources": [
                { "id": "ok", "name": "Ok", "baseUrl": "https://ok.example/", "feeds": ["https://ok.example/rss"] },
                { "id": "ok", "name": "Twice", "baseUrl": "https://b.example/", "feeds": ["https://b.example/rss"] },
                { "id": "Có dấu", "baseUrl": "ok.example/no-scheme", "feeds": ["/rss"], "hosts": ["https://x.example"],
                  "listings": [ { "url": "https://c.example/tin", "maxPages": 1000, "nextPageSelector": "a[", "pageUrlTemplate": "https://c.example/tin" } ],
                  "articleUrlPattern": "(unclosed", "politeness": { "minDelayMs": -1, "maxConcurency": 2 },
                  "extraction": { "contentSelector": "div..x" } }
              ]
            }
            """;

        var problems = SourceRegistryValidator.Validate(json);

        // Every problem once, with its path; sorted by path (source by source).
        Assert.Equal(
        new[]
        {
            "$.sources[1].id: duplicate id \"ok\" (first used at $.sources[0])",
            "$.sources[2].id: \"Có dấu\" must be 1-63 lower-case letters, digits or '-' (it becomes a blob prefix and PartitionKey)",
            "$.sources[2].name: required",
            "$.sources[2].baseUrl: not an absolute http(s) URL: \"ok.example/no-scheme\"",
            "$.sources[2].feeds[0]: not an absolute http(s) URL: \"/rss\"",
            "$.sources[2].hosts[0]: \"https://x.example\" is not a host name (no scheme, path or port)",
            "$.sources[2].articleUrlPattern: not a valid regular expression: Invalid pattern '(unclosed' at offset 9. Not enough )'s.",
            "$.sources[2].listings[0].nextPageSelector: not a valid CSS selector: \"a[\"",
            "$.sources[2].listings[0].pageUrlTemplate: must contain the placeholder {page}",
            "$.sources[2].listings[0].maxPages: 1000 is outside 1..100",
            "$.sources[2].politeness.maxConcurency: unknown property (known: minDelayMs, maxConcurrency, obeyRobotsTxt)",
            "$.sources[2].politeness.minDelayMs: -1 is outside 0..600000",
            "$.sources[2].extraction.contentSelector: not a valid CSS selector: \"div..x\"",
        }.Order(StringComparer.Ordinal), problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void InvalidRegistryIsRefusedWithAnExceptionListingTheProblems()
    {
        var ex = Assert.Throws<SourceRegistryValidationException>(() =>
            SourceRegistryLoader.Parse("""{ "sources": [ { "id": "x", "name": "X", "baseUrl": "ftp://x.example/" } ] }""", "test.json"));

        Assert.Equal("test.json", ex.Location);
        Assert.Equal(
        [
            "$.sources[0]: no discovery channel (give feeds, listings or sitemaps, or set discoverFeeds / useRobotsSitemaps)",
            "$.sources[0].baseUrl: not an absolute http(s) URL: \"ftp://x.example/\"",
        ], ex.Problems);
        Assert.Contains("$.sources[0].baseUrl", ex.Message);
    }

    [Theory]
    [InlineData("", "$: not valid JSON")]
    [InlineData("[1,2]", "$: must be an object with a \"sources\" array")]
    [InlineData("{}", "$.sources: required")]
    [InlineData("{ \"sources\": [] }", "$.sources: must list at least one source")]
    [InlineData("{ \"sources\": [ 5 ] }", "$.sources[0]: must be an object")]
    [InlineData("{ \"sources\": [], \"extra\": 1 }", "$.extra: unknown property")]
    public void StructuralProblemsAreReportedAtTheirPath(string json, string expectedStart)
    {
        var problems = SourceRegistryValidator.Validate(json);

        Assert.Contains(problems, p => p.StartsWith(expectedStart, StringComparison.Ordinal));
    }

    [Fact]
    public void WrongTypesAreReportedInsteadOfFailingDeserialization()
    {
        var problems = SourceRegistryValidator.Validate("""
            { "sources": [ { "id": 7, "name": "X", "baseUrl": "https://x.example/", "enabled": "yes", "feeds": "https://x.example/rss",
                             "listings": {}, "politeness": { "maxConcurrency": 1.5 } } ] }
            """);

        Assert.Contains("$.sources[0].id: must be a string", problems);
        Assert.Contains("$.sources[0].enabled: must be true or false", problems);
        Assert.Contains("$.sources[0].feeds: must be an array", problems);
        Assert.Contains("$.sources[0].listings: must be an array", problems);
        Assert.Contains("$.sources[0].politeness.maxConcurrency: must be a whole number", problems);
    }

    [Theory]
    [InlineData("sources.json")]
    [InlineData("sources.hanoi.json")]
    public void ShippedRegistriesAreValid(string fileName)
    {
        var path = Path.Combine(RepoRoot(), fileName);

        var problems = SourceRegistryValidator.Validate(File.ReadAllText(path));

        Assert.Empty(problems);
    }

    [Fact]
    public void HanoiRegistryCoversTheSeedDistrictsAndTheCityPapers()
    {
        var registry = SourceRegistryLoader.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "sources.hanoi.json")));

        var districts = registry.Sources.Select(s => s.District).ToHashSet();
        foreach (var district in new[] { "Hai Bà Trưng", "Đống Đa", "Hoàn Kiếm", "Ba Đình" }) Assert.Contains(district, districts);
        Assert.Contains(registry.Sources, s => s.AllHosts().Contains("hanoimoi.vn"));
        Assert.Contains(registry.Sources, s => s.AllHosts().Contains("kinhtedothi.vn"));
        // Written offline: nothing may claim to be verified.
        Assert.All(registry.Sources, s => Assert.False(s.Verified));
    }

    [Fact]
    public void TheShippedSchemaDecidesWhichPropertiesExist()
    {
        // The validator has no property lists of its own: the schema's are the ones reported.
        using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "sources.schema.json")));
        var known = schema.RootElement.GetProperty("$defs").GetProperty("listing").GetProperty("properties").EnumerateObject().Select(p => p.Name);

        var problems = SourceRegistryValidator.Validate("""
            { "sources": [ { "id": "x", "name": "X", "baseUrl": "https://x.example/", "listings": [ { "url": "https://x.example/tin", "maxPage": 3 } ] } ] }
            """);

        Assert.Equal([$"$.sources[0].listings[0].maxPage: unknown property (known: {string.Join(", ", known)})"], problems);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FeedIngest.sln"))) return dir.FullName;
        throw new InvalidOperationException("FeedIngest.sln not found");
    }
}
