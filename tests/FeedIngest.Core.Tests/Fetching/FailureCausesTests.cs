using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Fetching;

public class FailureCausesTests
{
    [Theory]
    [InlineData(FailureCause.None, "none")]
    [InlineData(FailureCause.Dns, "dns")]
    [InlineData(FailureCause.ConnectionRefused, "connection-refused")]
    [InlineData(FailureCause.Tls, "tls")]
    [InlineData(FailureCause.HttpStatus, "http-status")]
    [InlineData(FailureCause.RobotsDisallowed, "robots-disallowed")]
    [InlineData(FailureCause.RobotsUnreachable, "robots-unreachable")]
    [InlineData(FailureCause.TooLarge, "too-large")]
    [InlineData(FailureCause.ContentType, "content-type")]
    [InlineData(FailureCause.AddressBlocked, "address-blocked")]
    [InlineData(FailureCause.UrlTooLong, "url-too-long")]
    [InlineData(FailureCause.OffSourceHost, "off-source-host")]
    public void NamesAreKebabCase(FailureCause cause, string name)
    {
        Assert.Equal(name, FailureCauses.Name(cause));
    }

    [Fact]
    public void EveryNameParsesBackToItsCauseAndNamesAreUnique()
    {
        var names = FailureCauses.All.Select(FailureCauses.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var cause in FailureCauses.All)
        {
            Assert.True(FailureCauses.TryParse(FailureCauses.Name(cause), out var parsed));
            Assert.Equal(cause, parsed);
        }
        Assert.True(FailureCauses.TryParse(" Connection-Refused ", out var loose));
        Assert.Equal(FailureCause.ConnectionRefused, loose);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ConnectionRefused")]
    [InlineData("disallowed")]
    public void UnknownNamesDoNotParse(string? name)
    {
        Assert.False(FailureCauses.TryParse(name, out _));
    }

    [Fact]
    public void CountsRoundTripInNameOrder()
    {
        var text = FailureCauses.FormatCounts(new Dictionary<string, int> { ["http-status"] = 2, ["dns"] = 1, ["tls"] = 0 });

        Assert.Equal("dns=1;http-status=2", text);
        Assert.Equal(new Dictionary<string, int> { ["dns"] = 1, ["http-status"] = 2 }, FailureCauses.ParseCounts(text));
    }
}
