using System.Net;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Tests.Fetching;

/// <summary>Which addresses a fetch may connect to (the socket-level SSRF guard; tested end-to-end in FailureCauseTests).</summary>
public class AddressGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:c0a8:0101::1")]
    public void PrivateLoopbackLinkLocalMetadataAndMappedAddressesAreRefusedByDefault(string address)
    {
        Assert.False(AddressGuard.PublicOnly.IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("203.113.131.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddressesAreAllowed(string address)
    {
        Assert.True(AddressGuard.PublicOnly.IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void AllowListOpensExactlyItsNetworks()
    {
        Assert.True(AddressGuard.TryParseNetworks("127.0.0.1/32, 10.1.0.0/16", out var networks, out _));
        var guard = new AddressGuard(networks);

        Assert.True(guard.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("10.1.200.3")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.2.0.1")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("::1")));
    }

    [Fact]
    public void MetadataAddressStaysBlockedUnderABroaderAllowance()
    {
        Assert.True(AddressGuard.TryParseNetworks("169.254.0.0/16", out var broad, out _));
        Assert.True(AddressGuard.TryParseNetworks("169.254.169.254", out var exact, out _));

        Assert.False(new AddressGuard(broad).IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.True(new AddressGuard(broad).IsAllowed(IPAddress.Parse("169.254.1.1")));
        Assert.True(new AddressGuard(exact).IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Theory]
    [InlineData("127.0.0.1/33")]
    [InlineData("localhost")]
    [InlineData("10.0.0.0/8, nonsense")]
    public void BadAllowListIsRefused(string text)
    {
        Assert.False(AddressGuard.TryParseNetworks(text, out _, out var bad));
        Assert.NotNull(bad);
    }
}
