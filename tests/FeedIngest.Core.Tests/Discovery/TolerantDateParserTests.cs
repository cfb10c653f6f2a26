using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Tests.Discovery;

public class TolerantDateParserTests
{
    [Theory]
    [InlineData("Thu, 21 Nov 2024 19:41:00 +0700", "2024-11-21T19:41:00+07:00")]
    [InlineData("Thu, 21 Nov 2024 12:41:00 GMT", "2024-11-21T12:41:00+00:00")]
    [InlineData("Fri, 21 Nov 2024 19:41:00 GMT+7", "2024-11-21T19:41:00+07:00")] // wrong day name
    [InlineData("21 Nov 2024 19:41 +07:00", "2024-11-21T19:41:00+07:00")]
    [InlineData("2024-11-21T19:41:00+07:00", "2024-11-21T19:41:00+07:00")]
    [InlineData("2024-11-21T12:41:00Z", "2024-11-21T12:41:00+00:00")]
    [InlineData("2024-11-21", "2024-11-21T00:00:00+07:00")]
    [InlineData("21/11/2024 19:41", "2024-11-21T19:41:00+07:00")]
    [InlineData("21/11/2024", "2024-11-21T00:00:00+07:00")]
    [InlineData("19:41 21/11/2024", "2024-11-21T19:41:00+07:00")]
    public void PortalDateFormatsAreRead(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TolerantDateParser.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hôm qua lúc 8 giờ")]
    [InlineData("32/13/2024")]
    public void UnreadableDatesAreNullNotInvented(string? text)
    {
        Assert.Null(TolerantDateParser.Parse(text));
    }
}
