using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

public sealed class DateParsingTests
{
    [Theory]
    [InlineData("Ngày đăng 01/06/2022 | 09:04 | Lượt xem: 384", "2022-06-01T09:04:00+07:00")]
    [InlineData("Thứ Hai, 27/01/2021 - 10:15", "2021-01-27T10:15:00+07:00")]
    [InlineData("21/11/2024 19:41", "2024-11-21T19:41:00+07:00")]
    [InlineData("16:20 27/01/2021", "2021-01-27T16:20:00+07:00")]
    [InlineData("27/01/2021, 16:20", "2021-01-27T16:20:00+07:00")]
    [InlineData("Thứ tư, 27/1/2021, 16:20 (GMT+7)", "2021-01-27T16:20:00+07:00")]
    [InlineData("27/01/2021 09:20 GMT+0", "2021-01-27T09:20:00+00:00")]
    [InlineData("Cập nhật lúc 08:05 ngày 3/2/2023", "2023-02-03T08:05:00+07:00")]
    [InlineData("27-01-2021 16:20", "2021-01-27T16:20:00+07:00")]
    [InlineData("Chủ nhật, 05/03/2023 lúc 7:30", "2023-03-05T07:30:00+07:00")]
    [InlineData("Hà Nội, ngày 27 tháng 01 năm 2021", "2021-01-27T00:00:00+07:00")]
    public void VisibleVietnameseFormsParseToVietnamTime(string text, string expected)
    {
        var parsed = DateParsing.ParseVisible(text);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, parsed!.Value.Offset);
    }

    [Theory]
    [InlineData("2021-07-16T10:15:00+07:00", "2021-07-16T10:15:00+07:00")]
    [InlineData("2021-07-16T03:15:00Z", "2021-07-16T03:15:00+00:00")]
    [InlineData("2021-07-16T10:15:00", "2021-07-16T10:15:00+07:00")]
    [InlineData("2021-07-16", "2021-07-16T00:00:00+07:00")]
    [InlineData("2021-07-16 10:15", "2021-07-16T10:15:00+07:00")]
    public void MachineDatesKeepTheirZoneOrGetVietnamTime(string value, string expected)
    {
        var parsed = DateParsing.ParseMachine(value);

        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(want, parsed);
        Assert.Equal(want.Offset, parsed!.Value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Tổng lượt truy cập: 2.451.339")]
    [InlineData("31/02/2021 10:00")]
    [InlineData("Số 30 Lê Đại Hành")]
    public void TextWithoutAValidDateGivesNull(string text)
    {
        Assert.Null(DateParsing.ParseVisible(text));
    }

    [Fact]
    public void DateOfARelatedItemIsNotThePublicationDate()
    {
        const string html = """
            <html><body><article><h1>Tiêu đề bài viết về quận</h1>
            <div class="meta">Ngày đăng 05/03/2023 | 08:30</div>
            <div class="body"><p>Đoạn văn thứ nhất của bài viết, đủ dài để được coi là nội dung chính của trang này.</p>
            <p>Đoạn văn thứ hai của bài viết, cũng đủ dài để được coi là nội dung chính của trang này.</p></div>
            <div class="other"><h3>Tin khác</h3><ul><li><a href="/a">Một tin khác</a> <span>21/11/2024 19:41</span></li></ul></div>
            </article></body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(new DateTimeOffset(2023, 3, 5, 8, 30, 0, TimeSpan.FromHours(7)), article.PublishedAt);
    }

    [Fact]
    public void TodaysDateInThePageHeaderLosesToTheDateBesideTheTitle()
    {
        const string html = """
            <html><body><div class="top">Thứ Tư, 25/11/2026</div>
            <div class="main"><h1>Tiêu đề bài viết về quận</h1><span class="time">10:15 | 18/01/2021</span>
            <p>Đoạn văn thứ nhất của bài viết, đủ dài để được coi là nội dung chính của trang này.</p></div></body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(new DateTimeOffset(2021, 1, 18, 10, 15, 0, TimeSpan.FromHours(7)), article.PublishedAt);
    }

    [Fact]
    public void HeaderDateIsSkippedWhenTheTitleIsNotAHeading()
    {
        const string html = """
            <html><head><meta property="og:title" content="Quận tổ chức hội nghị tổng kết năm"></head><body>
            <div id="top-bar"><span>Thứ Tư, 25/11/2026</span></div>
            <div class="box"><div class="news-title">Quận tổ chức hội nghị tổng kết năm</div><div class="info">Cập nhật: 09:10 - 14/12/2022</div>
            <p>Đoạn văn thứ nhất của bài viết, đủ dài để được coi là nội dung chính của trang này.</p></div></body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal(new DateTimeOffset(2022, 12, 14, 9, 10, 0, TimeSpan.FromHours(7)), article.PublishedAt);
    }
}
